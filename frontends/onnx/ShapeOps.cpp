// Importers of ONNX shape and data-movement ops: Constant, ConstantOfShape, EyeLike, Range, the
// Hann/Hamming/Blackman windows, OneHot, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat,
// Slice, Split, Pad, Gather, GatherElements, Shape, Size, Expand, Tile, Trilu, DepthToSpace,
// SpaceToDepth and Dropout (inference); shape operands must be compile-time constants.
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"
#include "frontends/onnx/Tensors.h"

#include "mlir/IR/TypeUtilities.h"

#include <numeric>

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

LogicalResult importConstant(NodeContext &ctx) {
  Builder b(ctx.context());
  DenseElementsAttr value;
  if (const onnx::AttributeProto *attr = ctx.attr("value")) {
    auto converted = tensorToAttr(attr->t(), ctx.context());
    if (!converted)
      return ctx.fail(llvm::toString(converted.takeError()));
    value = *converted;
  } else if (const onnx::AttributeProto *attr = ctx.attr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), attr->f());
  } else if (const onnx::AttributeProto *attr = ctx.attr("value_floats")) {
    SmallVector<float> values(attr->floats().begin(), attr->floats().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(values.size())}, b.getF32Type()), ArrayRef<float>(values));
  } else if (const onnx::AttributeProto *attr = ctx.attr("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()), int64_t(attr->i()));
  } else if (const onnx::AttributeProto *attr = ctx.attr("value_ints")) {
    SmallVector<int64_t> values(attr->ints().begin(), attr->ints().end());
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(values.size())}, b.getI64Type()), ArrayRef<int64_t>(values));
  } else {
    return ctx.fail("only tensor, float and int values are supported");
  }
  ctx.setOutput(0, ctx.constant(value));
  return success();
}

/// ONNX Reshape's target: 0 copies the input dimension (unless allowzero), -1 is inferred.
LogicalResult importReshape(NodeContext &ctx) {
  Value input = ctx.input(0);
  std::vector<int64_t> target;
  if (ctx.opset() < 5) {
    target = ctx.intsAttr("shape");
  } else {
    FailureOr<std::vector<int64_t>> shape = ctx.intsInput(1, "shape");
    if (failed(shape))
      return failure();
    target = *shape;
  }
  ArrayRef<int64_t> in = shapeOf(input);
  bool allowZero = ctx.intAttr("allowzero", 0) != 0;
  int64_t known = 1, inferred = -1, total = 1;
  for (int64_t dim : in)
    total *= dim;
  for (auto [i, dim] : llvm::enumerate(target)) {
    if (dim == 0 && !allowZero) {
      if (i >= in.size())
        return ctx.fail("shape copies dimension " + Twine(i) + " the input does not have");
      dim = in[i];
    }
    if (dim == -1) {
      if (inferred >= 0)
        return ctx.fail("shape has more than one -1");
      inferred = i;
    } else if (dim < 0) {
      return ctx.fail("shape has a negative dimension " + Twine(dim));
    } else {
      known *= dim;
    }
  }
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return ctx.fail("cannot infer the -1 dimension");
    target[inferred] = total / known;
  } else if (known != total) {
    return ctx.fail("cannot reshape " + Twine(total) + " elements to " + Twine(known));
  }
  ctx.setOutput(0, ctx.reshape(input, target));
  return success();
}

LogicalResult importFlatten(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  int64_t axis = ctx.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  auto [outer, inner] = flattenedSizes(shape, axis);
  ctx.setOutput(0, ctx.reshape(input, {outer, inner}));
  return success();
}

/// Squeeze/Unsqueeze axes: an attribute before opset 13, an optional operand since.
FailureOr<std::vector<int64_t>> axesOf(NodeContext &ctx, int64_t attrBeforeOpset) {
  if (ctx.opset() < attrBeforeOpset)
    return ctx.intsAttr("axes");
  if (!ctx.hasInput(1))
    return std::vector<int64_t>();
  return ctx.intsInput(1, "axes");
}

LogicalResult importSqueeze(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  FailureOr<std::vector<int64_t>> axes = axesOf(ctx, 13);
  if (failed(axes))
    return failure();
  SmallVector<bool> drop(shape.size(), axes->empty());
  if (axes->empty())
    for (auto [d, dim] : llvm::enumerate(shape))
      drop[d] = dim == 1;
  for (int64_t axis : *axes) {
    std::optional<int64_t> d = normalizeAxis(axis, shape.size());
    if (!d || shape[*d] != 1)
      return ctx.fail("cannot squeeze axis " + Twine(axis) + ": it is not a dimension of size 1");
    drop[*d] = true;
  }
  SmallVector<int64_t> result;
  for (auto [d, dim] : llvm::enumerate(shape))
    if (!drop[d])
      result.push_back(dim);
  ctx.setOutput(0, ctx.reshape(input, result));
  return success();
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  FailureOr<std::vector<int64_t>> axes = axesOf(ctx, 13);
  if (failed(axes))
    return failure();
  int64_t rank = shape.size() + axes->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : *axes) {
    std::optional<int64_t> d = normalizeAxis(axis, rank);
    if (!d || inserted[*d])
      return ctx.fail("axis " + Twine(axis) + " is out of range or repeated");
    inserted[*d] = true;
  }
  SmallVector<int64_t> result;
  auto next = shape.begin();
  for (int64_t d = 0; d < rank; ++d)
    result.push_back(inserted[d] ? 1 : *next++);
  ctx.setOutput(0, ctx.reshape(input, result));
  return success();
}

LogicalResult importTranspose(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  std::vector<int64_t> perm = ctx.intsAttr("perm");
  if (perm.empty())
    for (int64_t d = shape.size() - 1; d >= 0; --d)
      perm.push_back(d);
  if (perm.size() != shape.size())
    return ctx.fail("perm has " + Twine(perm.size()) + " entries for rank " + Twine(shape.size()));
  SmallVector<int64_t> result;
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(shape.size()))
      return ctx.fail("perm is not a permutation");
    result.push_back(shape[p]);
  }
  auto type = RankedTensorType::get(result, getElementTypeOrSelf(input));
  ctx.setOutput(0, ctx.create<graph::TransposeOp>(type, input, perm));
  return success();
}

LogicalResult importConcat(NodeContext &ctx) {
  SmallVector<Value> inputs;
  for (int i = 0; i < ctx.numInputs(); ++i)
    inputs.push_back(ctx.input(i));
  SmallVector<int64_t> shape(shapeOf(inputs.front()));
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), shape.size());
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(shape.size()));
  shape[*axis] = 0;
  for (Value input : inputs) {
    if (shapeOf(input).size() != shape.size())
      return ctx.fail("inputs have different ranks");
    shape[*axis] += shapeOf(input)[*axis];
  }
  auto type = RankedTensorType::get(shape, getElementTypeOrSelf(inputs.front()));
  ctx.setOutput(0, ctx.create<graph::ConcatOp>(type, inputs, *axis));
  return success();
}

/// Slice bounds: attributes before opset 10, constant operands since. ONNX clamps starts and
/// ends into the dimension; the result takes ceil((end - start) / step) elements.
LogicalResult importSlice(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  std::vector<int64_t> starts, ends, axes, steps;
  if (ctx.opset() < 10) {
    starts = ctx.intsAttr("starts");
    ends = ctx.intsAttr("ends");
    axes = ctx.intsAttr("axes");
  } else {
    auto s = ctx.intsInput(1, "starts");
    if (failed(s))
      return failure();
    auto e = ctx.intsInput(2, "ends");
    if (failed(e))
      return failure();
    starts = *s, ends = *e;
    if (ctx.hasInput(3)) {
      auto a = ctx.intsInput(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (ctx.hasInput(4)) {
      auto st = ctx.intsInput(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.fail("starts, ends, axes and steps have different lengths");

  SmallVector<int64_t> outStarts(rank, 0), outSteps(rank, 1), outShape(shape);
  for (size_t i = 0; i < starts.size(); ++i) {
    std::optional<int64_t> axis = normalizeAxis(axes[i], rank);
    if (!axis)
      return ctx.fail("axis " + Twine(axes[i]) + " is out of range for rank " + Twine(rank));
    int64_t dim = shape[*axis], step = steps[i];
    if (step == 0)
      return ctx.fail("step is zero");
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    // ceil(distance / |step|) without overflow, for any step including INT64_MIN.
    uint64_t magnitude = step > 0 ? uint64_t(step) : uint64_t(-(step + 1)) + 1;
    int64_t distance = step > 0 ? end - start : start - end;
    int64_t count = distance > 0 ? int64_t((uint64_t(distance) - 1) / magnitude + 1) : 0;
    outStarts[*axis] = count ? start : 0;
    outSteps[*axis] = step;
    outShape[*axis] = count;
  }
  auto type = RankedTensorType::get(outShape, getElementTypeOrSelf(input));
  ctx.setOutput(0, ctx.create<graph::SliceOp>(type, input, outStarts, outSteps));
  return success();
}

LogicalResult importGather(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1);
  ArrayRef<int64_t> dataShape = shapeOf(data), indexShape = shapeOf(indices);
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), dataShape.size());
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(dataShape.size()));
  SmallVector<int64_t> shape(dataShape.begin(), dataShape.begin() + *axis);
  shape.append(indexShape.begin(), indexShape.end());
  shape.append(dataShape.begin() + *axis + 1, dataShape.end());
  auto type = RankedTensorType::get(shape, getElementTypeOrSelf(data));
  ctx.setOutput(0, ctx.create<graph::GatherOp>(type, data, indices, *axis));
  return success();
}

/// Pad: `pads` (begin values, then end values) and the fill value are attributes before opset 11
/// and constant operands since. Negative pads crop, as a slice before the padding.
LogicalResult importPad(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  Type element = getElementTypeOrSelf(input);
  Builder b(ctx.context());
  std::vector<int64_t> pads;
  TypedAttr value = b.getZeroAttr(element);
  if (ctx.opset() < 11) {
    pads = ctx.intsAttr(ctx.hasAttr("pads") ? "pads" : "paddings");
    if (isa<FloatType>(element))
      value = b.getFloatAttr(element, ctx.floatAttr("value", 0));
  } else {
    FailureOr<std::vector<int64_t>> given = ctx.intsInput(1, "pads");
    if (failed(given))
      return failure();
    pads = *given;
    if (ctx.hasInput(2)) {
      std::optional<DenseElementsAttr> constant = ctx.constantInput(2);
      if (!constant || constant->getNumElements() != 1)
        return ctx.fail("operand 'constant_value' must be a scalar constant");
      value = cast<TypedAttr>(*constant->value_begin<Attribute>());
    }
  }
  if (int64_t(pads.size()) != 2 * rank)
    return ctx.fail("pads has " + Twine(pads.size()) + " values, expected " + Twine(2 * rank));
  std::string mode = ctx.stringAttr("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return ctx.fail("mode '" + mode + "' is not supported (constant, edge, reflect)");

  // Crop first where a pad is negative.
  SmallVector<int64_t> starts(rank, 0), steps(rank, 1), cropped(shape);
  SmallVector<int64_t> low(rank), high(rank), interior(rank, 0), padded(rank);
  for (int64_t d = 0; d < rank; ++d) {
    starts[d] = std::max<int64_t>(0, -pads[d]);
    cropped[d] = std::max<int64_t>(0, shape[d] + std::min<int64_t>(0, pads[d]) +
                                          std::min<int64_t>(0, pads[rank + d]));
    low[d] = std::max<int64_t>(0, pads[d]);
    high[d] = std::max<int64_t>(0, pads[rank + d]);
    padded[d] = low[d] + cropped[d] + high[d];
    if (mode != "constant" && (low[d] || high[d]) &&
        (cropped[d] == 0 || (mode == "reflect" && std::max(low[d], high[d]) >= cropped[d])))
      return ctx.fail("dimension " + Twine(d) + " of size " + Twine(cropped[d]) +
                      " cannot be padded by " + Twine(low[d]) + " and " + Twine(high[d]) +
                      " in mode " + mode);
  }
  if (ArrayRef<int64_t>(cropped) != shape)
    input = ctx.create<graph::SliceOp>(RankedTensorType::get(cropped, element), input, starts,
                                       steps);
  auto type = RankedTensorType::get(padded, element);
  ctx.setOutput(0, ctx.create<graph::PadOp>(type, input, low, high, interior, mode, value));
  return success();
}

/// GatherElements: one element per index along `axis`.
LogicalResult importGatherElements(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1);
  int64_t rank = shapeOf(data).size();
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), rank);
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  if (int64_t(shapeOf(indices).size()) != rank)
    return ctx.fail("indices must have the rank of data");
  for (int64_t d = 0; d < rank; ++d)
    if (d != *axis && shapeOf(indices)[d] > shapeOf(data)[d])
      return ctx.fail("indices are larger than data in dimension " + Twine(d));
  auto type = RankedTensorType::get(shapeOf(indices), getElementTypeOrSelf(data));
  ctx.setOutput(0, ctx.create<graph::GatherElementsOp>(type, data, indices, *axis));
  return success();
}

/// Shape: the input's static dimensions (those in [start, end) since opset 15) as an int64
/// constant.
LogicalResult importShape(NodeContext &ctx) {
  ArrayRef<int64_t> shape = shapeOf(ctx.input(0));
  int64_t rank = shape.size();
  auto clamped = [&](int64_t index) {
    return std::clamp<int64_t>(index < 0 ? index + rank : index, 0, rank);
  };
  int64_t start = clamped(ctx.intAttr("start", 0));
  int64_t end = std::max(start, clamped(ctx.intAttr("end", rank)));
  SmallVector<int64_t> dims(shape.begin() + start, shape.begin() + end);
  auto type = RankedTensorType::get({end - start}, IntegerType::get(ctx.context(), 64));
  ctx.setOutput(0, ctx.constant(DenseElementsAttr::get(type, ArrayRef<int64_t>(dims))));
  return success();
}

/// Size: the input's (static) number of elements as an int64 scalar constant.
LogicalResult importSize(NodeContext &ctx) {
  auto type = cast<RankedTensorType>(ctx.input(0).getType());
  ctx.setOutput(0, ctx.scalar(IntegerType::get(ctx.context(), 64), double(type.getNumElements())));
  return success();
}

/// ConstantOfShape: the shape operand (a constant) filled with `value` (default float 0).
LogicalResult importConstantOfShape(NodeContext &ctx) {
  FailureOr<std::vector<int64_t>> shape = ctx.intsInput(0, "input");
  if (failed(shape))
    return failure();
  Builder b(ctx.context());
  DenseElementsAttr fill = DenseElementsAttr::get(RankedTensorType::get({1}, b.getF32Type()), 0.0f);
  if (const onnx::AttributeProto *attr = ctx.attr("value")) {
    auto converted = tensorToAttr(attr->t(), ctx.context());
    if (!converted)
      return ctx.fail(llvm::toString(converted.takeError()));
    fill = *converted;
  }
  if (fill.getNumElements() != 1)
    return ctx.fail("value must hold one element");
  auto type = RankedTensorType::get(*shape, fill.getElementType());
  ctx.setOutput(0, ctx.constant(DenseElementsAttr::get(type, *fill.value_begin<Attribute>())));
  return success();
}

/// Range: start, start + delta, ... up to (not including) limit, from constant operands; the
/// result is a constant.
LogicalResult importRange(NodeContext &ctx) {
  FailureOr<double> start = ctx.scalarInput(0, "start"), limit = ctx.scalarInput(1, "limit"),
                    delta = ctx.scalarInput(2, "delta");
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  if (*delta == 0)
    return ctx.fail("delta is zero");
  int64_t count = std::max<int64_t>(0, int64_t(std::ceil((*limit - *start) / *delta)));
  std::vector<double> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(*start + i * *delta);
  Type element = getElementTypeOrSelf(ctx.input(0));
  ctx.setOutput(0, ctx.constant(RankedTensorType::get({count}, element), values));
  return success();
}

/// Hann, Hamming and Blackman windows (opset 17) of a constant size: sums of cosines
/// a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), N the size (periodic) or the size - 1.
enum class Window { Hann, Hamming, Blackman };
template <Window window> LogicalResult importWindow(NodeContext &ctx) {
  auto [a0, a1, a2] = window == Window::Hann      ? std::array<double, 3>{0.5, 0.5, 0}
                      : window == Window::Hamming ? std::array<double, 3>{25.0 / 46, 21.0 / 46, 0}
                                                  : std::array<double, 3>{0.42, 0.5, 0.08};
  FailureOr<double> size = ctx.scalarInput(0, "size");
  if (failed(size))
    return failure();
  Type element = elementType(ctx.intAttr("output_datatype", 1), ctx.context());
  if (!element)
    return ctx.fail("output_datatype is not supported");
  int64_t n = int64_t(*size);
  double period = ctx.intAttr("periodic", 1) ? n : n - 1;
  std::vector<double> values;
  for (int64_t i = 0; i < n; ++i) {
    double angle = 2 * M_PI * i / period;
    values.push_back(a0 - a1 * std::cos(angle) + a2 * std::cos(2 * angle));
  }
  ctx.setOutput(0, ctx.constant(RankedTensorType::get({n}, element), values));
  return success();
}

/// OneHot: `values[1]` where an index (negative ones count from the end) equals the position
/// along the new dimension `axis` of size `depth`, `values[0]` elsewhere.
LogicalResult importOneHot(NodeContext &ctx) {
  Value indices = ctx.input(0), values = ctx.input(2);
  FailureOr<double> depthValue = ctx.scalarInput(1, "depth");
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(depthValue) || failed(type))
    return failure();
  int64_t depth = int64_t(*depthValue), rank = shapeOf(indices).size() + 1;
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", -1), rank);
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  if (shapeOf(values) != ArrayRef<int64_t>{2})
    return ctx.fail("values must hold [off, on]");
  Expansion e(ctx);
  auto i64 = IntegerType::get(ctx.context(), 64);
  Value index = e.cast(indices, i64);
  Value depthScalar = ctx.scalar(i64, depth);
  Value negative = e.compare<graph::LessOp>(index, ctx.scalar(i64, 0));
  index = e.select(negative, e.apply<graph::AddOp>(index, depthScalar), index);
  SmallVector<int64_t> expanded(shapeOf(index));
  expanded.insert(expanded.begin() + *axis, 1);
  Value hit = e.compare<graph::EqualOp>(ctx.reshape(index, expanded),
                                        e.iota(depth, i64, *axis, rank));
  auto scalarType = RankedTensorType::get({1}, getElementTypeOrSelf(values));
  SmallVector<int64_t> one{1};
  Value off = ctx.create<graph::SliceOp>(scalarType, values, SmallVector<int64_t>{0}, one);
  Value on = ctx.create<graph::SliceOp>(scalarType, values, one, one);
  Value result = e.select(hit, ctx.reshape(on, {}), ctx.reshape(off, {}));
  if (result.getType() != *type)
    return ctx.fail("the one-hot result does not have the inferred type");
  ctx.setOutput(0, result);
  return success();
}

/// EyeLike: ones on the k-th diagonal of a 2-D shape like the input, of `dtype` or its type.
LogicalResult importEyeLike(NodeContext &ctx) {
  ArrayRef<int64_t> shape = shapeOf(ctx.input(0));
  if (shape.size() != 2)
    return ctx.fail("expects a 2-D input");
  Type element = getElementTypeOrSelf(ctx.input(0));
  if (ctx.hasAttr("dtype")) {
    element = elementType(ctx.intAttr("dtype", 0), ctx.context());
    if (!element)
      return ctx.fail("dtype " + onnxTypeName(ctx.intAttr("dtype", 0)) + " is not supported");
  }
  int64_t k = ctx.intAttr("k", 0);
  std::vector<double> values(shape[0] * shape[1], 0.0);
  for (int64_t i = 0; i < shape[0]; ++i)
    if (i + k >= 0 && i + k < shape[1])
      values[i * shape[1] + i + k] = 1.0;
  ctx.setOutput(0, ctx.constant(RankedTensorType::get(shape, element), values));
  return success();
}

/// Trilu: the upper (or lower) triangle of the last two dimensions from the k-th diagonal on,
/// as a select with a constant mask; the rest is zero.
LogicalResult importTrilu(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  if (shape.size() < 2)
    return ctx.fail("expects an input of rank >= 2");
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    FailureOr<std::vector<int64_t>> given = ctx.intsInput(1, "k");
    if (failed(given))
      return failure();
    if (given->size() != 1)
      return ctx.fail("k must hold one value");
    k = given->front();
  }
  bool upper = ctx.intAttr("upper", 1) != 0;
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  SmallVector<bool> keep;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      keep.push_back(upper ? j - i >= k : j - i <= k);
  auto maskType = RankedTensorType::get({rows, cols}, IntegerType::get(ctx.context(), 1));
  Value mask = ctx.constant(DenseElementsAttr::get(maskType, keep));
  Value zero = ctx.scalar(getElementTypeOrSelf(input), 0);
  ctx.setOutput(0, ctx.create<graph::SelectOp>(input.getType(), mask, input, zero));
  return success();
}

/// Dropout at inference, or in training mode with a ratio of 0: the input unchanged, and a
/// mask of all true. Training with a nonzero ratio draws random numbers, which dlc does not.
LogicalResult importDropout(NodeContext &ctx) {
  if (ctx.hasInput(2)) {
    std::optional<DenseElementsAttr> training = ctx.constantInput(2);
    if (!training || training->getNumElements() != 1)
      return ctx.fail("training_mode must be a constant");
    bool dropsNothing = false;
    if (ctx.hasInput(1)) {
      FailureOr<double> ratio = ctx.scalarInput(1, "ratio");
      if (failed(ratio))
        return failure();
      dropsNothing = *ratio == 0.0;
    }
    if (!(*training->value_begin<APInt>()).isZero() && !dropsNothing)
      return ctx.fail("training mode with a nonzero ratio (random dropping) is not supported");
  }
  if (ctx.opset() < 7 && ctx.intAttr("is_test", 0) == 0)
    return ctx.fail("training mode (is_test=0) is not supported");
  Value input = ctx.input(0);
  ctx.setOutput(0, input);
  if (ctx.numOutputs() > 1) {
    auto maskType = RankedTensorType::get(shapeOf(input), IntegerType::get(ctx.context(), 1));
    ctx.setOutput(1, ctx.constant(DenseElementsAttr::get(maskType, true)));
  }
  return success();
}

/// DepthToSpace (DCR or CRD order) and SpaceToDepth: a reshape, a transpose and a reshape.
template <bool toSpace> LogicalResult importDepthSpace(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t block = ctx.intAttr("blocksize", 0);
  if (shape.size() != 4 || block < 1)
    return ctx.fail("expects a 4-D input and a positive blocksize");
  int64_t n = shape[0], c = shape[1], h = shape[2], w = shape[3];
  SmallVector<int64_t> split, perm, result;
  if (toSpace) {
    if (c % (block * block))
      return ctx.fail("channels are not a multiple of blocksize^2");
    bool crd = ctx.stringAttr("mode", "DCR") == "CRD";
    int64_t depth = c / (block * block);
    split = crd ? SmallVector<int64_t>{n, depth, block, block, h, w}
                : SmallVector<int64_t>{n, block, block, depth, h, w};
    perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3} : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    result = {n, depth, h * block, w * block};
  } else {
    if (h % block || w % block)
      return ctx.fail("spatial sizes are not multiples of blocksize");
    split = {n, c, h / block, block, w / block, block};
    perm = {0, 3, 5, 1, 2, 4};
    result = {n, c * block * block, h / block, w / block};
  }
  Value blocks = ctx.reshape(input, split);
  SmallVector<int64_t> permuted;
  for (int64_t d : perm)
    permuted.push_back(split[d]);
  auto permutedType = RankedTensorType::get(permuted, getElementTypeOrSelf(input));
  Value moved = ctx.create<graph::TransposeOp>(permutedType, blocks, perm);
  ctx.setOutput(0, ctx.reshape(moved, result));
  return success();
}

/// Expand: numpy broadcasting to the shape operand (a constant), giving the inferred shape.
LogicalResult importExpand(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type) || failed(ctx.intsInput(1, "shape")))
    return failure();
  Value input = ctx.input(0);
  ctx.setOutput(0, type->getShape() == shapeOf(input)
                       ? input
                       : ctx.create<graph::BroadcastOp>(*type, input).getResult());
  return success();
}

/// Tile: [d0, d1, ..] viewed as [1, d0, 1, d1, ..], broadcast to [r0, d0, r1, d1, ..] and
/// reshaped to [r0 * d0, r1 * d1, ..].
LogicalResult importTile(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  FailureOr<std::vector<int64_t>> repeats = ctx.intsInput(1, "repeats");
  if (failed(repeats))
    return failure();
  if (repeats->size() != shape.size())
    return ctx.fail("repeats must have one entry per input dimension");
  SmallVector<int64_t> spread, broadcast, result;
  for (auto [dim, times] : llvm::zip(shape, *repeats)) {
    if (times < 0)
      return ctx.fail("repeats must not be negative");
    spread.append({1, dim});
    broadcast.append({times, dim});
    result.push_back(times * dim);
  }
  auto broadcastType = RankedTensorType::get(broadcast, getElementTypeOrSelf(input));
  Value tiled = ctx.create<graph::BroadcastOp>(broadcastType, ctx.reshape(input, spread));
  ctx.setOutput(0, ctx.reshape(tiled, result));
  return success();
}

/// Split: sizes from the `split` attribute (before opset 13) or operand, else equal parts (the
/// last smaller, with opset 18's num_outputs); each output is a slice.
LogicalResult importSplit(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), shape.size());
  if (!axis)
    return ctx.fail("axis is out of range");
  std::vector<int64_t> sizes;
  if (ctx.opset() < 13) {
    sizes = ctx.intsAttr("split");
  } else if (ctx.hasInput(1)) {
    FailureOr<std::vector<int64_t>> given = ctx.intsInput(1, "split");
    if (failed(given))
      return failure();
    sizes = *given;
  }
  int64_t outputs = ctx.node().output_size(), dim = shape[*axis];
  if (sizes.empty()) {
    int64_t part = llvm::divideCeil(dim, outputs);
    for (int64_t i = 0; i < outputs; ++i)
      sizes.push_back(std::clamp<int64_t>(dim - i * part, 0, part));
  }
  if (int64_t(sizes.size()) != outputs ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != dim)
    return ctx.fail("split sizes do not add up to the dimension");
  int64_t start = 0;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    SmallVector<int64_t> starts(shape.size(), 0), steps(shape.size(), 1), part(shape);
    starts[*axis] = start;
    part[*axis] = size;
    start += size;
    auto type = RankedTensorType::get(part, getElementTypeOrSelf(input));
    if (!ctx.node().output(i).empty())
      ctx.setOutput(i, ctx.create<graph::SliceOp>(type, input, starts, steps));
  }
  return success();
}

} // namespace

void registerShapeOps(OpTable &table) {
  table["Constant"] = importConstant;
  table["Reshape"] = importReshape;
  table["Flatten"] = importFlatten;
  table["Squeeze"] = importSqueeze;
  table["Unsqueeze"] = importUnsqueeze;
  table["Transpose"] = importTranspose;
  table["Concat"] = importConcat;
  table["Slice"] = importSlice;
  table["Gather"] = importGather;
  table["GatherElements"] = importGatherElements;
  table["Pad"] = importPad;
  table["Shape"] = importShape;
  table["Size"] = importSize;
  table["ConstantOfShape"] = importConstantOfShape;
  table["EyeLike"] = importEyeLike;
  table["Range"] = importRange;
  table["OneHot"] = importOneHot;
  table["HannWindow"] = importWindow<Window::Hann>;
  table["HammingWindow"] = importWindow<Window::Hamming>;
  table["BlackmanWindow"] = importWindow<Window::Blackman>;
  table["Trilu"] = importTrilu;
  table["Dropout"] = importDropout;
  table["DepthToSpace"] = importDepthSpace<true>;
  table["SpaceToDepth"] = importDepthSpace<false>;
  table["Expand"] = importExpand;
  table["Tile"] = importTile;
  table["Split"] = importSplit;
}

} // namespace dlc::onnx_frontend
