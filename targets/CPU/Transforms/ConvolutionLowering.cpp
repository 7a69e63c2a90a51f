// Shared pieces of dlc-cpu-lower-convolutions (ConvolutionLowering.h) and the convolution as a
// matrix product over im2col columns, or transposed.
#include "targets/CPU/Transforms/ConvolutionLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace dlc::cpu::convolutions {

RankedTensorType tensorType(Value value) { return cast<RankedTensorType>(value.getType()); }

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  return linalg::FillOp::create(b, loc, value, emptyTensor(b, loc, type)).getResult(0);
}

Value zeroOf(OpBuilder &b, Location loc, Type type) {
  return arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
}

SmallVector<utils::IteratorType> iterators(int64_t rank, ArrayRef<int64_t> reductions) {
  SmallVector<utils::IteratorType> types(rank, utils::IteratorType::parallel);
  for (int64_t dim : reductions)
    types[dim] = utils::IteratorType::reduction;
  return types;
}

/// `value` extended to `wide`, the type a product sums in: int8 by its sign (the graph gives
/// integer convolutions signed operands), bf16 exactly.
Value widen(OpBuilder &b, Location loc, Value value, Type wide) {
  if (value.getType() == wide)
    return value;
  if (isa<FloatType>(wide))
    return arith::ExtFOp::create(b, loc, wide, value);
  return arith::ExtSIOp::create(b, loc, wide, value);
}

/// The body `acc + x * y` of a product, for float or integer elements (operands narrower than
/// the sum extended first).
void multiplyAddBody(OpBuilder &b, Location loc, ValueRange args) {
  Type wide = args[2].getType();
  Value x = widen(b, loc, args[0], wide), y = widen(b, loc, args[1], wide);
  Value sum;
  if (isa<FloatType>(wide))
    sum = arith::AddFOp::create(b, loc, args[2], arith::MulFOp::create(b, loc, x, y));
  else
    sum = arith::AddIOp::create(b, loc, args[2], arith::MulIOp::create(b, loc, x, y));
  linalg::YieldOp::create(b, loc, sum);
}

/// The body `x + y`, for float or integer elements.
void addBody(OpBuilder &b, Location loc, ValueRange args) {
  Value sum = isa<FloatType>(args[0].getType())
                  ? arith::AddFOp::create(b, loc, args[0], args[1]).getResult()
                  : arith::AddIOp::create(b, loc, args[0], args[1]).getResult();
  linalg::YieldOp::create(b, loc, sum);
}

/// Collapses `value`'s dimensions [from, rank) into one.
Value collapseTrailing(OpBuilder &b, Location loc, Value value, int64_t from) {
  int64_t rank = tensorType(value).getRank();
  SmallVector<ReassociationIndices> groups;
  for (int64_t d = 0; d < from; ++d)
    groups.push_back({d});
  ReassociationIndices tail;
  for (int64_t d = from; d < rank; ++d)
    tail.push_back(d);
  groups.push_back(tail);
  return tensor::CollapseShapeOp::create(b, loc, value, groups);
}

namespace {

template <typename ConvOp> Convolution describe(ConvOp op) {
  return {op, op.getInputs()[0], op.getInputs()[1], op.getOutputs()[0],
          llvm::to_vector(op.getStrides().template getValues<int64_t>()),
          llvm::to_vector(op.getDilations().template getValues<int64_t>())};
}

} // namespace

std::optional<Convolution> matchConvolution(Operation *op) {
  if (auto conv = dyn_cast<linalg::Conv1DNcwFcwOp>(op))
    return describe(conv);
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
    return describe(conv);
  if (auto conv = dyn_cast<linalg::Conv3DNcdhwFcdhwOp>(op))
    return describe(conv);
  return std::nullopt;
}

Start readStart(Value init) {
  Start start{{}, {}, init};
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    start.fill = fill.getInputs()[0];
    return start;
  }
  auto generic = init.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 || generic.getNumReductionLoops() != 0)
    return start;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  AffineMap map = generic.getIndexingMapsArray()[0];
  if (yield.getNumOperands() == 1 && yield.getOperand(0) == generic.getBody()->getArgument(0) &&
      map.getNumResults() == 1 && map.getResult(0) == getAffineDimExpr(1, init.getContext()) &&
      generic.getIndexingMapsArray()[1].isIdentity())
    start.bias = generic.getDpsInputs()[0];
  return start;
}

/// The start of sums of `type` (dimension 1 the filters): a fill or the bias broadcast built in
/// that shape, or `reshape(init)` for an init of another form.
Value buildStart(OpBuilder &b, Location loc, const Start &start, RankedTensorType type,
                 llvm::function_ref<Value(Value)> reshape) {
  if (start.fill)
    return filledTensor(b, loc, type, start.fill);
  if (!start.bias)
    return reshape(start.init);
  int64_t rank = type.getRank();
  AffineMap filterMap = AffineMap::get(rank, 0, {getAffineDimExpr(1, b.getContext())});
  return linalg::GenericOp::create(
             b, loc, type, start.bias, emptyTensor(b, loc, type),
             ArrayRef<AffineMap>{filterMap, b.getMultiDimIdentityMap(rank)},
             iterators(rank, {}),
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(nested, nestedLoc, args[0]);
             })
      .getResult(0);
}

/// `matrix` [A, B] transposed to [B, A]: computed now when it is a constant (the usual case for
/// filters), otherwise a linalg.transpose.
Value transpose2D(OpBuilder &b, Location loc, Value matrix) {
  RankedTensorType type = tensorType(matrix);
  auto transposedType = RankedTensorType::get({type.getDimSize(1), type.getDimSize(0)},
                                              type.getElementType());
  // The constant may still be behind the reshape that made it 2-D.
  Value source = matrix;
  if (auto reshape = matrix.getDefiningOp<tensor::CollapseShapeOp>())
    source = reshape.getSrc();
  DenseElementsAttr elements;
  if (matchPattern(source, m_Constant(&elements)) && type.getElementType().isIntOrFloat() &&
      type.getElementTypeBitWidth() % 8 == 0) {
    elements = elements.reshape(type);
    if (elements.isSplat())
      return arith::ConstantOp::create(b, loc, elements.reshape(transposedType));
    int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
    size_t width = type.getElementTypeBitWidth() / 8;
    ArrayRef<char> raw = elements.getRawData();
    std::vector<char> data(raw.size());
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        std::memcpy(&data[(j * rows + i) * width], &raw[(i * cols + j) * width], width);
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::getFromRawBuffer(transposedType, data));
  }
  Value empty = emptyTensor(b, loc, transposedType);
  return linalg::TransposeOp::create(b, loc, matrix, empty, ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// The im2col columns of `conv`: col[n, (c, k..), (o..)] = input[n, c, o*s + k*d]; a view of
/// the input for a 1x1 convolution of stride 1.
Value im2col(OpBuilder &b, Location loc, const Convolution &conv) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType inputType = tensorType(conv.input);
  ArrayRef<int64_t> kernel = tensorType(conv.filter).getShape().drop_front(2);
  ArrayRef<int64_t> outSpatial = conv.resultType().getShape().drop_front(2);
  int64_t spatial = conv.spatial();
  if (llvm::all_of(kernel, [](int64_t k) { return k == 1; }) &&
      llvm::all_of(conv.strides, [](int64_t s) { return s == 1; }))
    return collapseTrailing(b, loc, conv.input, 2);
  int64_t rank = 2 + 2 * spatial;
  SmallVector<int64_t> colShape{inputType.getDimSize(0), inputType.getDimSize(1)};
  llvm::append_range(colShape, kernel);
  llvm::append_range(colShape, outSpatial);
  SmallVector<AffineExpr> inExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  for (int64_t i = 0; i < spatial; ++i)
    inExprs.push_back(getAffineDimExpr(2 + spatial + i, ctx) * conv.strides[i] +
                      getAffineDimExpr(2 + i, ctx) * conv.dilations[i]);
  auto colType = RankedTensorType::get(colShape, inputType.getElementType());
  auto gather = linalg::GenericOp::create(
      b, loc, colType, conv.input, emptyTensor(b, loc, colType),
      ArrayRef<AffineMap>{AffineMap::get(rank, 0, inExprs, ctx), b.getMultiDimIdentityMap(rank)},
      iterators(rank, {}), [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc, args[0]);
      });
  // [n, c, k.., o..] -> [n, (c k..), (o..)]
  SmallVector<ReassociationIndices> groups{{0}, {}, {}};
  for (int64_t d = 1; d <= 1 + spatial; ++d)
    groups[1].push_back(d);
  for (int64_t d = 2 + spatial; d < rank; ++d)
    groups[2].push_back(d);
  return tensor::CollapseShapeOp::create(b, loc, gather.getResult(0), groups);
}

/// An ungrouped convolution as a matrix product (the CPU's fast path for contractions):
///   out[n, f, (o..)] = sum_r filter[f, r] * col[n, r, (o..)] + start[n, f, (o..)]
/// Rows of the product are filters, its contiguous columns are output positions.
Value lowerAsProduct(OpBuilder &b, Location loc, const Convolution &conv, Value col,
                     Value filter, const Start &start) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType colType = tensorType(col);
  int64_t filters = conv.resultType().getDimSize(1);
  auto productType = RankedTensorType::get(
      {colType.getDimSize(0), filters, colType.getDimSize(2)}, colType.getElementType());
  Value init = buildStart(b, loc, start, productType,
                          [&](Value init) { return collapseTrailing(b, loc, init, 2); });
  // Iteration space (n, f, r, p): filter[f, r] * col[n, r, p] -> out[n, f, p].
  AffineExpr n = getAffineDimExpr(0, ctx), f = getAffineDimExpr(1, ctx),
             r = getAffineDimExpr(2, ctx), p = getAffineDimExpr(3, ctx);
  return linalg::GenericOp::create(
             b, loc, productType, ValueRange{filter, col}, init,
             ArrayRef<AffineMap>{AffineMap::get(4, 0, {f, r}, ctx),
                                 AffineMap::get(4, 0, {n, r, p}, ctx),
                                 AffineMap::get(4, 0, {n, f, p}, ctx)},
             iterators(4, {2}), multiplyAddBody)
      .getResult(0);
}

/// The same product with the roles of the operands exchanged: col, transposed to colT[n, p, r],
/// is the left-hand side (positions are the rows of the register blocks) and the filter,
/// transposed at compile time to filterT[r, f], the right-hand side that
/// dlc-cpu-pack-constant-operands packs, so filters run along the vectors. Each step of a block
/// broadcasts one element of each of its rows: read from col[n, r, p], a block's few positions
/// share one cache line per step, and streaming a whole line per step for 6 of its 16 floats
/// made a 1x1 convolution of 512 channels to 2048 on 7x7 1.3x slower than from colT (the
/// transposing copy is a pass over the columns, small next to the product). The result is
/// still written as out[n, f, p]: each register block is stored transposed. The product starts
/// from zero, not from the bias: its register blocks then start from a constant instead of
/// reading a filled buffer transposed, element by element; the caller adds the start after
/// (addStart).
Value lowerAsTransposedProduct(OpBuilder &b, Location loc, const Convolution &conv, Value col,
                               Value filter) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType colType = tensorType(col);
  Type elementType = colType.getElementType();
  int64_t batch = colType.getDimSize(0), positions = colType.getDimSize(2);
  int64_t filters = conv.resultType().getDimSize(1);
  auto outType = RankedTensorType::get({batch, filters, positions}, elementType);
  Value init = filledTensor(b, loc, outType, zeroOf(b, loc, elementType));
  // Iteration space (n, p, f, r): colT[n, p, r] * filterT[r, f] -> out[n, f, p].
  AffineExpr n = getAffineDimExpr(0, ctx), p = getAffineDimExpr(1, ctx),
             f = getAffineDimExpr(2, ctx), r = getAffineDimExpr(3, ctx);
  auto colTType = RankedTensorType::get({batch, positions, colType.getDimSize(1)}, elementType);
  Value colT = linalg::TransposeOp::create(b, loc, col, emptyTensor(b, loc, colTType),
                                           ArrayRef<int64_t>{0, 2, 1})
                   .getResult()[0];
  Value product =
      linalg::GenericOp::create(
          b, loc, outType, ValueRange{colT, transpose2D(b, loc, filter)}, init,
          ArrayRef<AffineMap>{AffineMap::get(4, 0, {n, p, r}, ctx),
                              AffineMap::get(4, 0, {r, f}, ctx),
                              AffineMap::get(4, 0, {n, f, p}, ctx)},
          iterators(4, {3}), multiplyAddBody)
          .getResult(0);
  return product;
}

/// `sums` (summed from zero, in the convolution's result shape [N, F, O..] or as the product
/// [N, F, P]) plus the convolution's start, in an elementwise op of that shape that fusion
/// merges with the activation (and, in the result's shape, the residual add) after it.
Value addStart(OpBuilder &b, Location loc, Value sums, const Start &start) {
  if (start.isZero())
    return sums;
  MLIRContext *ctx = b.getContext();
  RankedTensorType outType = tensorType(sums);
  int64_t rank = outType.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  Value addend = start.bias;
  AffineMap addendMap = AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)});
  if (!addend) {
    addend = buildStart(b, loc, start, outType, [&](Value init) {
      return rank == 3 ? collapseTrailing(b, loc, init, 2) : init;
    });
    addendMap = identity;
  }
  return linalg::GenericOp::create(b, loc, outType, ValueRange{sums, addend},
                                   emptyTensor(b, loc, outType),
                                   ArrayRef<AffineMap>{identity, addendMap, identity},
                                   iterators(rank, {}), addBody)
      .getResult(0);
}

} // namespace dlc::cpu::convolutions
