// Direct f32 convolutions for dlc-cpu-lower-convolutions, the input read in place: positions
// along the vectors, or transposed, filters along the vectors (see DirectConvolution.h).
#include "targets/CPU/Transforms/ConvolutionLowering.h"

#include "targets/CPU/Transforms/DirectConvolution.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace dlc::cpu::convolutions {

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
/// vectors divide, about 1.0-1.2x (profiles of separate runs, which differ by up to 7%).
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

namespace {

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

} // namespace

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

} // namespace dlc::cpu::convolutions
