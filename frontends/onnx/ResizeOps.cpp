// Importers of ONNX Resize and Upsample: each resized dimension becomes gathers of the input at
// compile-time index tables and a weighted sum (nearest: one gather; linear: two; cubic: four).
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// The attributes that say how Resize maps and interpolates.
struct ResizeMode {
  std::string interpolation = "nearest"; // nearest, linear or cubic
  std::string coordinates = "half_pixel"; // coordinate_transformation_mode
  std::string nearest = "round_prefer_floor";
  double cubicA = -0.75;
  bool excludeOutside = false;
};

/// How one output position of a resized dimension reads its input: input indices (clamped into
/// range, as an edge-padded input would give) and their weights. `outside` marks positions that
/// tf_crop_and_resize fills with the extrapolation value.
struct Taps {
  SmallVector<int64_t> index;
  SmallVector<double> weight;
  bool outside = false;
};

/// The input coordinate that output position `x` of a dimension maps to.
double sourceCoordinate(const ResizeMode &m, int64_t x, double scale, int64_t in,
                        double roiStart, double roiEnd) {
  double outWidth = scale * in;
  const std::string &c = m.coordinates;
  if (c == "align_corners")
    return outWidth == 1 ? 0 : x * double(in - 1) / (outWidth - 1);
  if (c == "asymmetric")
    return x / scale;
  if (c == "tf_half_pixel_for_nn")
    return (x + 0.5) / scale;
  if (c == "tf_crop_and_resize") {
    double span = (roiEnd - roiStart) * (in - 1);
    return roiStart * (in - 1) + (outWidth == 1 ? span / 2 : x * span / (outWidth - 1));
  }
  if (c == "pytorch_half_pixel" && outWidth == 1)
    return -0.5;
  return (x + 0.5) / scale - 0.5; // half_pixel, pytorch_half_pixel
}

/// Keys cubic convolution's weights of the four taps around a point at `ratio` in (0, 1] past
/// the second tap.
std::array<double, 4> cubicWeights(double ratio, double a) {
  auto near = [a](double t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };
  auto far = [a](double t) { return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a; };
  return {far(ratio + 1), near(ratio), near(1 - ratio), far(2 - ratio)};
}

Taps tapsFor(const ResizeMode &m, double coordinate, int64_t in) {
  Taps taps;
  if (m.coordinates == "tf_crop_and_resize" && (coordinate < 0 || coordinate > in - 1))
    taps.outside = true;
  // The tap left of the coordinate, with the coordinate in (base, base + 1].
  double floor = std::floor(coordinate);
  int64_t base = coordinate == floor ? int64_t(floor) - 1 : int64_t(floor);
  double ratio = coordinate - base;
  SmallVector<int64_t> positions;
  if (m.interpolation == "nearest") {
    bool up;
    if (ratio == 1)
      up = true;
    else if (m.nearest == "round_prefer_ceil")
      up = ratio >= 0.5;
    else if (m.nearest == "floor")
      up = false;
    else if (m.nearest == "ceil")
      up = true;
    else
      up = ratio > 0.5;
    positions = {base + (up ? 1 : 0)};
    taps.weight = {1};
  } else if (m.interpolation == "linear") {
    positions = {base, base + 1};
    taps.weight = {1 - ratio, ratio};
  } else {
    positions = {base - 1, base, base + 1, base + 2};
    std::array<double, 4> weights = cubicWeights(ratio, m.cubicA);
    taps.weight.assign(weights.begin(), weights.end());
  }
  if (m.excludeOutside) {
    double sum = 0;
    for (auto [position, weight] : llvm::zip_equal(positions, taps.weight)) {
      if (position < 0 || position >= in)
        weight = 0;
      sum += weight;
    }
    for (double &weight : taps.weight)
      weight /= sum;
  }
  for (int64_t position : positions)
    taps.index.push_back(std::clamp<int64_t>(position, 0, in - 1));
  return taps;
}

/// Resizes dimension `dim` of `x` to `outSize` positions.
Value resizeDim(NodeContext &ctx, const ResizeMode &m, Value x, int64_t dim, int64_t outSize,
                double scale, double roiStart, double roiEnd, SmallVector<bool> &outside) {
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t in = shape[dim], rank = shape.size();
  Type element = getElementTypeOrSelf(x);
  SmallVector<Taps> positions;
  for (int64_t i = 0; i < outSize; ++i)
    positions.push_back(
        tapsFor(m, sourceCoordinate(m, i, scale, in, roiStart, roiEnd), in));
  outside.clear();
  for (const Taps &taps : positions)
    outside.push_back(taps.outside);

  SmallVector<int64_t> resized(shape);
  resized[dim] = outSize;
  auto type = RankedTensorType::get(resized, element);
  auto indexType = RankedTensorType::get({outSize}, IntegerType::get(ctx.context(), 64));
  Expansion e(ctx);
  Value sum;
  for (size_t t = 0; t < positions.front().index.size(); ++t) {
    SmallVector<int64_t> indices;
    SmallVector<double> weights;
    for (const Taps &taps : positions) {
      indices.push_back(taps.index[t]);
      weights.push_back(taps.weight[t]);
    }
    Value table = ctx.constant(DenseElementsAttr::get(indexType, ArrayRef<int64_t>(indices)));
    Value gathered = ctx.create<graph::GatherOp>(type, x, table, dim);
    if (m.interpolation == "nearest")
      return gathered;
    Value weighted = e.apply<graph::MulOp>(gathered, e.alongDim(weights, element, dim, rank));
    sum = sum ? e.apply<graph::AddOp>(sum, weighted) : weighted;
  }
  return sum;
}

/// Reads a float constant operand (scales, roi) as doubles; an empty tensor reads as none.
FailureOr<SmallVector<double>> floatsInput(NodeContext &ctx, int i, StringRef what) {
  if (!ctx.hasInput(i))
    return SmallVector<double>();
  std::optional<DenseElementsAttr> constant = ctx.constantInput(i);
  if (!constant || !isa<FloatType>(constant->getElementType()))
    return ctx.fail("operand '" + what + "' must be a floating-point constant");
  SmallVector<double> values;
  for (const APFloat &v : constant->getValues<APFloat>())
    values.push_back(v.convertToDouble());
  return values;
}

/// Resizes `x` to the node's inferred output shape with per-dimension `scales` (empty: the
/// output size over the input size) and `roi` (tf_crop_and_resize).
LogicalResult resize(NodeContext &ctx, const ResizeMode &m, ArrayRef<double> scales,
                     ArrayRef<double> roi, double extrapolation) {
  Value x = ctx.input(0);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  ArrayRef<int64_t> inShape = shapeOf(x), outShape = type->getShape();
  int64_t rank = inShape.size();
  if (!scales.empty() && int64_t(scales.size()) != rank)
    return ctx.fail("scales has " + Twine(scales.size()) + " values for rank " + Twine(rank));
  if (m.coordinates == "tf_crop_and_resize" && int64_t(roi.size()) != 2 * rank)
    return ctx.fail("tf_crop_and_resize needs an roi of " + Twine(2 * rank) + " values");
  if (m.interpolation != "nearest" && !isa<FloatType>(getElementTypeOrSelf(x)))
    return ctx.fail(m.interpolation + " interpolation needs a floating-point input");
  Expansion e(ctx);
  Value result = x, outsideAny;
  for (int64_t d = 0; d < rank; ++d) {
    double scale = scales.empty() ? double(outShape[d]) / inShape[d] : scales[d];
    bool crop = m.coordinates == "tf_crop_and_resize";
    if (inShape[d] == outShape[d] && scale == 1 && !crop)
      continue;
    if (inShape[d] == 0 || outShape[d] == 0 || scale <= 0)
      return ctx.fail("cannot resize dimension " + Twine(d) + " from " + Twine(inShape[d]) +
                      " to " + Twine(outShape[d]));
    SmallVector<bool> outside;
    result = resizeDim(ctx, m, result, d, outShape[d], scale, crop ? roi[d] : 0,
                       crop ? roi[rank + d] : 1, outside);
    if (llvm::is_contained(outside, true)) {
      SmallVector<double> flags(outside.begin(), outside.end());
      Value mask = e.alongDim(flags, IntegerType::get(ctx.context(), 1), d, rank);
      outsideAny = outsideAny ? e.apply<graph::OrOp>(outsideAny, mask) : mask;
    }
  }
  if (outsideAny)
    result = e.select(outsideAny, e.scalar(result, extrapolation), result);
  if (result.getType() != *type)
    return ctx.fail("the resized result does not have the inferred type");
  ctx.setOutput(0, result);
  return success();
}

/// Resize: scales (opset 10) or roi, scales and sizes (opset 11+) as constant operands.
LogicalResult importResize(NodeContext &ctx) {
  ResizeMode m;
  m.interpolation = ctx.stringAttr("mode", "nearest");
  if (m.interpolation != "nearest" && m.interpolation != "linear" && m.interpolation != "cubic")
    return ctx.fail("mode '" + m.interpolation + "' is not nearest, linear or cubic");
  if (ctx.opset() < 11) {
    // Resize-10 maps coordinates as Upsample does.
    m.coordinates = "asymmetric";
    m.nearest = "floor";
    FailureOr<SmallVector<double>> scales = floatsInput(ctx, 1, "scales");
    if (failed(scales))
      return failure();
    return resize(ctx, m, *scales, {}, 0);
  }
  m.coordinates = ctx.stringAttr("coordinate_transformation_mode", "half_pixel");
  static const char *const known[] = {"half_pixel",   "pytorch_half_pixel", "align_corners",
                                      "asymmetric",   "tf_half_pixel_for_nn",
                                      "tf_crop_and_resize"};
  if (!llvm::is_contained(known, m.coordinates))
    return ctx.fail("coordinate_transformation_mode '" + m.coordinates + "' is not supported");
  m.nearest = ctx.stringAttr("nearest_mode", "round_prefer_floor");
  m.cubicA = ctx.floatAttr("cubic_coeff_a", -0.75f);
  m.excludeOutside = ctx.intAttr("exclude_outside", 0) != 0;
  FailureOr<SmallVector<double>> roi = floatsInput(ctx, 1, "roi");
  FailureOr<SmallVector<double>> scales = floatsInput(ctx, 2, "scales");
  if (failed(roi) || failed(scales))
    return failure();
  // With `sizes` instead of scales, each scale is the output size over the input size.
  if (ctx.hasInput(3))
    scales->clear();
  return resize(ctx, m, *scales, *roi, ctx.floatAttr("extrapolation_value", 0));
}

/// Upsample (deprecated since opset 10): scales as an attribute (opset 7) or a constant operand
/// (opset 9), asymmetric coordinates, nearest taking the lower neighbour.
LogicalResult importUpsample(NodeContext &ctx) {
  ResizeMode m;
  m.interpolation = ctx.stringAttr("mode", "nearest");
  if (m.interpolation != "nearest" && m.interpolation != "linear")
    return ctx.fail("mode '" + m.interpolation + "' is not nearest or linear");
  m.coordinates = "asymmetric";
  m.nearest = "floor";
  SmallVector<double> scales;
  if (ctx.opset() < 9) {
    const onnx::AttributeProto *attr = ctx.attr("scales");
    if (!attr)
      return ctx.fail("attribute 'scales' is missing");
    scales.assign(attr->floats().begin(), attr->floats().end());
  } else {
    FailureOr<SmallVector<double>> given = floatsInput(ctx, 1, "scales");
    if (failed(given))
      return failure();
    scales = *given;
  }
  return resize(ctx, m, scales, {}, 0);
}

} // namespace

void registerResizeOps(OpTable &table) {
  table["Resize"] = importResize;
  table["Upsample"] = importUpsample;
}

} // namespace dlc::onnx_frontend
