// Importers of ONNX's sampling ops (GridSample, RoiAlign), expanded into graph ops: sample
// coordinates are elementwise math, and each interpolation tap is a gather_elements read.
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// Reads one element per channel at each of `offsets` ([B, 1, d...], i64 positions in the
/// flattened plane) from `plane` ([B, C, S]): the result is [B, C, d...].
Value readPlane(NodeContext &ctx, Value plane, Value offsets) {
  ArrayRef<int64_t> planeShape = shapeOf(plane), offsetShape = shapeOf(offsets);
  int64_t positions = 1;
  for (int64_t size : offsetShape.drop_front(2))
    positions *= size;
  int64_t batch = planeShape[0], channels = planeShape[1];
  Value flat = ctx.reshape(offsets, {batch, 1, positions});
  auto indexType = RankedTensorType::get({batch, channels, positions},
                                         getElementTypeOrSelf(offsets));
  Value indices = flat;
  if (channels != 1)
    indices = ctx.create<graph::BroadcastOp>(indexType, flat);
  auto readType = RankedTensorType::get({batch, channels, positions},
                                        getElementTypeOrSelf(plane));
  Value read = ctx.create<graph::GatherElementsOp>(readType, plane, indices, 2);
  SmallVector<int64_t> shape{batch, channels};
  shape.append(offsetShape.begin() + 2, offsetShape.end());
  return ctx.reshape(read, shape);
}

/// `x` where it lies in [lo, hi], else `adjusted`.
Value keepInside(Expansion &e, Value x, double lo, double hi, Value adjusted) {
  Value below = e.compare<graph::LessOp>(x, e.scalar(x, lo));
  Value above = e.compare<graph::GreaterOp>(x, e.scalar(x, hi));
  Value outside = e.apply<graph::OrOp>(below, above);
  return e.select(outside, adjusted, x);
}

/// `x` (float) mirrored about `lo` and `hi` until it lies between them: with period
/// 2 * (hi - lo), u = (x - lo) mod period, and the result lo + (u <= hi - lo ? u : period - u).
/// Values already in [lo, hi] are kept exactly.
Value reflect(Expansion &e, Value x, double lo, double hi) {
  double range = hi - lo;
  if (range <= 0)
    return keepInside(e, x, lo, hi, e.scalar(x, lo));
  double period = 2 * range;
  Value shifted = e.apply<graph::SubOp>(x, lo);
  Value turns = e.apply<graph::FloorOp>(e.apply<graph::DivOp>(shifted, period));
  Value u = e.apply<graph::SubOp>(shifted, e.apply<graph::MulOp>(turns, period));
  Value back = e.apply<graph::SubOp>(e.scalar(u, period), u);
  Value beyond = e.compare<graph::GreaterOp>(u, e.scalar(u, range));
  Value folded = e.apply<graph::AddOp>(e.select(beyond, back, u), lo);
  return keepInside(e, x, lo, hi, folded);
}

/// Keys cubic convolution weights (a = -0.75) of the taps at -1, 0, 1, 2 from the floor of a
/// coordinate, for `t` in [0, 1) the coordinate's distance past that floor.
SmallVector<Value> cubicWeights(Expansion &e, Value t) {
  const double a = -0.75;
  // |s| <= 1: ((a + 2) s - (a + 3)) s^2 + 1; 1 < |s| < 2: ((a s - 5a) s + 8a) s - 4a.
  auto near = [&](Value s) {
    Value inner = e.apply<graph::SubOp>(e.apply<graph::MulOp>(s, a + 2), a + 3);
    Value square = e.apply<graph::MulOp>(s, s);
    return e.apply<graph::AddOp>(e.apply<graph::MulOp>(inner, square), 1.0);
  };
  auto far = [&](Value s) {
    Value inner = e.apply<graph::SubOp>(e.apply<graph::MulOp>(s, a), 5 * a);
    Value middle = e.apply<graph::AddOp>(e.apply<graph::MulOp>(inner, s), 8 * a);
    return e.apply<graph::SubOp>(e.apply<graph::MulOp>(middle, s), 4 * a);
  };
  Value one = e.scalar(t, 1.0), two = e.scalar(t, 2.0);
  Value w0 = far(e.apply<graph::AddOp>(t, 1.0));
  Value w1 = near(t);
  Value w2 = near(e.apply<graph::SubOp>(one, t));
  Value w3 = far(e.apply<graph::SubOp>(two, t));
  return {w0, w1, w2, w3};
}

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

enum class Interpolation { Nearest, Linear, Cubic };
enum class Padding { Zeros, Border, Reflection };

/// One tap along one spatial dimension: its offset in the flattened plane (index * stride,
/// i64), its weight (null for nearest) and, for zeros padding, whether it lies inside.
struct AxisTap {
  Value offset, weight, inside;
};

/// The options of one GridSample node.
struct GridSampleMode {
  Interpolation interpolation;
  Padding padding;
  bool alignCorners;
};

/// The taps along one spatial dimension of `size` elements (stride `stride` in the plane) for
/// normalized coordinates `g` ([N, 1, P], float).
SmallVector<AxisTap> axisTaps(NodeContext &ctx, const GridSampleMode &m, Value g, int64_t size,
                              int64_t stride) {
  Expansion e(ctx);
  double d = double(size);
  // Pixel coordinates: -1 and 1 are the centers of the corner pixels (align_corners) or
  // their outer edges.
  Value x = m.alignCorners
                ? e.apply<graph::MulOp>(e.apply<graph::AddOp>(g, 1.0), (d - 1) / 2)
                : e.apply<graph::MulOp>(e.apply<graph::AddOp>(g, 1.0), d / 2);
  if (!m.alignCorners)
    x = e.apply<graph::SubOp>(x, 0.5);
  if (m.interpolation == Interpolation::Nearest)
    x = e.apply<graph::RoundOp>(x);
  double lo = m.alignCorners ? 0 : -0.5, hi = m.alignCorners ? d - 1 : d - 0.5;
  if (m.padding == Padding::Border)
    x = keepInside(e, x, lo, hi, e.clip(x, 0, d - 1));
  else if (m.padding == Padding::Reflection)
    x = reflect(e, x, lo, hi);

  // Tap positions (integral floats) and weights.
  SmallVector<Value> positions, weights;
  if (m.interpolation == Interpolation::Nearest) {
    positions.push_back(x);
    weights.push_back(Value());
  } else {
    Value base = e.apply<graph::FloorOp>(x);
    Value t = e.apply<graph::SubOp>(x, base);
    if (m.interpolation == Interpolation::Linear) {
      positions = {base, e.apply<graph::AddOp>(base, 1.0)};
      Value rest = e.apply<graph::SubOp>(e.scalar(t, 1.0), t);
      weights = {rest, t};
    } else {
      for (double step : {-1.0, 0.0, 1.0, 2.0})
        positions.push_back(step == 0 ? base : e.apply<graph::AddOp>(base, step));
      weights = cubicWeights(e, t);
    }
  }

  Type i64 = IntegerType::get(ctx.context(), 64);
  SmallVector<AxisTap> taps;
  for (auto [position, weight] : llvm::zip_equal(positions, weights)) {
    AxisTap tap;
    tap.weight = weight;
    Value p = position;
    if (m.padding == Padding::Zeros) {
      Value low = e.compare<graph::GreaterEqualOp>(p, e.scalar(p, 0));
      Value high = e.compare<graph::LessEqualOp>(p, e.scalar(p, d - 1));
      tap.inside = e.apply<graph::AndOp>(low, high);
    } else if (m.padding == Padding::Reflection) {
      p = reflect(e, p, lo, hi);
    }
    // Reflected positions may be -0.5 (truncated to 0); clamping keeps every read in bounds.
    Value index = e.cast(e.clip(p, 0, d - 1), i64);
    tap.offset = stride == 1 ? index : e.apply<graph::MulOp>(index, double(stride));
    taps.push_back(tap);
  }
  return taps;
}

/// GridSample(X [N, C, D...], grid [N, O..., r]) -> [N, C, O...]: grid[..., k] is the
/// normalized coordinate along spatial dimension r - 1 - k (x before y).
LogicalResult importGridSample(NodeContext &ctx) {
  GridSampleMode m;
  std::string mode = ctx.stringAttr("mode", "linear");
  if (mode == "bilinear" || mode == "linear")
    m.interpolation = Interpolation::Linear;
  else if (mode == "bicubic" || mode == "cubic")
    m.interpolation = Interpolation::Cubic;
  else if (mode == "nearest")
    m.interpolation = Interpolation::Nearest;
  else
    return ctx.fail("mode '" + mode + "' is not bilinear, bicubic or nearest");
  std::string padding = ctx.stringAttr("padding_mode", "zeros");
  if (padding == "zeros")
    m.padding = Padding::Zeros;
  else if (padding == "border")
    m.padding = Padding::Border;
  else if (padding == "reflection")
    m.padding = Padding::Reflection;
  else
    return ctx.fail("padding_mode '" + padding + "' is not zeros, border or reflection");
  m.alignCorners = ctx.intAttr("align_corners", 0) != 0;

  Value x = ctx.input(0), grid = ctx.input(1);
  ArrayRef<int64_t> xShape = shapeOf(x), gridShape = shapeOf(grid);
  int64_t rank = xShape.size(), spatial = rank - 2;
  if (rank < 3 || int64_t(gridShape.size()) != rank || gridShape[0] != xShape[0] ||
      gridShape.back() != spatial)
    return ctx.fail("expects X [N, C, D...] and a grid [N, O..., r] with r spatial dimensions");
  Type element = getElementTypeOrSelf(x), gridElement = getElementTypeOrSelf(grid);
  if (!isa<FloatType>(gridElement))
    return ctx.fail("expects a floating-point grid");
  if (m.interpolation != Interpolation::Nearest && !isa<FloatType>(element))
    return ctx.fail(mode + " interpolation needs a floating-point X");
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  int64_t n = xShape[0], channels = xShape[1], planeSize = 1, positions = 1;
  for (int64_t size : xShape.drop_front(2))
    planeSize *= size;
  for (int64_t size : gridShape.drop_front().drop_back())
    positions *= size;
  if (planeSize == 0 || positions == 0 || n == 0 || channels == 0)
    return ctx.fail("empty inputs are not supported");

  Expansion e(ctx);
  Value plane = ctx.reshape(x, {n, channels, planeSize});
  Value coordinates = ctx.reshape(grid, {n, positions, spatial});
  auto componentType = RankedTensorType::get({n, positions, 1}, gridElement);
  SmallVector<SmallVector<AxisTap>> axes;
  int64_t stride = planeSize;
  for (int64_t k = 0; k < spatial; ++k) {
    int64_t size = xShape[2 + k];
    stride /= size;
    SmallVector<int64_t> starts{0, 0, spatial - 1 - k}, steps{1, 1, 1};
    Value component =
        ctx.create<graph::SliceOp>(componentType, coordinates, starts, steps);
    Value g = ctx.reshape(component, {n, 1, positions});
    axes.push_back(axisTaps(ctx, m, g, size, stride));
  }

  // Every combination of one tap per dimension reads the plane once.
  Value sum;
  SmallVector<size_t> choice(spatial, 0);
  while (true) {
    Value offset, weight, inside;
    for (int64_t k = 0; k < spatial; ++k) {
      const AxisTap &tap = axes[k][choice[k]];
      offset = offset ? e.apply<graph::AddOp>(offset, tap.offset) : tap.offset;
      if (tap.weight)
        weight = weight ? e.apply<graph::MulOp>(weight, tap.weight) : tap.weight;
      if (tap.inside)
        inside = inside ? e.apply<graph::AndOp>(inside, tap.inside) : tap.inside;
    }
    Value read = readPlane(ctx, plane, offset);
    if (weight) {
      if (inside)
        weight = e.select(inside, weight, e.scalar(weight, 0));
      read = e.apply<graph::MulOp>(read, e.cast(weight, element));
    } else if (inside) {
      read = e.select(inside, read, e.scalar(read, 0));
    }
    sum = sum ? e.apply<graph::AddOp>(sum, read) : read;
    int64_t k = spatial - 1;
    while (k >= 0 && ++choice[k] == axes[k].size())
      choice[k--] = 0;
    if (k < 0)
      break;
  }
  Value result = ctx.reshape(sum, type->getShape());
  if (result.getType() != *type)
    return ctx.fail("the sampled result does not have the inferred type");
  ctx.setOutput(0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

/// Column `column` of `rois` ([R, 4]) as [R, 1, 1, 1, 1, 1], to combine with the sample grid
/// laid out [R, C, out_h, grid_h, out_w, grid_w].
Value roiColumn(NodeContext &ctx, Value rois, int64_t column) {
  int64_t count = shapeOf(rois)[0];
  auto type = RankedTensorType::get({count, 1}, getElementTypeOrSelf(rois));
  SmallVector<int64_t> starts{0, column}, steps{1, 1};
  Value slice = ctx.create<graph::SliceOp>(type, rois, starts, steps);
  return ctx.reshape(slice, {count, 1, 1, 1, 1, 1});
}

/// The sample positions along one axis of every roi's bins, laid along dimensions `binDim`
/// (bin) and `binDim + 1` (sample in the bin), with their two taps, clamped as RoiAlign
/// defines: samples below -1 or beyond `size` weigh 0, others are clamped to [0, size - 1].
struct RoiAxis {
  Value low, high;    // tap indices (i64)
  Value lowWeight;    // 1 - fraction (0 for samples outside)
  Value highWeight;   // fraction (0 for samples outside)
};

RoiAxis roiAxis(NodeContext &ctx, Value start, Value end, int64_t bins, int64_t samples,
                int64_t size, bool halfPixel, int64_t binDim) {
  Expansion e(ctx);
  Type element = getElementTypeOrSelf(start);
  Value extent = e.apply<graph::SubOp>(end, start);
  if (!halfPixel)
    extent = e.apply<graph::MaxOp>(extent, 1.0); // malformed rois become 1 pixel wide
  Value binSize = e.apply<graph::DivOp>(extent, double(bins));
  // start + bin * binSize + (sample + 0.5) * binSize / samples
  Value binIndex = e.iota(bins, element, binDim, 6);
  Value binStart = e.apply<graph::AddOp>(start, e.apply<graph::MulOp>(binIndex, binSize));
  SmallVector<double> fractions;
  for (int64_t i = 0; i < samples; ++i)
    fractions.push_back(i + 0.5);
  Value within = e.alongDim(fractions, element, binDim + 1, 6);
  Value step = e.apply<graph::DivOp>(e.apply<graph::MulOp>(within, binSize), double(samples));
  Value x = e.apply<graph::AddOp>(binStart, step);

  Value notBelow = e.compare<graph::GreaterEqualOp>(x, e.scalar(x, -1.0));
  Value notAbove = e.compare<graph::LessEqualOp>(x, e.scalar(x, double(size)));
  Value inside = e.apply<graph::AndOp>(notBelow, notAbove);
  Value clamped = e.clip(x, 0, double(size - 1));
  Value low = e.apply<graph::FloorOp>(clamped);
  Value fraction = e.apply<graph::SubOp>(clamped, low);
  Value rest = e.apply<graph::SubOp>(e.scalar(fraction, 1.0), fraction);
  Value high = e.apply<graph::MinOp>(e.apply<graph::AddOp>(low, 1.0), double(size - 1));
  Type i64 = IntegerType::get(ctx.context(), 64);
  RoiAxis axis;
  axis.low = e.cast(low, i64);
  axis.high = e.cast(high, i64);
  axis.lowWeight = e.select(inside, rest, e.scalar(rest, 0));
  axis.highWeight = e.select(inside, fraction, e.scalar(fraction, 0));
  return axis;
}

/// RoiAlign(X [N, C, H, W], rois [R, 4] as (x1, y1, x2, y2), batch_indices [R]) ->
/// [R, C, output_height, output_width]: each bin averages (or takes the largest of) a grid of
/// bilinear samples. The rois may be runtime values; the sampling grid must be static.
LogicalResult importRoiAlign(NodeContext &ctx) {
  std::string mode = ctx.stringAttr("mode", "avg");
  if (mode != "avg" && mode != "max")
    return ctx.fail("mode '" + mode + "' is not avg or max");
  // Opset 10 had no coordinate_transformation_mode and behaved as output_half_pixel.
  std::string coordinates = ctx.stringAttr(
      "coordinate_transformation_mode", ctx.opset() < 16 ? "output_half_pixel" : "half_pixel");
  if (coordinates != "half_pixel" && coordinates != "output_half_pixel")
    return ctx.fail("coordinate_transformation_mode '" + coordinates +
                    "' is not half_pixel or output_half_pixel");
  bool halfPixel = coordinates == "half_pixel";
  int64_t outH = ctx.intAttr("output_height", 1), outW = ctx.intAttr("output_width", 1);
  int64_t samplingRatio = ctx.intAttr("sampling_ratio", 0);
  double scale = ctx.floatAttr("spatial_scale", 1.0f);
  if (outH < 1 || outW < 1)
    return ctx.fail("output_height and output_width must be positive");
  if (samplingRatio <= 0)
    return ctx.fail("sampling_ratio must be positive (an adaptive grid depends on the rois' "
                    "values)");

  Value x = ctx.input(0), rois = ctx.input(1), batchIndices = ctx.input(2);
  ArrayRef<int64_t> xShape = shapeOf(x), roiShape = shapeOf(rois);
  if (xShape.size() != 4 || roiShape.size() != 2 || roiShape[1] != 4 ||
      shapeOf(batchIndices) != ArrayRef<int64_t>{roiShape[0]})
    return ctx.fail("expects X [N, C, H, W], rois [R, 4] and batch_indices [R]");
  Type element = getElementTypeOrSelf(x);
  if (!isa<FloatType>(element) || getElementTypeOrSelf(rois) != element)
    return ctx.fail("expects X and rois of the same floating-point type");
  if (!isa<IntegerType>(getElementTypeOrSelf(batchIndices)))
    return ctx.fail("expects integer batch_indices");
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  int64_t count = roiShape[0], channels = xShape[1], height = xShape[2], width = xShape[3];
  if (count == 0 || height == 0 || width == 0)
    return ctx.fail("empty inputs are not supported");

  Expansion e(ctx);
  // Each roi's feature map, flattened: [R, C, H * W].
  auto pickedType = RankedTensorType::get({count, channels, height, width}, element);
  Value indices = e.cast(batchIndices, IntegerType::get(ctx.context(), 64));
  Value picked = ctx.create<graph::GatherOp>(pickedType, x, indices, 0);
  Value plane = ctx.reshape(picked, {count, channels, height * width});

  double offset = halfPixel ? 0.5 : 0;
  SmallVector<Value> corners;
  for (int64_t column = 0; column < 4; ++column) {
    Value scaled = e.apply<graph::MulOp>(roiColumn(ctx, rois, column), scale);
    corners.push_back(e.apply<graph::SubOp>(scaled, offset));
  }
  RoiAxis ys = roiAxis(ctx, corners[1], corners[3], outH, samplingRatio, height, halfPixel, 2);
  RoiAxis xs = roiAxis(ctx, corners[0], corners[2], outW, samplingRatio, width, halfPixel, 4);

  // The four taps of every sample: offsets y * W + x and weights wy * wx.
  Value lowRow = e.apply<graph::MulOp>(ys.low, double(width));
  Value highRow = e.apply<graph::MulOp>(ys.high, double(width));
  Value combined;
  for (auto [row, rowWeight] : {std::pair(lowRow, ys.lowWeight), {highRow, ys.highWeight}}) {
    for (auto [column, columnWeight] :
         {std::pair(xs.low, xs.lowWeight), {xs.high, xs.highWeight}}) {
      Value tapOffset = e.apply<graph::AddOp>(row, column);
      Value weight = e.apply<graph::MulOp>(rowWeight, columnWeight);
      Value read = readPlane(ctx, plane, tapOffset);
      Value weighted = e.apply<graph::MulOp>(read, weight);
      if (!combined)
        combined = weighted;
      else if (mode == "avg")
        combined = e.apply<graph::AddOp>(combined, weighted);
      else
        combined = e.apply<graph::MaxOp>(combined, weighted);
    }
  }
  // combined: [R, C, out_h, grid_h, out_w, grid_w]; reduce over the samples of each bin.
  SmallVector<int64_t> samples{3, 5};
  auto resultType = RankedTensorType::get({count, channels, outH, outW}, element);
  Value result;
  if (mode == "avg") {
    Value sum = ctx.create<graph::ReduceSumOp>(resultType, combined, samples, false);
    result = e.apply<graph::DivOp>(sum, double(samplingRatio * samplingRatio));
  } else {
    result = ctx.create<graph::ReduceMaxOp>(resultType, combined, samples, false);
  }
  if (result.getType() != *type)
    return ctx.fail("the pooled result does not have the inferred type");
  ctx.setOutput(0, result);
  return success();
}

} // namespace

void registerSamplingOps(OpTable &table) {
  table["GridSample"] = importGridSample;
  table["RoiAlign"] = importRoiAlign;
}

} // namespace dlc::onnx_frontend
