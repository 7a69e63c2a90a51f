// Lowers graph.conv (3x3, stride 1: Winograd transforms around batched matrix products;
// other ungrouped ones: im2col + a matrix product; grouped: a direct window loop),
// graph.max_pool and graph.avg_pool to tensor.pad plus linalg.generic.
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "compiler/Conversion/GraphToLinalg/Winograd.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cstring>

using namespace mlir;
using namespace dlc::graph;

namespace dlc::conversion {
namespace {

/// Begin/end paddings for all dimensions of [N, C, D1..Dk]: none on N and C, `pads` on the
/// spatial ones, plus `extraEnd` more at the end of each spatial dimension.
std::pair<SmallVector<int64_t>, SmallVector<int64_t>>
fullPads(ArrayRef<int64_t> pads, ArrayRef<int64_t> extraEnd) {
  int64_t spatial = pads.size() / 2;
  SmallVector<int64_t> low{0, 0}, high{0, 0};
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(pads[i]);
    high.push_back(pads[spatial + i] + extraEnd[i]);
  }
  return {low, high};
}

/// The expression `out * stride + window * dilation` indexing a padded spatial dimension.
AffineExpr windowIndex(unsigned outDim, unsigned windowDim, int64_t stride, int64_t dilation,
                       MLIRContext *ctx) {
  return getAffineDimExpr(outDim, ctx) * stride + getAffineDimExpr(windowDim, ctx) * dilation;
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = signlessType(op.getType());
    Type elementType = resultType.getElementType();
    int64_t spatial = resultType.getRank() - 2, group = op.getGroup();
    int64_t filters = resultType.getDimSize(1);

    // [N, C, D..] -> padded [N, G, C/G, D'..]; [F, C/G, K..] -> [G, F/G, C/G, K..].
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    auto [low, high] = fullPads(op.getPads(), SmallVector<int64_t>(spatial, 0));
    Value input = padTensor(rewriter, loc, adaptor.getInput(), low, high, zero);
    input = splitDim(rewriter, loc, input, 1, group);
    Value filter = splitDim(rewriter, loc, adaptor.getFilter(), 0, group);

    // Iteration space: n, g, f, c, k1..kk, o1..ok.
    unsigned n = 0, g = 1, f = 2, c = 3, k0 = 4, o0 = 4 + spatial;
    SmallVector<AffineExpr> inExprs{getAffineDimExpr(n, ctx), getAffineDimExpr(g, ctx),
                                    getAffineDimExpr(c, ctx)};
    SmallVector<AffineExpr> filterExprs{getAffineDimExpr(g, ctx), getAffineDimExpr(f, ctx),
                                        getAffineDimExpr(c, ctx)};
    SmallVector<AffineExpr> outExprs{getAffineDimExpr(n, ctx), getAffineDimExpr(g, ctx),
                                     getAffineDimExpr(f, ctx)};
    for (int64_t i = 0; i < spatial; ++i) {
      inExprs.push_back(windowIndex(o0 + i, k0 + i, op.getStrides()[i], op.getDilations()[i], ctx));
      filterExprs.push_back(getAffineDimExpr(k0 + i, ctx));
      outExprs.push_back(getAffineDimExpr(o0 + i, ctx));
    }
    unsigned numDims = 4 + 2 * spatial;
    SmallVector<AffineMap> maps{AffineMap::get(numDims, 0, inExprs, ctx),
                                AffineMap::get(numDims, 0, filterExprs, ctx),
                                AffineMap::get(numDims, 0, outExprs, ctx)};
    SmallVector<int64_t> reductions{c};
    for (int64_t i = 0; i < spatial; ++i)
      reductions.push_back(k0 + i);

    // The accumulator starts as the bias broadcast over [N, G, F/G, O..], or zero.
    SmallVector<int64_t> groupedShape{resultType.getDimSize(0), group, filters / group};
    llvm::append_range(groupedShape, resultType.getShape().drop_front(2));
    auto groupedType = RankedTensorType::get(groupedShape, elementType);
    Value init;
    if (Value bias = adaptor.getBias()) {
      Value groupedBias = splitDim(rewriter, loc, bias, 0, group);
      init = buildElementwise(rewriter, loc, groupedType, groupedBias,
                              [](OpBuilder &, Location, ValueRange args) { return args[0]; });
      // Broadcasting aligns trailing dims; bias [G, F/G] must align with dims 1 and 2 instead.
      cast<linalg::GenericOp>(init.getDefiningOp())
          .setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(
              {AffineMap::get(groupedType.getRank(), 0,
                              {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx),
               rewriter.getMultiDimIdentityMap(groupedType.getRank())}));
    } else {
      init = filledTensor(rewriter, loc, groupedType, zero);
    }

    auto conv = linalg::GenericOp::create(
        rewriter, loc, groupedType, ValueRange{input, filter}, init, maps,
        iteratorTypes(numDims, reductions),
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value product = combine(b, nestedLoc, Combiner::Mul, args[0], args[1]);
          linalg::YieldOp::create(b, nestedLoc,
                                  combine(b, nestedLoc, Combiner::Add, args[2], product));
        });
    SmallVector<ReassociationIndices> merge{{0}, {1, 2}};
    for (int64_t i = 0; i < spatial; ++i)
      merge.push_back({3 + i});
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, resultType, conv.getResult(0), merge);
    return success();
  }
};

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

/// The indexing of a bias [F] in an iteration over a convolution result [N, F, ...] of `rank`
/// dimensions.
AffineMap filterBiasMap(int64_t rank, MLIRContext *ctx) {
  return AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
}

/// The initial value of a convolution result [N, F, ...] (a product [N, F, P], or the tiled
/// output of a Winograd transform): the bias broadcast along the filters, or zero without a
/// bias.
Value productInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias, Value zero) {
  if (!bias)
    return filledTensor(b, loc, type, zero);
  int64_t rank = type.getRank();
  return linalg::GenericOp::create(
             b, loc, type, bias, emptyTensor(b, loc, type),
             ArrayRef<AffineMap>{filterBiasMap(rank, b.getContext()),
                                 b.getMultiDimIdentityMap(rank)},
             iteratorTypes(rank, {}), [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
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

/// out[n, f, p] = sum_r filter[f, r] * col[n, r, p] + bias[f], computed with the roles of the
/// operands exchanged: col is the left-hand side (positions are the rows of the register
/// blocks) and the filter, transposed at compile time to filterT[r, f], the right-hand side
/// that dlc-cpu-pack-constant-operands packs, so filters run along the vectors. The result is
/// still written as out[n, f, p]: each register block is stored transposed.
Value transposedProduct(OpBuilder &b, Location loc, Value filter, Value col, Value bias,
                        Value zero) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType colType = tensorType(col);
  int64_t batch = colType.getDimSize(0), positions = colType.getDimSize(2);
  int64_t filters = tensorType(filter).getDimSize(0);
  auto outType = RankedTensorType::get({batch, filters, positions}, colType.getElementType());
  // The product starts from zero, not from the bias: its register blocks then start from a
  // constant instead of reading a filled buffer transposed, element by element; the bias is
  // added after, in the elementwise pass that follows (fused with the activation).
  Value init = filledTensor(b, loc, outType, zero);
  // Iteration space (n, p, f, r): col[n, r, p] * filterT[r, f] -> out[n, f, p].
  AffineExpr n = getAffineDimExpr(0, ctx), p = getAffineDimExpr(1, ctx),
             f = getAffineDimExpr(2, ctx), r = getAffineDimExpr(3, ctx);
  auto product = linalg::GenericOp::create(
      b, loc, outType, ValueRange{col, transpose2D(b, loc, filter)}, init,
      ArrayRef<AffineMap>{AffineMap::get(4, 0, {n, r, p}, ctx), AffineMap::get(4, 0, {r, f}, ctx),
                          AffineMap::get(4, 0, {n, f, p}, ctx)},
      iteratorTypes(4, {3}), [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value term = combine(nested, nestedLoc, Combiner::Mul, args[0], args[1]);
        linalg::YieldOp::create(nested, nestedLoc,
                                combine(nested, nestedLoc, Combiner::Add, args[2], term));
      });
  if (!bias)
    return product.getResult(0);
  AffineMap identity = b.getMultiDimIdentityMap(3);
  return linalg::GenericOp::create(
             b, loc, outType, ValueRange{product.getResult(0), bias},
             emptyTensor(b, loc, outType),
             ArrayRef<AffineMap>{identity, filterBiasMap(3, ctx), identity},
             iteratorTypes(3, {}),
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               linalg::YieldOp::create(
                   nested, nestedLoc,
                   combine(nested, nestedLoc, Combiner::Add, args[0], args[1]));
             })
      .getResult(0);
}

/// An ungrouped convolution as a matrix product (the CPU's fast path for contractions):
///   col[n, (c, k..), (o..)] = padded[n, c, o*s + k*d]      (im2col; a view for 1x1, stride 1)
///   out[n, f, (o..)]        = sum_r filter[f, r] * col[n, r, (o..)] + bias[f]
/// Rows of the product are filters, its contiguous columns are output positions.
struct ConvAsMatmulLowering : OpConversionPattern<ConvOp> {
  ConvAsMatmulLowering(MLIRContext *ctx) : OpConversionPattern(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (op.getGroup() != 1)
      return rewriter.notifyMatchFailure(op, "grouped convolutions use the direct lowering");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = signlessType(op.getType());
    Type elementType = resultType.getElementType();
    int64_t spatial = resultType.getRank() - 2;
    ArrayRef<int64_t> kernel = tensorType(adaptor.getFilter()).getShape().drop_front(2);
    ArrayRef<int64_t> outSpatial = resultType.getShape().drop_front(2);
    int64_t batch = resultType.getDimSize(0), filters = resultType.getDimSize(1);
    int64_t channels = tensorType(adaptor.getInput()).getDimSize(1);

    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    auto [low, high] = fullPads(op.getPads(), SmallVector<int64_t>(spatial, 0));
    Value padded = padTensor(rewriter, loc, adaptor.getInput(), low, high, zero);
    bool pointwise = llvm::all_of(kernel, [](int64_t k) { return k == 1; }) &&
                     llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; });
    Value col;
    if (pointwise) {
      col = collapseTrailing(rewriter, loc, padded, 2);
    } else {
      // col over (n, c, k.., o..) reads padded[n, c, o*s + k*d].
      int64_t rank = 2 + 2 * spatial;
      SmallVector<int64_t> colShape{batch, channels};
      llvm::append_range(colShape, kernel);
      llvm::append_range(colShape, outSpatial);
      SmallVector<AffineExpr> inExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
      for (int64_t i = 0; i < spatial; ++i)
        inExprs.push_back(windowIndex(2 + spatial + i, 2 + i, op.getStrides()[i],
                                      op.getDilations()[i], ctx));
      auto colType = RankedTensorType::get(colShape, elementType);
      auto gather = linalg::GenericOp::create(
          rewriter, loc, colType, padded, emptyTensor(rewriter, loc, colType),
          ArrayRef<AffineMap>{AffineMap::get(rank, 0, inExprs, ctx),
                              rewriter.getMultiDimIdentityMap(rank)},
          iteratorTypes(rank, {}), [](OpBuilder &b, Location nestedLoc, ValueRange args) {
            linalg::YieldOp::create(b, nestedLoc, args[0]);
          });
      // [n, c, k.., o..] -> [n, (c k..), (o..)]
      SmallVector<ReassociationIndices> groups{{0}, {}, {}};
      for (int64_t d = 1; d <= 1 + spatial; ++d)
        groups[1].push_back(d);
      for (int64_t d = 2 + spatial; d < rank; ++d)
        groups[2].push_back(d);
      col = tensor::CollapseShapeOp::create(rewriter, loc, gather.getResult(0), groups);
    }
    Value filter = collapseTrailing(rewriter, loc, adaptor.getFilter(), 1);
    int64_t positions = tensorType(col).getDimSize(2);
    // Few output positions that vectors of 16 do not divide (7x7 = 49) would leave a narrow,
    // mostly scalar column block as large as the rest; the product is computed transposed
    // instead, with filters (a multiple of 32) along the vectors, and transposed back. (With
    // more positions the narrow block is a small part, and the transposes cost more.)
    if (positions % 16 != 0 && positions < 64 && filters % 32 == 0) {
      Value product = transposedProduct(rewriter, loc, filter, col, adaptor.getBias(), zero);
      ReassociationIndices positionsGroup;
      for (int64_t d = 2; d < resultType.getRank(); ++d)
        positionsGroup.push_back(d);
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, resultType, product, SmallVector<ReassociationIndices>{{0}, {1}, positionsGroup});
      return success();
    }
    auto productType = RankedTensorType::get({batch, filters, positions}, elementType);

    // Iteration space (n, f, r, p): filter[f, r] * col[n, r, p] -> out[n, f, p].
    AffineExpr n = getAffineDimExpr(0, ctx), f = getAffineDimExpr(1, ctx),
               r = getAffineDimExpr(2, ctx), p = getAffineDimExpr(3, ctx);
    Value init =
        productInit(rewriter, loc, productType, adaptor.getBias(), zero);
    auto product = linalg::GenericOp::create(
        rewriter, loc, productType, ValueRange{filter, col}, init,
        ArrayRef<AffineMap>{AffineMap::get(4, 0, {f, r}, ctx), AffineMap::get(4, 0, {n, r, p}, ctx),
                            AffineMap::get(4, 0, {n, f, p}, ctx)},
        iteratorTypes(4, {2}), [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value term = combine(b, nestedLoc, Combiner::Mul, args[0], args[1]);
          linalg::YieldOp::create(b, nestedLoc,
                                  combine(b, nestedLoc, Combiner::Add, args[2], term));
        });
    ReassociationIndices positionsGroup;
    for (int64_t d = 2; d < resultType.getRank(); ++d)
      positionsGroup.push_back(d);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, product.getResult(0),
        SmallVector<ReassociationIndices>{{0}, {1}, positionsGroup});
    return success();
  }
};

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

/// The transformed filters U[a * 4 + b, f, c] = (G g[f, c] G^T)[a, b] of 3x3 f32 filters
/// [F, C, 3, 3], computed at compile time.
DenseElementsAttr winogradFilters(DenseElementsAttr filters, int64_t numFilters,
                                  int64_t channels) {
  using namespace winograd;
  auto values = filters.getValues<float>();
  std::vector<float> transformed(kAlpha * kAlpha * numFilters * channels);
  for (int64_t f = 0; f < numFilters; ++f)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t base = (f * channels + c) * kKernel * kKernel;
      float half[kAlpha][kKernel] = {}; // G g
      for (int64_t a = 0; a < kAlpha; ++a)
        for (int64_t s = 0; s < kKernel; ++s)
          for (int64_t r = 0; r < kKernel; ++r)
            half[a][s] += kFilterMatrix[a][r] * values[base + r * kKernel + s];
      for (int64_t a = 0; a < kAlpha; ++a)
        for (int64_t bb = 0; bb < kAlpha; ++bb) {
          float sum = 0;
          for (int64_t s = 0; s < kKernel; ++s)
            sum += half[a][s] * kFilterMatrix[bb][s];
          transformed[((a * kAlpha + bb) * numFilters + f) * channels + c] = sum;
        }
    }
  auto type = RankedTensorType::get({kAlpha * kAlpha, numFilters, channels},
                                    Float32Type::get(filters.getContext()));
  return DenseElementsAttr::get(type, ArrayRef<float>(transformed));
}

/// A 3x3, stride-1 convolution with constant f32 filters as Winograd F(2x2, 3x3) (see
/// Winograd.h), tiles of 2x2 outputs along the columns of 16 batched matrix products:
///   V[a, b, c, (n, ty, tx)]  = (B^T d B)[a, b]         input transform, per 4x4 input tile
///   M[a, b, f, (n, ty, tx)]  = sum_c U[a, b, f, c] * V[a, b, c, (n, ty, tx)]
///   Y[n, f, 2ty + i, 2tx + j] = bias[f] + (A^T M A)[i, j]   output transform
/// The products take 16 multiply-adds per 2x2 outputs and channel pair where im2col takes 36.
/// Odd output sizes compute one more row or column and drop it. Convolutions with fewer than
/// 16 channels or filters keep im2col, whose product is then too small to matter, and so do
/// those with fewer than 32 tiles: the transformed filters are 16/9 the size of the filters,
/// and with few columns per filter row the products wait on memory for them (ResNet-50's
/// 3x3 convolutions on 7x7 maps, 16 tiles, were slower in the model than with im2col).
struct WinogradConvLowering : OpConversionPattern<ConvOp> {
  WinogradConvLowering(MLIRContext *ctx) : OpConversionPattern(ctx, /*benefit=*/3) {}
  LogicalResult matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    using namespace winograd;
    auto resultType = signlessType(op.getType());
    auto filterType = tensorType(adaptor.getFilter());
    DenseElementsAttr filters;
    if (resultType.getRank() != 4 || op.getGroup() != 1 ||
        !resultType.getElementType().isF32() || filterType.getDimSize(2) != kKernel ||
        filterType.getDimSize(3) != kKernel ||
        llvm::any_of(op.getStrides(), [](int64_t s) { return s != 1; }) ||
        llvm::any_of(op.getDilations(), [](int64_t d) { return d != 1; }) ||
        !matchPattern(adaptor.getFilter(), m_Constant(&filters)))
      return rewriter.notifyMatchFailure(op, "not a 3x3 stride-1 convolution of constants");
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Type f32 = rewriter.getF32Type();
    int64_t batch = resultType.getDimSize(0), numFilters = resultType.getDimSize(1);
    int64_t height = resultType.getDimSize(2), width = resultType.getDimSize(3);
    int64_t channels = filterType.getDimSize(1);
    int64_t tileRows = llvm::divideCeil(height, kOutputTile);
    int64_t tileCols = llvm::divideCeil(width, kOutputTile);
    int64_t tiles = batch * tileRows * tileCols;
    if (channels < 16 || numFilters < 16 || tiles < 32)
      return rewriter.notifyMatchFailure(op, "too few channels or filters for Winograd");

    // Input transform over (a, b, c, n, ty, tx, p, q); an odd output size needs one more
    // padded row or column for its last tile.
    Value zero = scalarConstant(rewriter, loc, f32, 0);
    auto [low, high] = fullPads(
        op.getPads(), {tileRows * kOutputTile - height, tileCols * kOutputTile - width});
    Value padded = padTensor(rewriter, loc, adaptor.getInput(), low, high, zero);
    Value inputMatrix = matrixConstant(rewriter, loc, &kInputMatrix[0][0], kAlpha, kAlpha);
    auto transformedType = RankedTensorType::get(
        {kAlpha, kAlpha, channels, batch, tileRows, tileCols}, f32);
    auto inputTransform = linalg::GenericOp::create(
        rewriter, loc, transformedType, ValueRange{padded, inputMatrix, inputMatrix},
        filledTensor(rewriter, loc, transformedType, zero), inputTransformMaps(ctx),
        iteratorTypes(8, {6, 7}), scaledSumBody);
    SmallVector<ReassociationIndices> toMatrices{{0, 1}, {2}, {3, 4, 5}};
    Value transformed = tensor::CollapseShapeOp::create(
        rewriter, loc, inputTransform.getResult(0), toMatrices);

    // The 16 products over (k, f, c, t).
    Value transformedFilters =
        arith::ConstantOp::create(rewriter, loc, winogradFilters(filters, numFilters, channels));
    auto productType = RankedTensorType::get({kAlpha * kAlpha, numFilters, tiles}, f32);
    AffineExpr k = getAffineDimExpr(0, ctx), f = getAffineDimExpr(1, ctx),
               c = getAffineDimExpr(2, ctx), t = getAffineDimExpr(3, ctx);
    auto product = linalg::GenericOp::create(
        rewriter, loc, productType, ValueRange{transformedFilters, transformed},
        filledTensor(rewriter, loc, productType, zero),
        ArrayRef<AffineMap>{AffineMap::get(4, 0, {k, f, c}, ctx),
                            AffineMap::get(4, 0, {k, c, t}, ctx),
                            AffineMap::get(4, 0, {k, f, t}, ctx)},
        iteratorTypes(4, {2}), [](OpBuilder &b, Location nestedLoc, ValueRange args) {
          Value term = arith::MulFOp::create(b, nestedLoc, args[0], args[1]);
          linalg::YieldOp::create(b, nestedLoc,
                                  arith::AddFOp::create(b, nestedLoc, args[2], term).getResult());
        });

    // Output transform over (n, f, ty, i, tx, j, a, b), starting from the bias.
    Value products = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({kAlpha, kAlpha, numFilters, batch, tileRows,
                                              tileCols}, f32),
        product.getResult(0), toMatrices);
    auto tiledType = RankedTensorType::get(
        {batch, numFilters, tileRows, kOutputTile, tileCols, kOutputTile}, f32);
    Value init = productInit(rewriter, loc, tiledType, adaptor.getBias(), zero);
    Value outputMatrix =
        matrixConstant(rewriter, loc, &kOutputMatrix[0][0], kOutputTile, kAlpha);
    auto outputTransform = linalg::GenericOp::create(
        rewriter, loc, tiledType, ValueRange{products, outputMatrix, outputMatrix}, init,
        outputTransformMaps(ctx), iteratorTypes(8, {6, 7}), scaledSumBody);
    Value result = tensor::CollapseShapeOp::create(
        rewriter, loc, outputTransform.getResult(0),
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}});
    if (tileRows * kOutputTile != height || tileCols * kOutputTile != width)
      result = tensor::ExtractSliceOp::create(
          rewriter, loc, resultType, result,
          SmallVector<OpFoldResult>(4, rewriter.getIndexAttr(0)),
          getAsIndexOpFoldResult(ctx, resultType.getShape()),
          SmallVector<OpFoldResult>(4, rewriter.getIndexAttr(1)));
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Extra end padding so that every window of the result (including a ceil-mode one) is inside
/// the padded input.
template <typename PoolOp> SmallVector<int64_t> ceilModePadding(PoolOp op) {
  ArrayRef<int64_t> in = tensorType(op.getInput()).getShape();
  ArrayRef<int64_t> out = signlessType(op.getType()).getShape();
  int64_t spatial = in.size() - 2;
  SmallVector<int64_t> extra;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t needed = (out[2 + i] - 1) * op.getStrides()[i] +
                     (op.getKernel()[i] - 1) * op.getDilations()[i] + 1;
    int64_t have = in[2 + i] + op.getPads()[i] + op.getPads()[spatial + i];
    extra.push_back(std::max<int64_t>(0, needed - have));
  }
  return extra;
}

/// Builds the window reduction shared by both pools: result[n, c, o..] = combine over the window
/// of padded[n, c, o*s + k*d], starting from `init`.
template <typename PoolOp>
Value poolWindow(OpBuilder &b, PoolOp op, Value input, Value padValue, Value initValue,
                 Combiner kind, bool isUnsigned = false) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto resultType = signlessType(op.getType());
  int64_t spatial = resultType.getRank() - 2;
  auto [low, high] = fullPads(op.getPads(), ceilModePadding(op));
  Value padded = padTensor(b, loc, input, low, high, padValue);

  // Iteration space: n, c, k1..kk, o1..ok; the kernel is a shape-only operand.
  unsigned k0 = 2, o0 = 2 + spatial, numDims = 2 + 2 * spatial;
  SmallVector<AffineExpr> inExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  SmallVector<AffineExpr> windowExprs, outExprs{getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  SmallVector<int64_t> reductions;
  for (int64_t i = 0; i < spatial; ++i) {
    inExprs.push_back(windowIndex(o0 + i, k0 + i, op.getStrides()[i], op.getDilations()[i], ctx));
    windowExprs.push_back(getAffineDimExpr(k0 + i, ctx));
    outExprs.push_back(getAffineDimExpr(o0 + i, ctx));
    reductions.push_back(k0 + i);
  }
  Value window = tensor::EmptyOp::create(b, loc, op.getKernel(), resultType.getElementType());
  Value init = filledTensor(b, loc, resultType, initValue);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{padded, window}, init,
      ArrayRef<AffineMap>{AffineMap::get(numDims, 0, inExprs, ctx),
                          AffineMap::get(numDims, 0, windowExprs, ctx),
                          AffineMap::get(numDims, 0, outExprs, ctx)},
      iteratorTypes(numDims, reductions),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                combine(nested, nestedLoc, kind, args[2], args[0], isUnsigned));
      });
  return generic.getResult(0);
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Type elementType = signlessType(op.getType()).getElementType();
    bool isUnsigned = isUnsignedElement(op.getType());
    Value lowest = lowestValue(rewriter, op.getLoc(), elementType, isUnsigned);
    rewriter.replaceOp(op, poolWindow(rewriter, op, adaptor.getInput(), lowest, lowest,
                                      Combiner::Max, isUnsigned));
    return success();
  }
};

/// For each output position, how many window elements lie inside the input (or inside the
/// explicitly padded input when `countPads`): the divisor of an average pool.
DenseElementsAttr windowCounts(AvgPoolOp op, RankedTensorType countType) {
  ArrayRef<int64_t> in = tensorType(op.getInput()).getShape().drop_front(2);
  ArrayRef<int64_t> out = countType.getShape();
  int64_t spatial = in.size();
  auto floatType = cast<FloatType>(countType.getElementType());
  SmallVector<APFloat> counts;
  SmallVector<int64_t> position(spatial, 0);
  int64_t total = countType.getNumElements();
  for (int64_t linear = 0; linear < total; ++linear) {
    int64_t count = 1;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t lo = op.getCountIncludePad() ? -op.getPads()[i] : 0;
      int64_t hi = in[i] + (op.getCountIncludePad() ? op.getPads()[spatial + i] : 0);
      int64_t inside = 0;
      for (int64_t k = 0; k < op.getKernel()[i]; ++k) {
        int64_t x = position[i] * op.getStrides()[i] + k * op.getDilations()[i] - op.getPads()[i];
        inside += (x >= lo && x < hi);
      }
      count *= inside;
    }
    APFloat value(double(count ? count : 1));
    bool lossy;
    value.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lossy);
    counts.push_back(value);
    for (int64_t i = spatial - 1; i >= 0 && ++position[i] == out[i]; --i)
      position[i] = 0;
  }
  return DenseElementsAttr::get(countType, counts);
}

struct AvgPoolLowering : OpConversionPattern<AvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = signlessType(op.getType());
    Type elementType = resultType.getElementType();
    Value zero = scalarConstant(rewriter, loc, elementType, 0);
    Value sums = poolWindow(rewriter, op, adaptor.getInput(), zero, zero, Combiner::Add);

    auto countType = RankedTensorType::get(resultType.getShape().drop_front(2), elementType);
    Value counts = arith::ConstantOp::create(rewriter, loc, windowCounts(op, countType));
    Value average = buildElementwise(
        rewriter, loc, resultType, ValueRange{sums, counts},
        [&](OpBuilder &b, Location nestedLoc, ValueRange args) {
          return arith::DivFOp::create(b, nestedLoc, args[0], args[1]).getResult();
        });
    rewriter.replaceOp(op, average);
    return success();
  }
};

} // namespace

void populateWindowToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<WinogradConvLowering, ConvAsMatmulLowering, ConvLowering, MaxPoolLowering,
               AvgPoolLowering>(patterns.getContext());
}

} // namespace dlc::conversion
