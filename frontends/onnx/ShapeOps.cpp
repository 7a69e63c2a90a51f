// Importers of ONNX shape and data-movement ops: Constant, Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Concat, Slice and Gather; shape operands must be compile-time constants.
#include "frontends/onnx/OpImporters.h"
#include "frontends/onnx/Tensors.h"

#include "mlir/IR/TypeUtilities.h"

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
}

} // namespace dlc::onnx_frontend
