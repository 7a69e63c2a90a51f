// Importers of ONNX ops that move elements to or from positions held in tensors: ScatterElements,
// Scatter, ScatterND and MaxUnpool.
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// The product of `dims`.
int64_t product(ArrayRef<int64_t> dims) {
  int64_t result = 1;
  for (int64_t dim : dims)
    result *= dim;
  return result;
}

/// The `reduction` attribute of ScatterElements and ScatterND (opset 16; max and min since 18).
FailureOr<std::string> reductionOf(NodeContext &ctx) {
  std::string reduction = ctx.stringAttr("reduction", "none");
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return ctx.fail("reduction '" + reduction + "' is not supported (none, add, mul, max, min)");
  return reduction;
}

/// ScatterElements (and the deprecated Scatter, which has no reduction): writes each update
/// along `axis` at its index into a copy of data.
LogicalResult importScatterElements(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1), updates = ctx.input(2);
  ArrayRef<int64_t> dataShape = shapeOf(data), indexShape = shapeOf(indices);
  int64_t rank = dataShape.size();
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), rank);
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  FailureOr<std::string> reduction = reductionOf(ctx);
  if (failed(reduction))
    return failure();
  if (int64_t(indexShape.size()) != rank)
    return ctx.fail("indices must have the rank of data");
  if (shapeOf(updates) != indexShape)
    return ctx.fail("updates must have the shape of indices");
  if (getElementTypeOrSelf(updates) != getElementTypeOrSelf(data))
    return ctx.fail("updates must have the element type of data");
  for (int64_t d = 0; d < rank; ++d)
    if (d != *axis && indexShape[d] > dataShape[d])
      return ctx.fail("indices are larger than data in dimension " + Twine(d));
  ctx.setOutput(0, ctx.create<graph::ScatterElementsOp>(data.getType(), data, indices, updates,
                                                        *axis, *reduction));
  return success();
}

/// ScatterND: each index tuple (the last dimension of indices) addresses a slice of data that
/// the matching slice of updates replaces (or is combined with).
LogicalResult importScatterND(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1), updates = ctx.input(2);
  ArrayRef<int64_t> dataShape = shapeOf(data), indexShape = shapeOf(indices);
  FailureOr<std::string> reduction = reductionOf(ctx);
  if (failed(reduction))
    return failure();
  if (indexShape.empty() || indexShape.back() > int64_t(dataShape.size()))
    return ctx.fail("the last dimension of indices must be at most the rank of data");
  SmallVector<int64_t> expected(indexShape.drop_back());
  expected.append(dataShape.begin() + indexShape.back(), dataShape.end());
  if (shapeOf(updates) != ArrayRef<int64_t>(expected))
    return ctx.fail("updates must have the shape indices[:-1] + data[indices[-1]:]");
  if (getElementTypeOrSelf(updates) != getElementTypeOrSelf(data))
    return ctx.fail("updates must have the element type of data");
  ctx.setOutput(0, ctx.create<graph::ScatterNDOp>(data.getType(), data, indices, updates,
                                                  *reduction));
  return success();
}

/// MaxUnpool: the values of X scattered at their indices (row-major positions in the whole
/// output, as MaxPool gives them) into zeros of the shape the pooling inverts; a larger
/// `output_shape` (a constant) pads that with zeros at the end of each dimension, as the ONNX
/// reference does.
LogicalResult importMaxUnpool(NodeContext &ctx) {
  Value x = ctx.input(0), indices = ctx.input(1);
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t spatial = int64_t(shape.size()) - 2;
  if (spatial < 1)
    return ctx.fail("expects an input [N, C, D1..Dk]");
  if (shapeOf(indices) != shape)
    return ctx.fail("indices must have the shape of X");
  std::vector<int64_t> kernel = ctx.intsAttr("kernel_shape"), strides = ctx.intsAttr("strides"),
                       pads = ctx.intsAttr("pads");
  strides.resize(spatial, 1);
  pads.resize(2 * spatial, 0);
  if (int64_t(kernel.size()) != spatial)
    return ctx.fail("kernel_shape must have " + Twine(spatial) + " entries");
  SmallVector<int64_t> unpooled(shape.begin(), shape.begin() + 2);
  for (int64_t d = 0; d < spatial; ++d)
    unpooled.push_back((shape[d + 2] - 1) * strides[d] + kernel[d] - pads[d] - pads[spatial + d]);
  if (llvm::any_of(unpooled, [](int64_t dim) { return dim < 1; }))
    return ctx.fail("the unpooled shape has an empty dimension");
  SmallVector<int64_t> outShape(unpooled);
  if (ctx.hasInput(2)) {
    FailureOr<std::vector<int64_t>> given = ctx.intsInput(2, "output_shape");
    if (failed(given))
      return failure();
    outShape.assign(given->begin(), given->end());
  }
  SmallVector<int64_t> low(shape.size(), 0), high, interior(shape.size(), 0);
  for (auto [out, in] : llvm::zip(outShape, unpooled))
    high.push_back(out - in);
  if (outShape.size() != shape.size() || llvm::any_of(high, [](int64_t p) { return p < 0; }))
    return ctx.fail("output_shape must have rank " + Twine(shape.size()) +
                    " and hold the unpooled shape");
  Type element = getElementTypeOrSelf(x);
  int64_t total = product(unpooled), count = product(shape);
  auto zerosType = RankedTensorType::get({total}, element);
  TypedAttr zero = cast<TypedAttr>(Builder(ctx.context()).getZeroAttr(element));
  Value zeros = ctx.constant(DenseElementsAttr::get(zerosType, zero));
  Value flatIndices = ctx.reshape(indices, {count});
  Value flatX = ctx.reshape(x, {count});
  Value scattered = ctx.create<graph::ScatterElementsOp>(zerosType, zeros, flatIndices, flatX, 0,
                                                         "none");
  Value result = ctx.reshape(scattered, unpooled);
  if (outShape != unpooled)
    result = ctx.create<graph::PadOp>(RankedTensorType::get(outShape, element), result, low,
                                      high, interior, "constant", zero);
  ctx.setOutput(0, result);
  return success();
}

} // namespace

void registerIndexingOps(OpTable &table) {
  table["ScatterElements"] = importScatterElements;
  table["Scatter"] = importScatterElements;
  table["ScatterND"] = importScatterND;
  table["MaxUnpool"] = importMaxUnpool;
}

} // namespace dlc::onnx_frontend
