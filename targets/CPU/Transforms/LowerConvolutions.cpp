// The dlc-cpu-lower-convolutions pass: linalg's named convolutions become what the CPU kernels
// run fastest: Winograd F(4x4, 3x3) or F(2x2, 3x3), a matrix product over im2col columns (or
// transposed), or a direct convolution over the input read in place; int8 and bf16 depthwise
// ones a product on dot-product instructions (see Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/DirectConvolution.h"
#include "targets/CPU/Transforms/DotConvolution.h"
#include "targets/CPU/Transforms/Winograd.h"
#include "targets/Target.h"

#include "dialects/Graph/IR/NodeNames.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

namespace dlc::cpu {

#define GEN_PASS_DEF_LOWERCONVOLUTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

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

/// The operands and attributes of a named convolution (NCW, NCHW or NCDHW input, FC.. filter).
struct Convolution {
  Operation *op;
  Value input;  ///< [N, C, D..], already padded
  Value filter; ///< [F, C, K..]
  Value init;   ///< [N, F, O..]: what the sums start from
  SmallVector<int64_t> strides, dilations;

  RankedTensorType resultType() const { return tensorType(op->getResult(0)); }
  int64_t spatial() const { return resultType().getRank() - 2; }
};

template <typename ConvOp> Convolution describe(ConvOp op) {
  return {op, op.getInputs()[0], op.getInputs()[1], op.getOutputs()[0],
          llvm::to_vector(op.getStrides().template getValues<int64_t>()),
          llvm::to_vector(op.getDilations().template getValues<int64_t>())};
}

std::optional<Convolution> matchConvolution(Operation *op) {
  if (auto conv = dyn_cast<linalg::Conv1DNcwFcwOp>(op))
    return describe(conv);
  if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op))
    return describe(conv);
  if (auto conv = dyn_cast<linalg::Conv3DNcdhwFcdhwOp>(op))
    return describe(conv);
  return std::nullopt;
}

/// What a convolution's sums start from, read from its init: the graph lowering builds a fill
/// (zero, without a bias) or a bias [F] broadcast along dimension 1. Each is rebuilt in the
/// shape a strategy needs; any other init is reshaped.
struct Start {
  Value fill; ///< the filled value when the init is a linalg.fill
  Value bias; ///< the [F] bias when the init broadcasts one
  Value init; ///< the init itself

  bool isZero() const {
    return fill && (matchPattern(fill, m_AnyZeroFloat()) || matchPattern(fill, m_Zero()));
  }
};

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

Value addStart(OpBuilder &b, Location loc, Value sums, const Start &start);

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

/// A constant matrix of `rows` x `cols` f32 elements.
Value matrixConstant(OpBuilder &b, Location loc, const float *values, int64_t rows,
                     int64_t cols) {
  auto type = RankedTensorType::get({rows, cols}, b.getF32Type());
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<float>(values, rows * cols)));
}

/// The body `acc + x * s * t` of the Winograd transforms (x the data, s and t matrix entries).
void scaledSumBody(OpBuilder &b, Location loc, ValueRange args) {
  Value scaled = arith::MulFOp::create(b, loc, args[1], args[2]);
  Value term = arith::MulFOp::create(b, loc, args[0], scaled);
  linalg::YieldOp::create(b, loc, arith::AddFOp::create(b, loc, args[3], term).getResult());
}

/// The transformed filters U[a * alpha + b, f, c] = (G g[f, c] G^T)[a, b] of 3x3 f32 filters
/// [F, C, 3, 3], computed at compile time (in double, then rounded once).
DenseElementsAttr winogradFilters(DenseElementsAttr filters, int64_t numFilters,
                                  int64_t channels, const winograd::Variant &variant) {
  using namespace winograd;
  int64_t alpha = variant.alpha;
  const float *matrix = variant.filterMatrix;
  auto values = filters.getValues<float>();
  std::vector<float> transformed(alpha * alpha * numFilters * channels);
  for (int64_t f = 0; f < numFilters; ++f)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t base = (f * channels + c) * kKernel * kKernel;
      double half[kMaxAlpha][kKernel] = {}; // G g
      for (int64_t a = 0; a < alpha; ++a)
        for (int64_t s = 0; s < kKernel; ++s)
          for (int64_t r = 0; r < kKernel; ++r)
            half[a][s] += double(matrix[a * kKernel + r]) * values[base + r * kKernel + s];
      for (int64_t a = 0; a < alpha; ++a)
        for (int64_t bb = 0; bb < alpha; ++bb) {
          double sum = 0;
          for (int64_t s = 0; s < kKernel; ++s)
            sum += half[a][s] * matrix[bb * kKernel + s];
          transformed[((a * alpha + bb) * numFilters + f) * channels + c] = float(sum);
        }
    }
  auto type = RankedTensorType::get({alpha * alpha, numFilters, channels},
                                    Float32Type::get(filters.getContext()));
  return DenseElementsAttr::get(type, ArrayRef<float>(transformed));
}

/// `value` [N, C, H, W] padded at the end of H and W by `extraRows` and `extraCols` zeros. A
/// value that is itself a zero padding (the convolution's own) is padded once, by both.
Value padEnd(OpBuilder &b, Location loc, Value value, int64_t extraRows, int64_t extraCols) {
  if (extraRows == 0 && extraCols == 0)
    return value;
  RankedTensorType type = tensorType(value);
  Type elementType = type.getElementType();
  SmallVector<int64_t> low(4, 0), high{0, 0, extraRows, extraCols};
  auto pad = value.getDefiningOp<tensor::PadOp>();
  Value padValue = pad ? pad.getConstantPaddingValue() : Value();
  if (pad && padValue && value.hasOneUse() &&
      (matchPattern(padValue, m_AnyZeroFloat()) || matchPattern(padValue, m_Zero())) &&
      !ShapedType::isDynamicShape(pad.getStaticLow()) &&
      !ShapedType::isDynamicShape(pad.getStaticHigh())) {
    low.assign(pad.getStaticLow().begin(), pad.getStaticLow().end());
    for (auto [total, own] : llvm::zip(high, pad.getStaticHigh()))
      total += own;
    value = pad.getSource();
  }
  SmallVector<int64_t> shape(tensorType(value).getShape());
  for (int64_t d = 0; d < 4; ++d)
    shape[d] += low[d] + high[d];
  return tensor::PadOp::create(b, loc, RankedTensorType::get(shape, elementType), value,
                               getAsIndexOpFoldResult(b.getContext(), low),
                               getAsIndexOpFoldResult(b.getContext(), high),
                               zeroOf(b, loc, elementType))
      .getResult();
}

/// A 3x3, stride-1 convolution with constant f32 filters as Winograd F(m x m, 3x3) (see
/// Winograd.h), tiles of m x m outputs along the columns of alpha^2 batched matrix products:
///   V[a, b, c, (n, ty, tx)]  = (B^T d B)[a, b]         input transform, per alpha^2 input tile
///   M[a, b, f, (n, ty, tx)]  = sum_c U[a, b, f, c] * V[a, b, c, (n, ty, tx)]
///   Y[n, f, m ty + i, m tx + j] = start[n, f, ..] + (A^T M A)[i, j]   output transform
/// Output sizes that m does not divide compute up to m - 1 more rows or columns and drop them.
Value lowerAsWinograd(OpBuilder &b, Location loc, const Convolution &conv,
                      DenseElementsAttr filters, const Start &start,
                      const winograd::Variant &variant) {
  using namespace winograd;
  MLIRContext *ctx = b.getContext();
  int64_t alpha = variant.alpha, outputTile = variant.outputTile;
  Type f32 = b.getF32Type();
  RankedTensorType resultType = conv.resultType();
  int64_t batch = resultType.getDimSize(0), numFilters = resultType.getDimSize(1);
  int64_t height = resultType.getDimSize(2), width = resultType.getDimSize(3);
  int64_t channels = tensorType(conv.filter).getDimSize(1);
  int64_t tileRows = llvm::divideCeil(height, outputTile);
  int64_t tileCols = llvm::divideCeil(width, outputTile);
  int64_t extraRows = tileRows * outputTile - height, extraCols = tileCols * outputTile - width;
  Value zero = zeroOf(b, loc, f32);

  // Input transform over (a, b, c, n, ty, tx, p, q); an output size that m does not divide
  // needs more padded rows or columns for its last tiles.
  Value padded = padEnd(b, loc, conv.input, extraRows, extraCols);
  Value inputMatrix = matrixConstant(b, loc, variant.inputMatrix, alpha, alpha);
  auto transformedType =
      RankedTensorType::get({alpha, alpha, channels, batch, tileRows, tileCols}, f32);
  auto inputTransform = linalg::GenericOp::create(
      b, loc, transformedType, ValueRange{padded, inputMatrix, inputMatrix},
      filledTensor(b, loc, transformedType, zero), inputTransformMaps(ctx, variant),
      iterators(8, {6, 7}), scaledSumBody);
  SmallVector<ReassociationIndices> toMatrices{{0, 1}, {2}, {3, 4, 5}};
  Value transformed =
      tensor::CollapseShapeOp::create(b, loc, inputTransform.getResult(0), toMatrices);

  // The alpha^2 products over (k, f, c, t).
  Value transformedFilters =
      arith::ConstantOp::create(b, loc, winogradFilters(filters, numFilters, channels, variant));
  int64_t tiles = batch * tileRows * tileCols;
  auto productType = RankedTensorType::get({alpha * alpha, numFilters, tiles}, f32);
  AffineExpr k = getAffineDimExpr(0, ctx), f = getAffineDimExpr(1, ctx),
             c = getAffineDimExpr(2, ctx), t = getAffineDimExpr(3, ctx);
  auto product = linalg::GenericOp::create(
      b, loc, productType, ValueRange{transformedFilters, transformed},
      filledTensor(b, loc, productType, zero),
      ArrayRef<AffineMap>{AffineMap::get(4, 0, {k, f, c}, ctx),
                          AffineMap::get(4, 0, {k, c, t}, ctx),
                          AffineMap::get(4, 0, {k, f, t}, ctx)},
      iterators(4, {2}), multiplyAddBody);

  // Output transform over (n, f, ty, i, tx, j, a, b), starting from the bias.
  Value products = tensor::ExpandShapeOp::create(
      b, loc,
      RankedTensorType::get({alpha, alpha, numFilters, batch, tileRows, tileCols}, f32),
      product.getResult(0), toMatrices);
  auto tiledType = RankedTensorType::get(
      {batch, numFilters, tileRows, outputTile, tileCols, outputTile}, f32);
  SmallVector<ReassociationIndices> toTiles{{0}, {1}, {2, 3}, {4, 5}};
  Value init = buildStart(b, loc, start, tiledType, [&](Value init) -> Value {
    return tensor::ExpandShapeOp::create(b, loc, tiledType,
                                         padEnd(b, loc, init, extraRows, extraCols), toTiles);
  });
  Value outputMatrix = matrixConstant(b, loc, variant.outputMatrix, outputTile, alpha);
  auto outputTransform = linalg::GenericOp::create(
      b, loc, tiledType, ValueRange{products, outputMatrix, outputMatrix}, init,
      outputTransformMaps(ctx), iterators(8, {6, 7}), scaledSumBody);
  Value result =
      tensor::CollapseShapeOp::create(b, loc, outputTransform.getResult(0), toTiles);
  if (extraRows == 0 && extraCols == 0)
    return result;
  return tensor::ExtractSliceOp::create(
      b, loc, resultType, result, SmallVector<OpFoldResult>(4, b.getIndexAttr(0)),
      getAsIndexOpFoldResult(ctx, resultType.getShape()),
      SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
}

/// A convolution that Winograd computes faster than a product: its constant filters and the
/// variant to use.
/// The constant filters of `conv` when it can run as Winograd: a 3x3, stride-1, f32
/// convolution with constant filters; with fewer than 16 channels or filters the product is too
/// small to matter. Null otherwise.
DenseElementsAttr winogradFilters(const Convolution &conv) {
  RankedTensorType resultType = conv.resultType();
  RankedTensorType filterType = tensorType(conv.filter);
  DenseElementsAttr filters;
  if (conv.spatial() != 2 || !resultType.getElementType().isF32() ||
      !tensorType(conv.input).getElementType().isF32() ||
      filterType.getDimSize(2) != winograd::kKernel ||
      filterType.getDimSize(3) != winograd::kKernel ||
      llvm::any_of(conv.strides, [](int64_t s) { return s != 1; }) ||
      llvm::any_of(conv.dilations, [](int64_t d) { return d != 1; }) ||
      !matchPattern(conv.filter, m_Constant(&filters)) || filterType.getDimSize(1) < 16 ||
      filterType.getDimSize(0) < 16)
    return {};
  return filters;
}

/// The least output tiles for Winograd on a target of `lanes` f32 lanes: two vectors of them.
/// On AVX-512 (32) a 7x7 map at batch 1, 16 tiles of F(2x2), was slower in ResNet-50 than
/// im2col (Zen 5); on AVX2 (16), whose transforms run 16 tiles at a time anyway, its 3x3
/// convolutions of 512 channels took 2.61 ms as F(2x2) against 2.91 as a product (dlc tune,
/// minimums of 20, Zen 3).
int64_t minimumWinogradTiles(int64_t lanes) { return 2 * lanes; }

/// The Winograd variant the rules choose for `conv` (given it can run as Winograd) on a target
/// of `lanes` f32 lanes: the largest output tile of which the result has enough, if any. Each
/// transformed filter is read once per column block of tiles, so with too few tiles the
/// products wait on memory for filters read for few columns. F(4x4) is taken wherever it has
/// the tiles: a third fewer multiply-adds than F(2x2) and half the transformed inputs.
const winograd::Variant *winogradVariantOf(const Convolution &conv, int64_t lanes) {
  RankedTensorType resultType = conv.resultType();
  for (const winograd::Variant *variant : {&winograd::kF4x4, &winograd::kF2x2}) {
    int64_t tiles = resultType.getDimSize(0) *
                    llvm::divideCeil(resultType.getDimSize(2), variant->outputTile) *
                    llvm::divideCeil(resultType.getDimSize(3), variant->outputTile);
    if (tiles >= minimumWinogradTiles(lanes))
      return variant;
  }
  return nullptr;
}

/// The constant filters of a 2-D convolution of int8 or bf16 operands, which
/// lowerAsDotProduct computes, or null.
DenseElementsAttr dotFiltersOf(const Convolution &conv) {
  DenseElementsAttr filters;
  if (conv.spatial() != 2 || !dotconv::groupOf(tensorType(conv.input).getElementType()) ||
      !matchPattern(conv.filter, m_Constant(&filters)))
    return {};
  return filters;
}

/// A 2-D convolution of int8 or bf16 operands with constant filters as a product over the
/// packed columns of DotConvolution.h: the packing, the filters reordered at compile time to
/// [F, Q, g], and the product into [N, F, OH*OW], summed from zero in the result's type (the
/// caller adds the start). The groups run along the channels, or along the filter's width
/// where that leaves fewer of them (few channels).
Value lowerAsDotProduct(OpBuilder &b, Location loc, const Convolution &conv,
                        DenseElementsAttr filters) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType inType = tensorType(conv.input), resultType = conv.resultType();
  Type narrow = inType.getElementType(), wide = resultType.getElementType();
  int64_t g = dotconv::groupOf(narrow);
  int64_t batch = inType.getDimSize(0), channels = inType.getDimSize(1);
  int64_t numFilters = resultType.getDimSize(1);
  int64_t outH = resultType.getDimSize(2), outW = resultType.getDimSize(3);
  int64_t kh = tensorType(conv.filter).getDimSize(2), kw = tensorType(conv.filter).getDimSize(3);
  int64_t groups = llvm::divideCeil(channels, g), widthGroups = llvm::divideCeil(kw, g);
  bool alongWidth = channels * widthGroups < groups * kw;
  // The packing's [N, C | CQ, KH, KW | KQ, OH, OW, g] and the padding it reads.
  int64_t dims[] = {batch, alongWidth ? channels : groups, kh, alongWidth ? widthGroups : kw,
                    outH, outW, g};
  int64_t depth = dims[1] * kh * dims[3];
  SmallVector<int64_t> padHigh(4, 0);
  if (alongWidth) // the last group's taps past the filter read zeros
    padHigh[3] = std::max<int64_t>(0, (outW - 1) * conv.strides[1] +
                                          (widthGroups * g - 1) * conv.dilations[1] + 1 -
                                          inType.getDimSize(3));
  else // channels padded to whole groups (their filter elements are zero)
    padHigh[1] = groups * g - channels;

  Value input = conv.input;
  if (llvm::any_of(padHigh, [](int64_t pad) { return pad > 0; })) {
    SmallVector<int64_t> shape(inType.getShape());
    for (auto [size, pad] : llvm::zip(shape, padHigh))
      size += pad;
    input = tensor::PadOp::create(b, loc, RankedTensorType::get(shape, narrow), input,
                                  getAsIndexOpFoldResult(ctx, {0, 0, 0, 0}),
                                  getAsIndexOpFoldResult(ctx, padHigh), zeroOf(b, loc, narrow));
  }
  AffineMap inputMap =
      alongWidth ? dotconv::widthPackingInputMap(ctx, g, conv.strides, conv.dilations)
                 : dotconv::packingInputMap(ctx, g, conv.strides, conv.dilations);
  auto packedType = RankedTensorType::get(dims, narrow);
  Value packed = linalg::GenericOp::create(
                     b, loc, packedType, input, emptyTensor(b, loc, packedType),
                     ArrayRef<AffineMap>{inputMap, b.getMultiDimIdentityMap(7)}, iterators(7, {}),
                     [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
                       linalg::YieldOp::create(nested, nestedLoc, args[0]);
                     })
                     .getResult(0);
  Value col = tensor::CollapseShapeOp::create(
      b, loc, packed, SmallVector<ReassociationIndices>{{0}, {1, 2, 3}, {4, 5}, {6}});

  // Along the channels: w[f, (cq, y, x), j] = filter[f, cq * g + j, y, x]; along the width:
  // w[f, (c, y, xq), j] = filter[f, c, y, xq * g + j]; zero past the channels or the width.
  size_t width = narrow.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> raw = filters.getRawData();
  std::vector<char> reordered(numFilters * depth * g * width, 0);
  for (int64_t f = 0; f < numFilters; ++f)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          int64_t from = ((f * channels + c) * kh + y) * kw + x;
          int64_t q = alongWidth ? (c * kh + y) * widthGroups + x / g
                                 : ((c / g) * kh + y) * kw + x;
          int64_t j = alongWidth ? x % g : c % g;
          std::memcpy(&reordered[((f * depth + q) * g + j) * width],
                      &raw[filters.isSplat() ? 0 : from * width], width);
        }
  Value weights = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::getFromRawBuffer(
          RankedTensorType::get({numFilters, depth, g}, narrow), reordered));

  auto productType = RankedTensorType::get({batch, numFilters, outH * outW}, wide);
  Value product = linalg::GenericOp::create(
                      b, loc, productType, ValueRange{weights, col},
                      filledTensor(b, loc, productType, zeroOf(b, loc, wide)),
                      dotconv::productMaps(ctx), iterators(5, {3, 4}), multiplyAddBody)
                      .getResult(0);
  return product;
}

/// A depthwise convolution (one input and one output channel per group; 2-D; int8 or bf16
/// operands; constant filters) as dlc-convert-graph-to-linalg writes grouped convolutions: a
/// generic over (n, g, f, c, kh, kw, oh, ow) reading the padded input [N, G, 1, H, W] and the
/// filters [G, 1, 1, KH, KW] into [N, G, 1, OH, OW]. lowerDepthwise computes it on dot products.
struct Depthwise {
  linalg::GenericOp op;
  DenseElementsAttr filters;
  SmallVector<int64_t> strides, dilations;

  Value input() { return op.getDpsInputs()[0]; }
  Value init() { return op.getDpsInits()[0]; }
};

/// `op`'s 8 loops, maps and body as the grouped lowering writes them, for a depthwise
/// convolution the dot kernels compute.
std::optional<Depthwise> matchDepthwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 8 || op.getNumReductionLoops() != 3)
    return std::nullopt;
  RankedTensorType in = tensorType(op.getDpsInputs()[0]), out = tensorType(op.getResult(0));
  RankedTensorType filterType = tensorType(op.getDpsInputs()[1]);
  Depthwise conv{op, {}, {}, {}};
  if (!in.hasStaticShape() || !out.hasStaticShape() || in.getRank() != 5 ||
      out.getRank() != 5 || filterType.getRank() != 5 || in.getDimSize(2) != 1 ||
      out.getDimSize(2) != 1 || filterType.getDimSize(1) != 1 || filterType.getDimSize(2) != 1 ||
      !dotconv::groupOf(in.getElementType()))
    return std::nullopt;
  // The filters: a constant, or one the grouped lowering's split of the filter dimension
  // reshapes (the same elements in the same order).
  Value filter = op.getDpsInputs()[1];
  if (auto split = filter.getDefiningOp<tensor::ExpandShapeOp>())
    filter = split.getSrc();
  if (!matchPattern(filter, m_Constant(&conv.filters)))
    return std::nullopt;
  // The strides and dilations are the input map's coefficients of oh, ow and kh, kw; the maps
  // must be the grouped lowering's for them.
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[0].getNumResults() != 5 || maps[0].getNumSymbols() != 0)
    return std::nullopt;
  auto coefficient = [&](unsigned dim, unsigned result) {
    SmallVector<int64_t> point(8, 0);
    point[dim] = 1;
    return maps[0].compose(point)[result];
  };
  conv.strides = {coefficient(6, 3), coefficient(7, 4)};
  conv.dilations = {coefficient(4, 3), coefficient(5, 4)};
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap expected[] = {
      AffineMap::get(8, 0,
                     {d(0), d(1), d(3), d(6) * conv.strides[0] + d(4) * conv.dilations[0],
                      d(7) * conv.strides[1] + d(5) * conv.dilations[1]},
                     ctx),
      AffineMap::get(8, 0, {d(1), d(2), d(3), d(4), d(5)}, ctx),
      AffineMap::get(8, 0, {d(0), d(1), d(2), d(6), d(7)}, ctx)};
  if (maps != ArrayRef(expected))
    return std::nullopt;
  // The body: out + widen(x) * widen(w).
  Block &body = *op.getBody();
  Operation *add = cast<linalg::YieldOp>(body.getTerminator()).getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddIOp, arith::AddFOp>(add) ||
      add->getOperand(0) != body.getArgument(2) ||
      !isa_and_nonnull<arith::MulIOp, arith::MulFOp>(add->getOperand(1).getDefiningOp()))
    return std::nullopt;
  return conv;
}

/// A depthwise convolution as the product of DotConvolution.h that reads the input in place:
/// the input collapsed to [N, C, H, W] and padded on the right for the last group's taps, the
/// filters reordered at compile time to [C, KH, KQ, g] (zero past the width), from the
/// convolution's fill or from zero plus its start.
void lowerDepthwise(OpBuilder &b, Depthwise conv) {
  Location loc = conv.op.getLoc();
  MLIRContext *ctx = b.getContext();
  b.setInsertionPoint(conv.op);
  RankedTensorType inType = tensorType(conv.input()), outType = tensorType(conv.op.getResult(0));
  Type narrow = inType.getElementType();
  int64_t g = dotconv::groupOf(narrow);
  int64_t channels = inType.getDimSize(1), width = inType.getDimSize(4);
  RankedTensorType filterType = tensorType(conv.op.getDpsInputs()[1]); // [G, 1, 1, KH, KW]
  int64_t kh = filterType.getDimSize(3), kw = filterType.getDimSize(4);
  int64_t kq = llvm::divideCeil(kw, g);
  int64_t outW = outType.getDimSize(4);
  SmallVector<ReassociationIndices> merge{{0}, {1, 2}, {3}, {4}};
  Value input = tensor::CollapseShapeOp::create(b, loc, conv.input(), merge);
  int64_t padWidth = std::max<int64_t>(
      0, (outW - 1) * conv.strides[1] + (kq * g - 1) * conv.dilations[1] + 1 - width);
  if (padWidth > 0) {
    SmallVector<int64_t> shape(tensorType(input).getShape());
    shape[3] += padWidth;
    input = tensor::PadOp::create(b, loc, RankedTensorType::get(shape, narrow), input,
                                  getAsIndexOpFoldResult(ctx, {0, 0, 0, 0}),
                                  getAsIndexOpFoldResult(ctx, {0, 0, 0, padWidth}),
                                  zeroOf(b, loc, narrow));
  }
  // w[c, y, xq, j] = filter[c, 0, 0, y, xq * g + j], zero past the width.
  size_t bytes = narrow.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> raw = conv.filters.getRawData();
  std::vector<char> reordered(channels * kh * kq * g * bytes, 0);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < kh; ++y)
      for (int64_t x = 0; x < kw; ++x)
        std::memcpy(&reordered[(((c * kh + y) * kq + x / g) * g + x % g) * bytes],
                    &raw[conv.filters.isSplat() ? 0 : ((c * kh + y) * kw + x) * bytes], bytes);
  Value weights = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::getFromRawBuffer(RankedTensorType::get({channels, kh, kq, g}, narrow),
                                          reordered));
  // A fill starts the sums; any other start (a bias broadcast over the groups) is added after
  // them, in an elementwise op that fusion merges with the epilogue, so the kernel neither
  // writes nor reads the broadcast.
  Start start = readStart(conv.init());
  RankedTensorType sumsType = tensor::CollapseShapeOp::inferCollapsedType(outType, merge);
  Value init = filledTensor(b, loc, sumsType,
                            start.fill ? start.fill : zeroOf(b, loc, sumsType.getElementType()));
  Value product = linalg::GenericOp::create(
                      b, loc, sumsType, ValueRange{input, weights}, init,
                      dotconv::depthwiseMaps(ctx, g, conv.strides, conv.dilations),
                      iterators(7, {4, 5, 6}), multiplyAddBody)
                      .getResult(0);
  if (!start.fill) {
    // The grouped lowering's bias broadcast reads [G, 1] along (g, f): the [C] bias along c.
    AffineMap identity = b.getMultiDimIdentityMap(4);
    Value addend;
    AffineMap addendMap = identity;
    auto broadcast = conv.init().getDefiningOp<linalg::GenericOp>();
    if (broadcast && broadcast.getNumDpsInputs() == 1 && broadcast.getNumReductionLoops() == 0 &&
        broadcast.getIndexingMapsArray()[0] ==
            AffineMap::get(5, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx) &&
        cast<linalg::YieldOp>(broadcast.getBody()->getTerminator()).getOperand(0) ==
            broadcast.getBody()->getArgument(0)) {
      addend = tensor::CollapseShapeOp::create(b, loc, broadcast.getDpsInputs()[0],
                                               SmallVector<ReassociationIndices>{{0, 1}});
      addendMap = AffineMap::get(4, 0, {getAffineDimExpr(1, ctx)}, ctx);
    } else {
      addend = tensor::CollapseShapeOp::create(b, loc, conv.init(), merge);
    }
    product = linalg::GenericOp::create(b, loc, sumsType, ValueRange{product, addend},
                                        emptyTensor(b, loc, sumsType),
                                        ArrayRef<AffineMap>{identity, addendMap, identity},
                                        iterators(4, {}), addBody)
                  .getResult(0);
  }
  Value result = tensor::ExpandShapeOp::create(b, loc, outType, product, merge);
  conv.op->getResult(0).replaceAllUsesWith(result);
  conv.op->erase();
}

/// Records on the function how `op` is computed and why (targets::kStrategiesAttr), with the
/// shape key, the strategy's name and the candidates for dlc tune where it has a choice.
void recordStrategy(Operation *op, const std::string &strategy, const std::string &why,
                    const std::string &key = "", const std::string &name = "",
                    ArrayRef<std::string> candidates = {}) {
  auto func = op->getParentOfType<func::FuncOp>();
  Builder b(op->getContext());
  SmallVector<Attribute> lines;
  if (auto existing = func->getAttrOfType<ArrayAttr>(targets::kStrategiesAttr))
    llvm::append_range(lines, existing.getValue());
  std::string line = graph::nodeNameOf(op) + "\t" + strategy + "\t" + why;
  if (!key.empty())
    line += "\t" + key + "\t" + name + "\t" + llvm::join(candidates, ",");
  lines.push_back(b.getStringAttr(line));
  func->setAttr(targets::kStrategiesAttr, b.getArrayAttr(lines));
}

/// Whether `conv` can run as the direct convolution of DirectConvolution.h: 2-D, f32, with
/// constant filters (the kernel broadcasts them from a copy reordered at compile time).
bool canRunDirect(const Convolution &conv) {
  return conv.spatial() == 2 && conv.resultType().getElementType().isF32() &&
         tensorType(conv.input).getElementType().isF32() &&
         matchPattern(conv.filter, m_Constant());
}

/// Whether the rules compute `conv` directly (the input read in place) rather than as a product
/// over im2col columns, on a target of `lanes` f32 lanes: with fewer channels than a vector and
/// a filter wider than 1x1 (an image's stem, whose columns are KH x KW / s^2 times the input:
/// ResNet-50's 7x7/2 stem took 0.89x the time, MobileNetV2's 3x3/2 0.90x), and for a 1x1
/// stride-1 convolution on rows of at least 8 vectors (MobileNetV2's 112x112 maps, 0.80-0.83x;
/// on shorter rows the product was as fast or faster). dlc tune on a Zen 3 (AVX2).
bool directFirst(const Convolution &conv, int64_t lanes) {
  ArrayRef<int64_t> filterShape = tensorType(conv.filter).getShape();
  bool pointwise = filterShape[2] == 1 && filterShape[3] == 1;
  if (filterShape[1] < lanes && !pointwise)
    return true;
  return pointwise && llvm::all_of(conv.strides, [](int64_t s) { return s == 1; }) &&
         conv.resultType().getDimSize(3) >= 8 * lanes;
}

/// Whether the rules compute `conv` (which can run direct) as a transposed direct convolution,
/// on a target of `lanes` f32 lanes: whole vectors of filters, rows of at least 8 positions,
/// and either output positions that vectors do not divide (a 14x14 map's 196) or a stem's
/// few channels with at least 8 vectors' worth of taps. As a product, a 14x14 map's rows
/// start inside cache lines and leave a narrow column block (192 + 4); the transposed
/// convolution broadcasts the positions instead. Each of its blocks ends in transposes and
/// an epilogue of 32 vectors, which a reduction of few taps does not amortize. Measured in
/// ResNet-50 and MobileNetV2 on an Intel Xeon (Emerald Rapids): the 1x1 convolutions of 14x14
/// maps 0.77-0.92x the product's time; ResNet-50's 7x7 stem (147 taps) 0.87x the direct
/// convolution's, MobileNetV2's 3x3 one (27 taps) 1.6x; on 28x28 and 56x56 maps, which
/// vectors divide, 1.0-1.45x.
bool transposedDirectFirst(const Convolution &conv, int64_t lanes) {
  ArrayRef<int64_t> filterShape = tensorType(conv.filter).getShape();
  RankedTensorType resultType = conv.resultType();
  int64_t positions = resultType.getDimSize(2) * resultType.getDimSize(3);
  int64_t taps = filterShape[1] * filterShape[2] * filterShape[3];
  if (filterShape[0] % lanes != 0 || resultType.getDimSize(3) < 8)
    return false;
  bool stem = filterShape[1] < lanes && filterShape[2] * filterShape[3] > 1;
  return (positions % lanes != 0 && positions >= 8 * lanes) || (stem && taps >= 8 * lanes);
}

/// `input` [N, C, H, W] with zeros added on the right up to `width` columns: the padding of the
/// graph lowering's tensor.pad widened when the input is one, so the input is copied once.
Value padRight(OpBuilder &b, Location loc, Value input, int64_t width) {
  RankedTensorType type = tensorType(input);
  SmallVector<int64_t> shape(type.getShape());
  int64_t extra = width - shape[3];
  shape[3] = width;
  Value source = input;
  SmallVector<OpFoldResult> low(4, b.getIndexAttr(0)), high(4, b.getIndexAttr(0));
  auto pad = input.getDefiningOp<tensor::PadOp>();
  if (pad && pad.getConstantPaddingValue() &&
      matchPattern(pad.getConstantPaddingValue(), m_AnyZeroFloat()) &&
      llvm::all_of(pad.getMixedHighPad(),
                   [](OpFoldResult v) { return getConstantIntValue(v).has_value(); })) {
    source = pad.getSource();
    low = pad.getMixedLowPad();
    high = pad.getMixedHighPad();
    extra += *getConstantIntValue(high[3]);
  }
  high[3] = b.getIndexAttr(extra);
  return tensor::PadOp::create(b, loc, RankedTensorType::get(shape, type.getElementType()),
                               source, low, high, zeroOf(b, loc, type.getElementType()));
}

/// `conv` as the direct convolution of DirectConvolution.h, starting from its start, on a
/// target of `lanes` f32 lanes: the input padded on the right for whole vectors of positions
/// and split into the phases of its stride along the width.
Value lowerAsDirect(OpBuilder &b, Location loc, const Convolution &conv, const Start &start,
                    int64_t lanes) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType resultType = conv.resultType(), inputType = tensorType(conv.input);
  int64_t stride = conv.strides[1];
  int64_t phaseWidth = std::max(
      directconv::phaseWidth(int64_t(llvm::alignTo(resultType.getDimSize(3), lanes)),
                             tensorType(conv.filter).getDimSize(3), stride, conv.dilations[1]),
      int64_t(llvm::divideCeil(inputType.getDimSize(3), stride)));
  Value input = conv.input;
  if (phaseWidth * stride > inputType.getDimSize(3))
    input = padRight(b, loc, input, phaseWidth * stride);
  SmallVector<int64_t> phasesShape(inputType.getShape().take_front(3));
  phasesShape.append({stride, phaseWidth});
  auto phasesType = RankedTensorType::get(phasesShape, inputType.getElementType());
  Value phases;
  if (stride == 1) {
    SmallVector<ReassociationIndices> groups{{0}, {1}, {2}, {3, 4}};
    phases = tensor::ExpandShapeOp::create(b, loc, phasesType, input, groups);
  } else {
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    phases = linalg::GenericOp::create(
                 b, loc, phasesType, input, emptyTensor(b, loc, phasesType),
                 ArrayRef<AffineMap>{
                     AffineMap::get(5, 0, {d(0), d(1), d(2), d(4) * stride + d(3)}, ctx),
                     b.getMultiDimIdentityMap(5)},
                 iterators(5, {}),
                 [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
                   linalg::YieldOp::create(nested, nestedLoc, args[0]);
                 })
                 .getResult(0);
  }
  Value init = buildStart(b, loc, start, resultType, [](Value init) { return init; });
  return linalg::GenericOp::create(b, loc, resultType, ValueRange{phases, conv.filter}, init,
                                   directconv::maps(ctx, conv.strides, conv.dilations),
                                   iterators(7, {4, 5, 6}), multiplyAddBody)
      .getResult(0);
}

/// `conv` as the transposed direct convolution of DirectConvolution.h: the named
/// convolution's own generic over its (padded) input, starting from its start.
Value lowerAsTransposedDirect(OpBuilder &b, Location loc, const Convolution &conv,
                              const Start &start) {
  RankedTensorType resultType = conv.resultType();
  Value init = buildStart(b, loc, start, resultType, [](Value init) { return init; });
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{conv.input, conv.filter}, init,
             directconv::transposedMaps(b.getContext(), conv.strides, conv.dilations),
             iterators(7, {4, 5, 6}), multiplyAddBody)
      .getResult(0);
}

/// The names of the strategies an f32 convolution can run as, which dlc tune measures and
/// tuning files (targets::kTuningAttr) choose by.
constexpr llvm::StringLiteral kWinogradF4 = "winograd-f4x4", kWinogradF2 = "winograd-f2x2",
                              kProduct = "product", kTransposedProduct = "transposed-product",
                              kDirect = "direct", kTransposedDirect = "transposed-direct";

/// The shape of `conv` as tuning files key it: the padded input, the filters, the result,
/// strides, dilations and element type ("conv 1x512x9x9 2048x512x3x3 1x2048x7x7 s1x1 d1x1
/// f32"). Convolutions with equal keys run the same code.
std::string tuningKey(const Convolution &conv) {
  auto list = [](ArrayRef<int64_t> values) {
    SmallVector<std::string> items;
    for (int64_t value : values)
      items.push_back(std::to_string(value));
    return llvm::join(items, "x");
  };
  auto shape = [&](Value value) { return list(tensorType(value).getShape()); };
  std::string type;
  llvm::raw_string_ostream os(type);
  os << conv.resultType().getElementType();
  return "conv " + shape(conv.input) + " " + shape(conv.filter) + " " +
         shape(conv.op->getResult(0)) + " s" + list(conv.strides) + " d" +
         list(conv.dilations) + " " + type;
}

/// Rewrites one convolution with the strategy its shape calls for, on a target whose vectors
/// hold `lanes` f32 lanes (the products' column blocks are one or two vectors wide) and whose L2
/// cache holds `l2Bytes`, or with the strategy `tuning` (the function's targets::kTuningAttr)
/// names for its shape.
void lowerConvolution(OpBuilder &b, const Convolution &conv, int64_t lanes, int64_t l2Bytes,
                      DictionaryAttr tuning) {
  Location loc = conv.op->getLoc();
  b.setInsertionPoint(conv.op);
  Start start = readStart(conv.init);
  RankedTensorType resultType = conv.resultType();
  Value result;
  if (DenseElementsAttr dotFilters = dotFiltersOf(conv)) {
    recordStrategy(conv.op, "dot-product blocks",
                   "int8 or bf16 operands with constant filters: vpdpbusd or vdpbf16ps");
    result = addStart(b, loc,
                      tensor::ExpandShapeOp::create(
                          b, loc, resultType, lowerAsDotProduct(b, loc, conv, dotFilters),
                          SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}}),
                      start);
    conv.op->getResult(0).replaceAllUsesWith(result);
    conv.op->erase();
    return;
  }
  // The candidates, and the strategy the rules choose with its reason.
  DenseElementsAttr winogradFilters = cpu::winogradFilters(conv);
  int64_t filters = resultType.getDimSize(1);
  int64_t positions = 1, rows = 1;
  for (int64_t d = 2; d < resultType.getRank(); ++d)
    positions *= resultType.getDimSize(d);
  for (int64_t d = 1; d < tensorType(conv.filter).getRank(); ++d)
    rows *= tensorType(conv.filter).getDimSize(d);
  SmallVector<std::string> candidates;
  if (winogradFilters)
    candidates = {kWinogradF4.str(), kWinogradF2.str()};
  candidates.push_back(kProduct.str());
  // The transposed product packs the filters into panels of two vectors.
  if (filters % (2 * lanes) == 0)
    candidates.push_back(kTransposedProduct.str());
  bool direct = canRunDirect(conv);
  if (direct)
    candidates.push_back(kDirect.str());
  // The transposed direct convolution runs whole vectors of filters.
  if (direct && filters % lanes == 0)
    candidates.push_back(kTransposedDirect.str());
  bool view = llvm::all_of(tensorType(conv.filter).getShape().drop_front(2),
                           [](int64_t k) { return k == 1; }) &&
              llvm::all_of(conv.strides, [](int64_t s) { return s == 1; });
  std::string columns = view ? "1x1 stride 1: the input itself, no copy" : "im2col columns";
  std::string strategy, why;
  const winograd::Variant *variant = winogradFilters ? winogradVariantOf(conv, lanes) : nullptr;
  if (variant) {
    strategy = variant == &winograd::kF4x4 ? kWinogradF4.str() : kWinogradF2.str();
    why = "3x3 stride 1 with constant filters, at least " +
          std::to_string(minimumWinogradTiles(lanes)) + " output tiles of " +
          std::to_string(variant->outputTile) + "x" + std::to_string(variant->outputTile);
  } else if (direct && transposedDirectFirst(conv, lanes)) {
    strategy = kTransposedDirect.str();
    why = positions % lanes != 0
              ? std::to_string(positions) + " output positions, not a multiple of " +
                    std::to_string(lanes) + " lanes, in rows of " +
                    std::to_string(resultType.getDimSize(3))
              : std::to_string(rows) + " taps of " +
                    std::to_string(tensorType(conv.filter).getDimSize(1)) +
                    " channels: whole vectors of filters instead";
  } else if (direct && directFirst(conv, lanes)) {
    strategy = kDirect.str();
    ArrayRef<int64_t> filterShape = tensorType(conv.filter).getShape();
    why = filterShape[1] < lanes
              ? std::to_string(filterShape[1]) + " channels: im2col columns " +
                    std::to_string(filterShape[2] * filterShape[3]) +
                    " taps long, read in place instead"
              : "1x1 stride 1 on rows of " + std::to_string(resultType.getDimSize(3)) +
                    " positions, at least 8 vectors";
  } else {
    // Few output positions that vectors do not divide (7x7 = 49) would leave a narrow, mostly
    // scalar column block as large as the rest; the product is computed transposed instead,
    // with filters (whole panels of two vectors, dlc-cpu-pack-constant-operands) along the
    // vectors. With up to 8 vectors of positions (49 on AVX2: 6 vectors and one position) the
    // narrow block is small, but it reads all the filters again: transposed, the product of
    // 512 channels to 2048 on 7x7 took 0.77x the time on a Zen 3. There only where the
    // filters' panels (two vectors by C*K.. rows) fit a quarter of L2, so the reduction is not
    // cut into chunks, each of which would read and write the transposed accumulators again
    // (a 3x3 convolution of 512 filters on 7x7, 4608 rows: 1.06x the time). With more
    // positions the transposes cost more than the narrow block (1x1 convolutions of 256
    // channels to 1024 on 14x14 with their batch norm, 196 = 192 + 4 positions: 1.28x the
    // time transposed, dlc tune on a Zen 3).
    int64_t panelBytes = rows * 2 * lanes * resultType.getElementTypeBitWidth() / 8;
    bool transposed = positions % lanes != 0 && filters % (2 * lanes) == 0 &&
                      (positions < 4 * lanes ||
                       (positions < 8 * lanes && panelBytes <= l2Bytes / 4));
    strategy = transposed ? kTransposedProduct.str() : kProduct.str();
    why = columns;
    if (transposed) {
      why = std::to_string(positions) + " output positions, not a multiple of " +
            std::to_string(lanes) + " lanes";
      if (positions >= 4 * lanes)
        why += ", filter panels of " + std::to_string(panelBytes >> 10) +
               " KiB within a quarter of L2";
      why += "; " + columns;
    }
  }
  // A tuning file's choice for this shape, where it is one of the candidates.
  std::string key = tuningKey(conv);
  if (auto tuned = tuning ? tuning.getAs<StringAttr>(key) : StringAttr()) {
    if (llvm::is_contained(candidates, tuned.getValue().str())) {
      strategy = tuned.getValue().str();
      why = "tuning file: measured fastest of " + std::to_string(candidates.size()) +
            " candidates";
    } else {
      why += "; the tuning file's " + tuned.getValue().str() + " does not apply";
    }
  }
  if (strategy == kWinogradF4 || strategy == kWinogradF2) {
    const winograd::Variant &chosen = strategy == kWinogradF4 ? winograd::kF4x4 : winograd::kF2x2;
    recordStrategy(conv.op, std::string("Winograd ") + chosen.name, why, key, strategy,
                   candidates);
    result = lowerAsWinograd(b, loc, conv, winogradFilters, start, chosen);
  } else if (strategy == kDirect) {
    recordStrategy(conv.op, "direct (positions along the vectors, the input read in place)", why,
                   key, strategy, candidates);
    result = lowerAsDirect(b, loc, conv, start, lanes);
  } else if (strategy == kTransposedDirect) {
    recordStrategy(conv.op,
                   "transposed direct (filters along the vectors, the input read in place)", why,
                   key, strategy, candidates);
    result = lowerAsTransposedDirect(b, loc, conv, start);
  } else {
    bool transposed = strategy == kTransposedProduct;
    recordStrategy(conv.op,
                   transposed ? "transposed product (filters along the vectors)"
                              : "product (positions along the vectors)",
                   why, key, strategy, candidates);
    Value col = im2col(b, loc, conv);
    Value filter = collapseTrailing(b, loc, conv.filter, 1);
    Value product =
        transposed ? addStart(b, loc, lowerAsTransposedProduct(b, loc, conv, col, filter), start)
                   : lowerAsProduct(b, loc, conv, col, filter, start);
    ReassociationIndices positionsGroup;
    for (int64_t d = 2; d < resultType.getRank(); ++d)
      positionsGroup.push_back(d);
    result = tensor::ExpandShapeOp::create(
        b, loc, resultType, product, SmallVector<ReassociationIndices>{{0}, {1}, positionsGroup});
  }
  conv.op->getResult(0).replaceAllUsesWith(result);
  conv.op->erase();
}

struct LowerConvolutionsPass : impl::LowerConvolutionsPassBase<LowerConvolutionsPass> {
  using Base::Base;

  void runOnOperation() override {
    // The ops are collected first and described one at a time: a convolution may read the
    // result of one rewritten before it.
    SmallVector<Operation *> convolutions;
    SmallVector<Depthwise> depthwise;
    getOperation().walk([&](Operation *op) {
      if (matchConvolution(op) &&
          llvm::all_of(op->getOperandTypes(), llvm::IsaPred<RankedTensorType>))
        convolutions.push_back(op);
      else if (auto generic = dyn_cast<linalg::GenericOp>(op))
        if (std::optional<Depthwise> conv = matchDepthwise(generic))
          depthwise.push_back(*conv);
    });
    OpBuilder b(&getContext());
    auto tuning = getOperation()->getAttrOfType<DictionaryAttr>(targets::kTuningAttr);
    for (Operation *op : convolutions)
      lowerConvolution(b, *matchConvolution(op), lanes, l2Bytes, tuning);
    for (Depthwise &conv : depthwise)
      lowerDepthwise(b, conv);
  }
};

} // namespace
} // namespace dlc::cpu
