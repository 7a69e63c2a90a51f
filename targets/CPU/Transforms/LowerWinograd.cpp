// Winograd F(4x4, 3x3) and F(2x2, 3x3) convolutions for dlc-cpu-lower-convolutions (see
// Winograd.h).
#include "targets/CPU/Transforms/ConvolutionLowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace dlc::cpu::convolutions {

namespace {

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

} // namespace

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

} // namespace dlc::cpu::convolutions
