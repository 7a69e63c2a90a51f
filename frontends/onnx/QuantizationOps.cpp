// Importers of ONNX's quantized ops, expanded into float and integer graph ops: QuantizeLinear,
// DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv.
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"
#include "frontends/onnx/Tensors.h"

#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// `param` (a scale or zero point) shaped to broadcast against `x`: a scalar as it is, a 1-D
/// tensor along dimension `axis` of `x`.
Value alongAxis(NodeContext &ctx, Value param, Value x, int64_t axis) {
  ArrayRef<int64_t> shape = shapeOf(param);
  if (shape.empty() || (shape.size() == 1 && shape[0] == 1))
    return ctx.reshape(param, {});
  SmallVector<int64_t> broadcast(shapeOf(x).size(), 1);
  broadcast[axis] = shape[0];
  return ctx.reshape(param, broadcast);
}

/// x - zeroPoint (when given), both cast to `element` first.
Value shifted(Expansion &e, Value x, Value zeroPoint, Type element) {
  Value value = e.cast(x, element);
  return zeroPoint ? e.apply<graph::SubOp>(value, e.cast(zeroPoint, element)) : value;
}

/// (x - zeroPoint) * scale in the scale's float type.
Value dequantize(Expansion &e, Value x, Value scale, Value zeroPoint) {
  return e.apply<graph::MulOp>(shifted(e, x, zeroPoint, getElementTypeOrSelf(scale)), scale);
}

/// round(x / scale) + zeroPoint (x itself rounded without a scale), saturated to `element` (an
/// 8-bit integer type) and cast to it.
Value quantize(Expansion &e, Value x, Value scale, Value zeroPoint, Type element) {
  Value value = e.apply<graph::RoundOp>(scale ? e.apply<graph::DivOp>(x, scale) : x);
  if (zeroPoint)
    value = e.apply<graph::AddOp>(value, e.cast(zeroPoint, getElementTypeOrSelf(x)));
  bool isUnsigned = element.isUnsignedInteger();
  unsigned width = element.getIntOrFloatBitWidth();
  double low = isUnsigned ? 0 : -std::ldexp(1.0, width - 1);
  double high = isUnsigned ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  return e.cast(e.clip(value, low, high), element);
}

/// The axis of per-axis scales (attribute `axis`, default 1) normalized for `x`; unused (0) when
/// `scale` is one value.
FailureOr<int64_t> quantizationAxis(NodeContext &ctx, Value x, Value scale) {
  if (ShapedType::getNumElements(shapeOf(scale)) == 1)
    return 0;
  int64_t rank = shapeOf(x).size();
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 1), std::max<int64_t>(rank, 1));
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  int64_t scales = ShapedType::getNumElements(shapeOf(scale));
  if (shapeOf(scale).size() != 1 || rank == 0 || shapeOf(x)[*axis] != scales)
    return ctx.fail("has " + Twine(scales) + " scales for axis " + Twine(*axis) + " of size " +
                    Twine(rank == 0 ? 0 : shapeOf(x)[*axis]) +
                    ": per-axis parameters need one value per element along the axis");
  return *axis;
}

/// The !quant.uniform type of `x`'s 8-bit integers with the constant parameters `scale` and
/// `zeroPoint` (absent: 0), per tensor (one scale) or along `axis`; null when they are not
/// such (other widths, a scale of another type than `expressed`, values out of range).
quant::QuantizedType constantQuantization(Type storage, Type expressed, DenseElementsAttr scale,
                                          std::optional<DenseElementsAttr> zeroPoint,
                                          int64_t axis) {
  if (!storage.isInteger(8) || !scale || scale.getElementType() != expressed ||
      (zeroPoint && (!*zeroPoint || zeroPoint->getElementType() != storage ||
                     zeroPoint->getNumElements() != scale.getNumElements())))
    return {};
  SmallVector<double> scales;
  for (const APFloat &value : scale.getValues<APFloat>())
    scales.push_back(value.convertToDouble());
  SmallVector<int64_t> zeroPoints(scales.size(), 0);
  if (zeroPoint)
    for (auto [i, value] : llvm::enumerate(zeroPoint->getValues<APInt>()))
      zeroPoints[i] = storage.isUnsignedInteger() ? int64_t(value.getZExtValue())
                                                  : value.getSExtValue();
  std::optional<int32_t> along;
  if (scales.size() != 1)
    along = int32_t(axis);
  return graph::quantizationType(storage, expressed, scales, zeroPoints, along);
}

/// The quantization of `integers` by the node's constant scale (input `scaleInput`) and zero
/// point (the input after it, where given), or null: DequantizeLinear's input 0 and
/// QuantizeLinear's output 0 by inputs 1 and 2, QLinearConv's output by inputs 6 and 7.
quant::QuantizedType nodeQuantization(NodeContext &ctx, Type integers, Type floats,
                                      int64_t axis, int scaleInput = 1) {
  int zeroInput = scaleInput + 1;
  std::optional<DenseElementsAttr> scale = ctx.constantInput(scaleInput);
  std::optional<DenseElementsAttr> zeroPoint =
      ctx.hasInput(zeroInput) ? ctx.constantInput(zeroInput) : std::nullopt;
  if (!scale || (ctx.hasInput(zeroInput) && !zeroPoint))
    return {};
  return constantQuantization(integers, floats, *scale, zeroPoint, axis);
}

LogicalResult importDequantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  FailureOr<int64_t> axis = quantizationAxis(ctx, x, ctx.input(1));
  if (failed(axis))
    return failure();
  Type floats = getElementTypeOrSelf(ctx.input(1));
  if (!isa<FloatType>(floats))
    return ctx.fail("expects a floating-point scale");
  if (Type zero = ctx.hasInput(2) ? getElementTypeOrSelf(ctx.input(2)) : Type();
      zero && zero != getElementTypeOrSelf(x)) {
    return ctx.fail("has a zero point of type " + onnxTypeName(zero) + " for an input of type " +
                    onnxTypeName(getElementTypeOrSelf(x)) + ": they must be the same type");
  }
  // With constant parameters, a graph.dequantize: an op reading it can use the integers.
  if (quant::QuantizedType type = nodeQuantization(ctx, getElementTypeOrSelf(x), floats, *axis)) {
    ctx.setOutput(0, ctx.create<graph::DequantizeOp>(
                         RankedTensorType::get(shapeOf(x), floats), x, type));
    return success();
  }
  Expansion e(ctx);
  Value scale = alongAxis(ctx, ctx.input(1), x, *axis);
  Value zeroPoint = ctx.hasInput(2) ? alongAxis(ctx, ctx.input(2), x, *axis) : Value();
  ctx.setOutput(0, dequantize(e, x, scale, zeroPoint));
  return success();
}

LogicalResult importQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  FailureOr<int64_t> axis = quantizationAxis(ctx, x, ctx.input(1));
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(axis) || failed(type))
    return failure();
  Type element = type->getElementType();
  if (!isa<FloatType>(getElementTypeOrSelf(x)) || !element.isInteger(8))
    return ctx.fail("expects a floating-point input quantized to 8-bit integers");
  Type floats = getElementTypeOrSelf(x);
  // With constant parameters, a graph.quantize: quantizing what a graph.dequantize of the same
  // parameters produced folds to its integers (activations stay integers across max pooling),
  // and a requantization folds into the scaling before it (graph.quantize's canonicalization).
  if (quant::QuantizedType quantization = nodeQuantization(ctx, element, floats, *axis)) {
    ctx.setOutput(0, ctx.create<graph::QuantizeOp>(*type, x, quantization));
    return success();
  }
  Expansion e(ctx);
  Value scale = alongAxis(ctx, ctx.input(1), x, *axis);
  Value zeroPoint = ctx.hasInput(2) ? alongAxis(ctx, ctx.input(2), x, *axis) : Value();
  ctx.setOutput(0, quantize(e, x, scale, zeroPoint, element));
  return success();
}

/// DynamicQuantizeLinear: uint8 quantization over the range of x widened to include 0:
/// scale = (max - min) / 255, zero point = saturate(round(-min / scale)).
LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (!getElementTypeOrSelf(x).isF32())
    return ctx.fail("expects a float input");
  Expansion e(ctx);
  auto scalarType = RankedTensorType::get({}, getElementTypeOrSelf(x));
  auto all = llvm::to_vector(llvm::seq<int64_t>(0, shapeOf(x).size()));
  Value min = ctx.create<graph::ReduceMinOp>(scalarType, x, all, false);
  Value max = ctx.create<graph::ReduceMaxOp>(scalarType, x, all, false);
  min = e.apply<graph::MinOp>(min, 0.0);
  max = e.apply<graph::MaxOp>(max, 0.0);
  Value scale = e.apply<graph::DivOp>(e.apply<graph::SubOp>(max, min), 255.0);
  auto u8 = IntegerType::get(ctx.context(), 8, IntegerType::Unsigned);
  Value zeroPoint = quantize(e, e.apply<graph::NegOp>(min), scale, Value(), u8);
  ctx.setOutput(0, quantize(e, x, scale, zeroPoint, u8));
  ctx.setOutput(1, scale);
  ctx.setOutput(2, zeroPoint);
  return success();
}

/// The inferred result type of a matrix product of `a` and `b` (both of rank >= 2).
FailureOr<RankedTensorType> productType(NodeContext &ctx, Value a, Value b) {
  if (shapeOf(a).size() < 2 || shapeOf(b).size() < 2)
    return ctx.fail("expects operands of rank >= 2");
  return ctx.outputType(0);
}

/// Whether `zeroPoint` is absent or a constant of zeros.
bool isZero(Value zeroPoint) {
  if (!zeroPoint)
    return true;
  auto constant = zeroPoint.getDefiningOp<graph::ConstantOp>();
  auto values = constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
  return values && isa<IntegerType>(values.getElementType()) &&
         llvm::all_of(values.getValues<APInt>(), [](const APInt &v) { return v.isZero(); });
}

/// The int32 sums over dimension -2 of `b` (kept as size 1) when it is a constant matrix of
/// 8-bit integers, computed now; null otherwise.
Value constantColumnSums(NodeContext &ctx, Value b) {
  auto constant = b.getDefiningOp<graph::ConstantOp>();
  auto values = constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
  if (!values || values.getType().getRank() != 2 || !values.getElementType().isInteger(8))
    return Value();
  int64_t columns = values.getType().getDimSize(1);
  bool isUnsigned = values.getElementType().isUnsignedInteger();
  std::vector<int32_t> sums(columns, 0);
  int64_t i = 0;
  for (const APInt &value : values.getValues<APInt>()) {
    sums[i % columns] += int32_t(isUnsigned ? value.getZExtValue() : value.getSExtValue());
    ++i;
  }
  auto type = RankedTensorType::get({1, columns}, IntegerType::get(ctx.context(), 32));
  return ctx.constant(DenseElementsAttr::get(type, ArrayRef<int32_t>(sums)));
}

/// `matrix` [A, B] transposed to [B, A].
DenseElementsAttr transposed(DenseElementsAttr matrix) {
  auto type = matrix.getType();
  int64_t rows = type.getDimSize(0), columns = type.getDimSize(1);
  auto result = RankedTensorType::get({columns, rows}, type.getElementType());
  if (matrix.isSplat())
    return matrix.reshape(result);
  SmallVector<APInt> values(matrix.getValues<APInt>());
  SmallVector<APInt> out(values.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c)
      out[c * rows + r] = values[r * columns + c];
  return DenseElementsAttr::get(result, out);
}

/// (A - za)(B - zb) in int32 (`type`), computed as the product of the 8-bit operands
/// themselves (the kernels' int8 x int8 -> int32 form) corrected by the zero points:
/// A B - za colsum(B) - zb rowsum(A) + K za zb. Each term is left out when its zero point is
/// absent or zero, as it is for symmetric weights. A zero point may hold one value per row of
/// A (per column of B).
Value integerProduct(NodeContext &ctx, Expansion &e, RankedTensorType type, Value a,
                     Value aZero, Value b, Value bZero) {
  auto i32 = IntegerType::get(ctx.context(), 32);
  int64_t aRank = shapeOf(a).size(), bRank = shapeOf(b).size(), k = shapeOf(a).back();
  Value product = ctx.create<graph::MatMulOp>(type, a, b);
  Value za = isZero(aZero) ? Value() : e.cast(alongAxis(ctx, aZero, a, aRank - 2), i32);
  Value zb = isZero(bZero) ? Value() : e.cast(alongAxis(ctx, bZero, b, bRank - 1), i32);
  if (za) {
    Value columnSums = constantColumnSums(ctx, b);
    if (!columnSums)
      columnSums = e.reduceKept<graph::ReduceSumOp>(e.cast(b, i32), {bRank - 2});
    product = e.apply<graph::SubOp>(product, e.apply<graph::MulOp>(za, columnSums));
  }
  if (zb) {
    Value rowSums = e.reduceKept<graph::ReduceSumOp>(e.cast(a, i32), {aRank - 1});
    product = e.apply<graph::SubOp>(product, e.apply<graph::MulOp>(zb, rowSums));
  }
  if (za && zb)
    product = e.apply<graph::AddOp>(
        product, e.apply<graph::MulOp>(e.apply<graph::MulOp>(za, zb), double(k)));
  return product;
}

/// integerProduct of `shape` times `scale` (one value, or one per column) in `element`: how a
/// quantized product returns to the float values it stands for.
Value scaledProduct(NodeContext &ctx, Expansion &e, ArrayRef<int64_t> shape, Type element,
                    Value a, Value aZero, Value b, Value bZero, Value scale) {
  auto i32 = IntegerType::get(ctx.context(), 32);
  Value acc = integerProduct(ctx, e, RankedTensorType::get(shape, i32), a, aZero, b, bZero);
  return e.apply<graph::MulOp>(e.cast(acc, element), scale);
}

/// MatMulInteger: (A - a_zero_point) x (B - b_zero_point) in int32.
LogicalResult importMatMulInteger(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1);
  FailureOr<RankedTensorType> type = productType(ctx, a, b);
  if (failed(type))
    return failure();
  Expansion e(ctx);
  ctx.setOutput(0, integerProduct(ctx, e, *type, a, ctx.input(2), b, ctx.input(3)));
  return success();
}

/// QLinearMatMul: the integer product of the operands less their zero points, as onnxruntime
/// computes it, requantized: round(acc * (a_scale * b_scale / y_scale)) + y_zero_point,
/// saturated. b_scale may hold one value per column.
LogicalResult importQLinearMatMul(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(3);
  FailureOr<RankedTensorType> type = productType(ctx, a, b);
  if (failed(type))
    return failure();
  Expansion e(ctx);
  int64_t bRank = shapeOf(b).size();
  Value scale = e.apply<graph::DivOp>(
      e.apply<graph::MulOp>(ctx.reshape(ctx.input(1), {}),
                            alongAxis(ctx, ctx.input(4), b, bRank - 1)),
      ctx.reshape(ctx.input(6), {}));
  Value scaled = scaledProduct(ctx, e, type->getShape(), getElementTypeOrSelf(scale), a,
                               ctx.input(2), b, ctx.input(5), scale);
  Value yZero = ctx.hasInput(7) ? ctx.reshape(ctx.input(7), {}) : Value();
  ctx.setOutput(0, quantize(e, scaled, Value(), yZero, type->getElementType()));
  return success();
}

} // namespace

std::optional<Value> quantizedProduct(NodeContext &ctx, bool transposeRhs) {
  if (!ctx.integerKernels())
    return std::nullopt;
  std::optional<Dequantized> lhs = ctx.dequantizedInput(0), rhs = ctx.dequantizedInput(1);
  // The integer kernels take constant weights; a product of two activations (attention's)
  // stays a float one.
  if (!lhs || !rhs || !rhs->quantized.getDefiningOp<graph::ConstantOp>())
    return std::nullopt;
  Value weights = rhs->quantized;
  int64_t columnAxis = 1;
  if (transposeRhs && shapeOf(weights).size() == 2) {
    auto values = cast<DenseElementsAttr>(
        weights.getDefiningOp<graph::ConstantOp>().getValue());
    weights = ctx.constant(transposed(values));
    columnAxis = 0; // the parameters' axis in the weights as given
  }
  ArrayRef<int64_t> lhsShape = shapeOf(lhs->quantized), rhsShape = shapeOf(weights);
  int64_t columns = rhsShape.empty() ? 0 : rhsShape.back();
  auto perTensor = [](DenseElementsAttr attr) { return !attr || attr.getNumElements() == 1; };
  // The activations' parameters are one value; the weights' one value or one per column.
  auto perColumn = [&](DenseElementsAttr attr) {
    return perTensor(attr) || (rhs->axis == columnAxis && attr.getNumElements() == columns);
  };
  if (lhsShape.size() < 2 || rhsShape.size() != 2 || lhsShape.back() != rhsShape.front() ||
      !perTensor(lhs->scale) || !perTensor(lhs->zeroPoint) || !perColumn(rhs->scale) ||
      !perColumn(rhs->zeroPoint) || !lhs->scale.getElementType().isF32() ||
      !rhs->scale.getElementType().isF32())
    return std::nullopt;
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type) || !type->getElementType().isF32())
    return std::nullopt;
  Expansion e(ctx);
  Value lhsZero = lhs->zeroPoint ? ctx.reshape(ctx.constant(lhs->zeroPoint), {}) : Value();
  Value rhsZero = rhs->zeroPoint ? ctx.constant(rhs->zeroPoint) : Value();
  // The product of the scales, one per column or one in all: computed at compile time.
  Value rhsScale = ctx.constant(rhs->scale);
  if (rhs->scale.getNumElements() == 1)
    rhsScale = ctx.reshape(rhsScale, {});
  Value scale = e.apply<graph::MulOp>(rhsScale, ctx.reshape(ctx.constant(lhs->scale), {}));
  return scaledProduct(ctx, e, type->getShape(), type->getElementType(), lhs->quantized,
                       lhsZero, weights, rhsZero, scale);
}

namespace {

/// `values` quantized to symmetric int8 per channel: element i belongs to channel
/// channelOf(i); each channel's scale maps its largest magnitude to 127.
std::pair<std::vector<int8_t>, std::vector<float>>
symmetricInt8(ArrayRef<float> values, int64_t channels,
              llvm::function_ref<int64_t(int64_t)> channelOf) {
  std::vector<float> scales(channels, 0.0f);
  for (auto [i, value] : llvm::enumerate(values))
    scales[channelOf(i)] = std::max(scales[channelOf(i)], std::fabs(value));
  for (float &scale : scales)
    scale = scale > 0 ? scale / 127.0f : 1.0f;
  std::vector<int8_t> quantized(values.size());
  for (auto [i, value] : llvm::enumerate(values))
    quantized[i] =
        int8_t(std::clamp(std::nearbyint(value / scales[channelOf(i)]), -127.0f, 127.0f));
  return {quantized, scales};
}

/// An activation with a calibrated range quantized to uint8 over that range widened to hold 0
/// (as onnxruntime's MinMax calibration does): the integers, their scale and zero point (as a
/// number and as the uint8 scalar the quantization used).
struct CalibratedInput {
  Value quantized;
  float scale;
  double zeroPoint;
  Value zeroPointValue;
};
CalibratedInput quantizeCalibrated(NodeContext &ctx, Expansion &e, Value x,
                                   std::pair<double, double> range) {
  double low = std::min(range.first, 0.0), high = std::max(range.second, 0.0);
  float scale = high > low ? float((high - low) / 255.0) : 1.0f;
  double zero = std::clamp(std::nearbyint(-low / scale), 0.0, 255.0);
  auto u8 = IntegerType::get(ctx.context(), 8, IntegerType::Unsigned);
  Value zeroPoint = ctx.scalar(u8, zero);
  quant::QuantizedType type = graph::quantizationType(u8, Float32Type::get(ctx.context()),
                                                      {double(scale)}, {int64_t(zero)});
  Value q = ctx.create<graph::QuantizeOp>(RankedTensorType::get(shapeOf(x), u8), x, type);
  return {q, scale, zero, zeroPoint};
}

} // namespace

std::optional<Value> calibratedProduct(NodeContext &ctx, bool transposeRhs) {
  std::optional<std::pair<double, double>> range = ctx.calibratedRange(0);
  std::optional<DenseElementsAttr> weights = ctx.constantInput(1);
  Value x = ctx.input(0);
  if (!range || !weights || !weights->getElementType().isF32() ||
      weights->getType().getRank() != 2 || shapeOf(x).size() < 2 ||
      !getElementTypeOrSelf(x).isF32())
    return std::nullopt;
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type) || !type->getElementType().isF32())
    return std::nullopt;
  ArrayRef<int64_t> shape = weights->getType().getShape();
  int64_t k = transposeRhs ? shape[1] : shape[0], n = transposeRhs ? shape[0] : shape[1];
  if (shapeOf(x).back() != k)
    return std::nullopt;
  // Weights [K, N] (transposed from [N, K] when asked), per column symmetric int8.
  SmallVector<float> w(weights->getValues<float>());
  if (transposeRhs) {
    SmallVector<float> given(w);
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < n; ++c)
        w[r * n + c] = given[c * k + r];
  }
  auto [quantized, columnScale] = symmetricInt8(w, n, [&](int64_t i) { return i % n; });
  Builder b(ctx.context());
  Expansion e(ctx);
  CalibratedInput input = quantizeCalibrated(ctx, e, x, *range);
  Value rhs = ctx.constant(DenseElementsAttr::get(
      RankedTensorType::get({k, n}, b.getI8Type()), ArrayRef<int8_t>(quantized)));
  std::vector<float> productScale(n);
  for (int64_t c = 0; c < n; ++c)
    productScale[c] = columnScale[c] * input.scale;
  Value scales = ctx.constant(DenseElementsAttr::get(RankedTensorType::get({n}, b.getF32Type()),
                                                     ArrayRef<float>(productScale)));
  return scaledProduct(ctx, e, type->getShape(), type->getElementType(), input.quantized,
                       input.zeroPointValue, rhs, Value(), scales);
}

/// The int32 sums of the node's convolution of the 8-bit `x` less its zero point `xZero` (one
/// value, or null for 0) by the constant int8 filters `weights` (zero point 0): the integer
/// convolution the kernels run, less zx * sum(w) per filter. A null value where it does not
/// apply (other types, groups other than depthwise ones, not 2-D).
FailureOr<Value> integerSums(NodeContext &ctx, Expansion &e, Value x, DenseElementsAttr xZero,
                             Value weights) {
  auto constant = weights.getDefiningOp<graph::ConstantOp>();
  auto filter = constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
  ArrayRef<int64_t> inShape = shapeOf(x);
  if (!filter || !filter.getElementType().isSignlessInteger(8) || inShape.size() != 4 ||
      filter.getType().getRank() != 4 || !getElementTypeOrSelf(x).isInteger(8) ||
      (xZero && xZero.getNumElements() != 1))
    return Value();
  FailureOr<ConvWindow> window = convolutionWindow(ctx, x, weights);
  if (failed(window))
    return failure();
  // Ungrouped, or depthwise (one input and one output channel per group): the int8 kernels'
  // two forms. Other groups keep the float convolution.
  int64_t filters = filter.getType().getDimSize(0);
  bool depthwise = window->group == inShape[1] && filters == window->group &&
                   filter.getType().getDimSize(1) == 1;
  if (window->group != 1 && !depthwise)
    return Value();

  // The input as int8: uint8 values shifted by -128 (and their zero point with them), which
  // the kernels undo for free where their instruction wants unsigned bytes.
  MLIRContext *context = ctx.context();
  auto i8 = IntegerType::get(context, 8), i32 = IntegerType::get(context, 32);
  Value input = x;
  int64_t zero = xZero ? xZero.getValues<APInt>()[0].getSExtValue() : 0;
  if (xZero && xZero.getElementType().isUnsignedInteger())
    zero = int64_t(xZero.getValues<APInt>()[0].getZExtValue());
  if (getElementTypeOrSelf(input).isUnsignedInteger(8)) {
    zero -= 128;
    input = e.cast(e.apply<graph::SubOp>(e.cast(input, i32), 128.0), i8);
  }
  // Padding holds the zero point, so every window sums the same number of zero-point terms.
  int64_t spatial = int64_t(inShape.size()) - 2;
  SmallVector<int64_t> low(2, 0), high(2, 0), padded(inShape);
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(window->pads[i]);
    high.push_back(window->pads[spatial + i]);
    padded[2 + i] += low.back() + high.back();
  }
  if (llvm::any_of(window->pads, [](int64_t pad) { return pad != 0; }))
    input = ctx.create<graph::PadOp>(RankedTensorType::get(padded, i8), input, low, high,
                                     SmallVector<int64_t>(inShape.size(), 0), "constant",
                                     IntegerAttr::get(i8, zero));
  Value acc = ctx.create<graph::ConvOp>(RankedTensorType::get(window->outputShape, i32), input,
                                        weights, Value(), window->strides, window->dilations,
                                        SmallVector<int64_t>(2 * spatial, 0), window->group);
  if (zero == 0)
    return acc;
  // sum((x - zx) w) = sum(x w) - zx sum(w), per filter.
  SmallVector<int8_t> values(filter.getValues<int8_t>());
  int64_t perFilter = int64_t(values.size()) / filters;
  std::vector<int32_t> correction(filters, 0);
  for (int64_t f = 0; f < filters; ++f)
    for (int64_t i = 0; i < perFilter; ++i)
      correction[f] += int32_t(zero) * values[f * perFilter + i];
  SmallVector<int64_t> perChannel{filters};
  perChannel.append(spatial, 1);
  return e.apply<graph::SubOp>(
      acc, ctx.constant(DenseElementsAttr::get(RankedTensorType::get(perChannel, i32),
                                               ArrayRef<int32_t>(correction))));
}

/// The int8 convolution of what `x` and `w` dequantize (see quantizedConvolution), scaled back
/// to f32, plus `bias` (f32, one per filter, or null); a null value where it does not apply.
/// The caller knows the result is wanted in f32.
FailureOr<Value> integerConvolution(NodeContext &ctx, const std::optional<Dequantized> &x,
                                    const std::optional<Dequantized> &w, Value bias) {
  if (!x || !w)
    return Value();
  auto isZeroPoint = [](DenseElementsAttr zero) {
    return !zero ||
           llvm::all_of(zero.getValues<APInt>(), [](const APInt &v) { return v.isZero(); });
  };
  ArrayRef<int64_t> filterShape = shapeOf(w->quantized);
  int64_t filters = filterShape.empty() ? 0 : filterShape[0];
  if (x->scale.getNumElements() != 1 || !isZeroPoint(w->zeroPoint) ||
      !x->scale.getElementType().isF32() || !w->scale.getElementType().isF32() ||
      (w->scale.getNumElements() != 1 &&
       (w->axis != 0 || w->scale.getNumElements() != filters)))
    return Value();
  Expansion e(ctx);
  FailureOr<Value> acc = integerSums(ctx, e, x->quantized, x->zeroPoint, w->quantized);
  if (failed(acc) || !*acc)
    return acc;
  // The scales, per filter.
  MLIRContext *context = ctx.context();
  std::vector<float> scale(filters);
  float xScale = x->scale.getValues<float>()[0];
  for (int64_t f = 0; f < filters; ++f)
    scale[f] = xScale * w->scale.getValues<float>()[w->scale.getNumElements() == 1 ? 0 : f];
  SmallVector<int64_t> perChannel{filters};
  perChannel.append(filterShape.size() - 2, 1);
  Value result = e.apply<graph::MulOp>(
      e.cast(*acc, Float32Type::get(context)),
      ctx.constant(DenseElementsAttr::get(
          RankedTensorType::get(perChannel, Float32Type::get(context)), ArrayRef<float>(scale))));
  if (bias) {
    if (shapeOf(bias) != ArrayRef<int64_t>{filters} || !getElementTypeOrSelf(bias).isF32())
      return ctx.fail("expects a bias of " + Twine(filters) + " f32 values");
    result = e.apply<graph::AddOp>(result, ctx.reshape(bias, perChannel));
  }
  return result;
}

FailureOr<Value> quantizedConvolution(NodeContext &ctx) {
  if (!ctx.integerKernels())
    return Value();
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  if (!type->getElementType().isF32())
    return Value();
  return integerConvolution(ctx, ctx.dequantizedInput(0), ctx.dequantizedInput(1),
                            ctx.hasInput(2) ? ctx.input(2) : Value());
}

FailureOr<Value> calibratedConvolution(NodeContext &ctx) {
  std::optional<std::pair<double, double>> range = ctx.calibratedRange(0);
  std::optional<DenseElementsAttr> weights = ctx.constantInput(1);
  Value x = ctx.input(0);
  if (!range || !weights || !weights->getElementType().isF32() ||
      weights->getType().getRank() != 4 || !getElementTypeOrSelf(x).isF32())
    return Value();
  // A depthwise convolution (one channel per filter) takes int8 only where a plan says so: its
  // input's one scale must serve channels whose ranges differ widely (PP-OCR recognition: int8
  // everywhere read 193 of 200 lines as fp32 with them, 195 without), so --precision=auto
  // weighs each against the budget.
  if (weights->getType().getDimSize(1) == 1 && shapeOf(x).size() == 4 && shapeOf(x)[1] > 1 &&
      !ctx.hasPrecisionPlan())
    return Value();
  // Filters per output channel symmetric int8, the input uint8 over its calibrated range.
  MLIRContext *context = ctx.context();
  int64_t filters = weights->getType().getDimSize(0);
  int64_t perFilter = weights->getNumElements() / filters;
  SmallVector<float> values(weights->getValues<float>());
  auto [quantized, scales] =
      symmetricInt8(values, filters, [&](int64_t i) { return i / perFilter; });
  auto i8 = IntegerType::get(context, 8), u8 = IntegerType::get(context, 8, IntegerType::Unsigned);
  auto f32 = Float32Type::get(context);
  Expansion e(ctx);
  CalibratedInput input = quantizeCalibrated(ctx, e, x, *range);
  Value filter = ctx.constant(DenseElementsAttr::get(
      RankedTensorType::get(weights->getType().getShape(), i8), ArrayRef<int8_t>(quantized)));
  auto one = [&](Type type) { return RankedTensorType::get({1}, type); };
  Dequantized dx{input.quantized, DenseElementsAttr::get(one(f32), input.scale),
                 DenseElementsAttr::get(one(u8), APInt(8, uint64_t(input.zeroPoint))), 0};
  Dequantized dw{filter,
                 DenseElementsAttr::get(RankedTensorType::get({filters}, f32),
                                        ArrayRef<float>(scales)),
                 DenseElementsAttr(), 0};
  return integerConvolution(ctx, dx, dw, ctx.hasInput(2) ? ctx.input(2) : Value());
}

std::optional<Value> quantizedMaxPool(NodeContext &ctx, RankedTensorType type,
                                      ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  std::optional<Dequantized> x = ctx.dequantizedInput(0);
  if (!x || x->scale.getNumElements() != 1 || !x->scale.getElementType().isF32() ||
      x->scale.getValues<float>()[0] <= 0 ||
      (x->zeroPoint && x->zeroPoint.getNumElements() != 1))
    return std::nullopt;
  auto pooledType = type.clone(getElementTypeOrSelf(x->quantized));
  Value pooled = ctx.create<graph::MaxPoolOp>(pooledType, x->quantized, kernel, strides,
                                              dilations, pads);
  auto dequantize = ctx.input(0).getDefiningOp<graph::DequantizeOp>();
  return ctx.create<graph::DequantizeOp>(type, pooled, dequantize.getQuantization()).getResult();
}

namespace {

/// ConvInteger: the f32 convolution of the zero-point-shifted operands (exact while the sums
/// stay below 2^24, as they do for 8-bit operands and up to 256 products), then int32. A filter
/// zero point may hold one value per filter.
LogicalResult importConvInteger(NodeContext &ctx) {
  Expansion e(ctx);
  Value x = ctx.input(0), w = ctx.input(1);
  // Constant int8 filters with a zero point of 0 and a constant input zero point: the int8
  // kernels' sums, exact.
  std::optional<DenseElementsAttr> constantXZero =
      ctx.hasInput(2) ? ctx.constantInput(2) : std::optional<DenseElementsAttr>(nullptr);
  std::optional<DenseElementsAttr> constantWZero =
      ctx.hasInput(3) ? ctx.constantInput(3) : std::optional<DenseElementsAttr>(nullptr);
  if (ctx.integerKernels() && constantXZero && constantWZero &&
      (!*constantWZero || llvm::all_of(constantWZero->getValues<APInt>(), [](const APInt &v) {
        return v.isZero();
      }))) {
    FailureOr<Value> sums = integerSums(ctx, e, x, *constantXZero, w);
    if (failed(sums))
      return failure();
    if (*sums) {
      ctx.setOutput(0, *sums);
      return success();
    }
  }
  auto f32 = Float32Type::get(ctx.context());
  Value xZero = ctx.hasInput(2) ? alongAxis(ctx, ctx.input(2), x, 1) : Value();
  Value wZero = ctx.hasInput(3) ? alongAxis(ctx, ctx.input(3), w, 0) : Value();
  Value input = shifted(e, x, xZero, f32);
  FailureOr<Value> result = convolution(ctx, input, shifted(e, w, wZero, f32), Value());
  if (failed(result))
    return failure();
  ctx.setOutput(0, e.cast(*result, IntegerType::get(ctx.context(), 32)));
  return success();
}

/// QLinearConv on the int8 kernels, where its parameters and filters are constants (the filters
/// int8 with a zero point of 0) and its bias, if any, a constant: the integer convolution
/// scaled back to float with the bias (bias * x_scale * w_scale), requantized with y's scale
/// and zero point folded into one multiply and add, as onnxruntime applies them. A null value
/// where that does not apply.
FailureOr<Value> quantizedLinearConvolution(NodeContext &ctx, Type element) {
  if (!ctx.integerKernels())
    return Value();
  std::optional<DenseElementsAttr> xScale = ctx.constantInput(1), xZero = ctx.constantInput(2),
                                   wScale = ctx.constantInput(4), wZero = ctx.constantInput(5);
  std::optional<DenseElementsAttr> bias =
      ctx.hasInput(8) ? ctx.constantInput(8) : std::optional<DenseElementsAttr>(nullptr);
  Value w = ctx.input(3);
  if (!xScale || !xZero || !wScale || !wZero || !bias || !w.getDefiningOp<graph::ConstantOp>() ||
      !xScale->getElementType().isF32() || !wScale->getElementType().isF32() ||
      xScale->getNumElements() != 1)
    return Value();
  std::optional<Dequantized> x = Dequantized{ctx.input(0), *xScale, *xZero, 1};
  std::optional<Dequantized> filters = Dequantized{w, *wScale, *wZero, 0};
  Value floatBias;
  if (*bias) {
    int64_t count = bias->getNumElements();
    if (!bias->getElementType().isSignlessInteger(32) ||
        (wScale->getNumElements() != 1 && wScale->getNumElements() != count))
      return Value();
    std::vector<float> values(count);
    float sx = xScale->getValues<float>()[0];
    for (auto [f, b] : llvm::enumerate(bias->getValues<int32_t>()))
      values[f] = float(b) * (sx * wScale->getValues<float>()[
                                       wScale->getNumElements() == 1 ? 0 : f]);
    floatBias = ctx.constant(DenseElementsAttr::get(
        RankedTensorType::get({count}, Float32Type::get(ctx.context())),
        ArrayRef<float>(values)));
  }
  FailureOr<Value> scaled = integerConvolution(ctx, x, filters, floatBias);
  if (failed(scaled) || !*scaled)
    return scaled;
  quant::QuantizedType quantization =
      nodeQuantization(ctx, element, Float32Type::get(ctx.context()), 0, /*scaleInput=*/6);
  if (quantization && quantization.getExpressedType() == getElementTypeOrSelf(*scaled))
    return ctx.create<graph::QuantizeOp>(RankedTensorType::get(shapeOf(*scaled), element),
                                         *scaled, quantization)
        .getResult();
  Expansion e(ctx);
  Value yZeroPoint = ctx.hasInput(7) ? ctx.reshape(ctx.input(7), {}) : Value();
  return quantize(e, *scaled, ctx.reshape(ctx.input(6), {}), yZeroPoint, element);
}

/// QLinearConv: the float convolution of the dequantized operands plus the int32 bias scaled by
/// x_scale * w_scale, quantized with y's scale and zero point.
LogicalResult importQLinearConv(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  FailureOr<Value> integer = quantizedLinearConvolution(ctx, type->getElementType());
  if (failed(integer))
    return failure();
  if (*integer) {
    ctx.setOutput(0, *integer);
    return success();
  }
  Expansion e(ctx);
  Value x = ctx.input(0), w = ctx.input(3);
  Value xScale = alongAxis(ctx, ctx.input(1), x, 1);
  Value input = dequantize(e, x, xScale, alongAxis(ctx, ctx.input(2), x, 1));
  Value filter = dequantize(e, w, alongAxis(ctx, ctx.input(4), w, 0),
                            alongAxis(ctx, ctx.input(5), w, 0));
  Value bias;
  if (ctx.hasInput(8)) {
    int64_t scales = ShapedType::getNumElements(shapeOf(ctx.input(4)));
    Value biasScale = e.apply<graph::MulOp>(ctx.reshape(ctx.input(4), {scales}), xScale);
    bias = dequantize(e, ctx.input(8), biasScale, Value());
  }
  FailureOr<Value> result = convolution(ctx, input, filter, bias);
  if (failed(result))
    return failure();
  ctx.setOutput(0, quantize(e, *result, ctx.reshape(ctx.input(6), {}),
                            ctx.hasInput(7) ? ctx.reshape(ctx.input(7), {}) : Value(),
                            type->getElementType()));
  return success();
}

} // namespace

void registerQuantizationOps(OpTable &table) {
  table["DequantizeLinear"] = importDequantizeLinear;
  table["QuantizeLinear"] = importQuantizeLinear;
  table["DynamicQuantizeLinear"] = importDynamicQuantizeLinear;
  table["MatMulInteger"] = importMatMulInteger;
  table["QLinearMatMul"] = importQLinearMatMul;
  table["ConvInteger"] = importConvInteger;
  table["QLinearConv"] = importQLinearConv;
}

} // namespace dlc::onnx_frontend
