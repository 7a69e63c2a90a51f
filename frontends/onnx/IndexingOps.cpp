// Importers of ONNX ops that move elements to or from positions held in tensors: ScatterElements,
// Scatter, ScatterND, GatherND, MaxUnpool, TopK, Compress and ReverseSequence.
#include "frontends/onnx/Expansion.h"
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

/// GatherND: each index tuple (the last dimension of indices, after `batch_dims` dimensions
/// shared with data) becomes a row-major offset into data viewed as [batches * addressed
/// elements, trailing dims...]; a graph.gather along that first dimension takes the slices.
LogicalResult importGatherND(NodeContext &ctx) {
  Value data = ctx.input(0), indices = ctx.input(1);
  ArrayRef<int64_t> dataShape = shapeOf(data), indexShape = shapeOf(indices);
  int64_t rank = dataShape.size(), indexRank = indexShape.size();
  int64_t batchDims = ctx.intAttr("batch_dims", 0);
  if (batchDims < 0 || batchDims >= std::min(rank, indexRank))
    return ctx.fail("batch_dims " + Twine(batchDims) + " must be below the ranks of data and " +
                    "indices");
  if (dataShape.take_front(batchDims) != indexShape.take_front(batchDims))
    return ctx.fail("data and indices differ in their batch dimensions");
  int64_t tupleSize = indexShape.back();
  if (tupleSize < 1 || batchDims + tupleSize > rank)
    return ctx.fail("index tuples of " + Twine(tupleSize) + " do not fit data of rank " +
                    Twine(rank) + " after " + Twine(batchDims) + " batch dimensions");
  ArrayRef<int64_t> addressed = dataShape.slice(batchDims, tupleSize);

  // Negative indices count from the end of their dimension.
  Expansion e(ctx);
  auto i64 = IntegerType::get(ctx.context(), 64);
  auto tupleType = RankedTensorType::get({tupleSize}, i64);
  SmallVector<double> sizes, strides(tupleSize, 1);
  for (int64_t j = tupleSize - 1; j >= 0; --j) {
    sizes.insert(sizes.begin(), double(addressed[j]));
    if (j + 1 < tupleSize)
      strides[j] = strides[j + 1] * addressed[j + 1];
  }
  Value index = e.cast(indices, i64);
  Value negative = e.compare<graph::LessOp>(index, ctx.scalar(i64, 0));
  Value wrapped = e.apply<graph::AddOp>(index, ctx.constant(tupleType, sizes));
  index = e.select(negative, wrapped, index);

  // offset = sum_j index_j * stride_j + batch * (elements a batch addresses).
  Value scaled = e.apply<graph::MulOp>(index, ctx.constant(tupleType, strides));
  auto offsetType = RankedTensorType::get(indexShape.drop_back(), i64);
  SmallVector<int64_t> lastAxis{indexRank - 1};
  Value offset = ctx.create<graph::ReduceSumOp>(offsetType, scaled, lastAxis, false);
  if (batchDims > 0) {
    SmallVector<int64_t> batchShape(indexShape.take_front(batchDims));
    batchShape.resize(indexRank - 1, 1);
    int64_t batches = product(indexShape.take_front(batchDims)), step = product(addressed);
    SmallVector<double> starts;
    for (int64_t batch = 0; batch < batches; ++batch)
      starts.push_back(double(batch * step));
    offset = e.apply<graph::AddOp>(offset, ctx.constant(RankedTensorType::get(batchShape, i64),
                                                        starts));
  }
  SmallVector<int64_t> flatShape{product(dataShape.take_front(batchDims + tupleSize))};
  flatShape.append(dataShape.begin() + batchDims + tupleSize, dataShape.end());
  Value flat = ctx.reshape(data, flatShape);
  SmallVector<int64_t> resultShape(indexShape.drop_back());
  resultShape.append(flatShape.begin() + 1, flatShape.end());
  auto type = RankedTensorType::get(resultShape, getElementTypeOrSelf(data));
  ctx.setOutput(0, ctx.create<graph::GatherOp>(type, flat, offset, 0));
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

/// TopK: K is an attribute before opset 10 and a constant operand since; the results are
/// always sorted (any order is allowed when `sorted` is 0).
/// TopK with K computed at run time: the whole axis is sorted, and the outputs have a
/// data-dependent size along it, K clamped to [0, axis size].
LogicalResult importRuntimeTopK(NodeContext &ctx, int64_t axis) {
  Value input = ctx.input(0), k = ctx.input(1);
  auto kType = cast<RankedTensorType>(k.getType());
  if (kType.getNumElements() != 1 || !kType.getElementType().isInteger(64))
    return ctx.fail("K must hold one int64 value");
  ArrayRef<int64_t> shape = shapeOf(input);
  auto indicesType = RankedTensorType::get(shape, IntegerType::get(ctx.context(), 64));
  bool largest = ctx.intAttr("largest", 1) != 0;
  auto topK = ctx.create<graph::TopKOp>(cast<RankedTensorType>(input.getType()), indicesType,
                                        input, axis, shape[axis], largest);
  auto countType = RankedTensorType::get({}, kType.getElementType());
  Value count = ctx.reshape(k, {});
  count = ctx.create<graph::MinOp>(countType, count, ctx.scalar(countType.getElementType(),
                                                                double(shape[axis])));
  count = ctx.create<graph::MaxOp>(countType, count, ctx.scalar(countType.getElementType(), 0));
  ctx.setDataDependentOutput(0, topK.getValues(), count, axis);
  ctx.setDataDependentOutput(1, topK.getIndices(), count, axis);
  return success();
}

LogicalResult importTopK(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", -1), shape.size());
  if (!axis || shape.empty())
    return ctx.fail("axis is out of range for rank " + Twine(shape.size()));
  int64_t k = ctx.intAttr("k", -1);
  if (ctx.opset() >= 10 && !ctx.constantInput(1))
    return importRuntimeTopK(ctx, *axis);
  if (ctx.opset() >= 10) {
    FailureOr<std::vector<int64_t>> given = ctx.intsInput(1, "K");
    if (failed(given))
      return failure();
    if (given->size() != 1)
      return ctx.fail("K must hold one value");
    k = given->front();
  }
  if (k < 0 || k > shape[*axis])
    return ctx.fail("K = " + Twine(k) + " is not in [0, " + Twine(shape[*axis]) + "]");
  SmallVector<int64_t> resultShape(shape);
  resultShape[*axis] = k;
  auto valuesType = RankedTensorType::get(resultShape, getElementTypeOrSelf(input));
  auto indicesType = RankedTensorType::get(resultShape, IntegerType::get(ctx.context(), 64));
  bool largest = ctx.intAttr("largest", 1) != 0;
  auto topK = ctx.create<graph::TopKOp>(valuesType, indicesType, input, *axis, k, largest);
  ctx.setOutput(0, topK.getValues());
  ctx.setOutput(1, topK.getIndices());
  return success();
}

/// Compress: the slices along `axis` (or elements of the flattened input) where the condition,
/// a constant, is true: a gather at constant positions. Positions past the condition's end are
/// dropped.
LogicalResult importCompress(NodeContext &ctx) {
  Value input = ctx.input(0);
  std::optional<DenseElementsAttr> condition = ctx.constantInput(1);
  if (!condition)
    return ctx.fail("operand 'condition' (\"" + ctx.node().input(1) +
                    "\") must be a constant for dlc to compile this model");
  if (!condition->getElementType().isInteger(1))
    return ctx.fail("condition must hold bools");
  int64_t axis = 0;
  if (ctx.hasAttr("axis")) {
    std::optional<int64_t> given = normalizeAxis(ctx.intAttr("axis", 0), shapeOf(input).size());
    if (!given)
      return ctx.fail("axis is out of range for rank " + Twine(shapeOf(input).size()));
    axis = *given;
  } else {
    input = ctx.reshape(input, {product(shapeOf(input))});
  }
  int64_t size = shapeOf(input)[axis];
  SmallVector<double> positions;
  for (auto [i, keep] : llvm::enumerate(condition->getValues<bool>())) {
    if (!keep)
      continue;
    if (int64_t(i) >= size)
      return ctx.fail("condition selects position " + Twine(i) + " of a dimension of " +
                      Twine(size));
    positions.push_back(double(i));
  }
  auto positionsType =
      RankedTensorType::get({int64_t(positions.size())}, IntegerType::get(ctx.context(), 64));
  Value selected = ctx.constant(positionsType, positions);
  SmallVector<int64_t> shape(shapeOf(input));
  shape[axis] = positions.size();
  auto type = RankedTensorType::get(shape, getElementTypeOrSelf(input));
  ctx.setOutput(0, ctx.create<graph::GatherOp>(type, input, selected, axis));
  return success();
}

/// ReverseSequence: along `time_axis`, the first sequence_lens[b] elements of batch b are read
/// in reverse and the rest in place: a gather_elements at t < len ? len - 1 - t : t.
LogicalResult importReverseSequence(NodeContext &ctx) {
  Value input = ctx.input(0), lens = ctx.input(1);
  ArrayRef<int64_t> shape = shapeOf(input);
  int64_t rank = shape.size();
  std::optional<int64_t> batchAxis = normalizeAxis(ctx.intAttr("batch_axis", 1), rank);
  std::optional<int64_t> timeAxis = normalizeAxis(ctx.intAttr("time_axis", 0), rank);
  if (rank < 2 || !batchAxis || !timeAxis || *batchAxis == *timeAxis || *batchAxis > 1 ||
      *timeAxis > 1)
    return ctx.fail("batch_axis and time_axis must be 0 and 1 (in either order) of a tensor of "
                    "rank >= 2");
  if (shapeOf(lens) != ArrayRef<int64_t>{shape[*batchAxis]})
    return ctx.fail("sequence_lens must hold one length per batch");
  Expansion e(ctx);
  auto i64 = IntegerType::get(ctx.context(), 64);
  SmallVector<int64_t> alongBatch(rank, 1);
  alongBatch[*batchAxis] = shape[*batchAxis];
  Value len = ctx.reshape(e.cast(lens, i64), alongBatch);
  Value time = e.iota(shape[*timeAxis], i64, *timeAxis, rank);
  Value inSequence = e.compare<graph::LessOp>(time, len);
  Value last = e.apply<graph::SubOp>(len, 1.0);
  Value reversed = e.apply<graph::SubOp>(last, time);
  Value source = e.select(inSequence, reversed, time);
  auto indexType = RankedTensorType::get(shape, i64);
  if (shapeOf(source) != shape)
    source = ctx.create<graph::BroadcastOp>(indexType, source);
  ctx.setOutput(0, ctx.create<graph::GatherElementsOp>(input.getType(), input, source,
                                                       *timeAxis));
  return success();
}

} // namespace

/// NonZero: its result has one column per nonzero element, a number known only at run time. It
/// is computed at its largest (one column per element) with the count beside it; the count
/// reaches the application through NAME_result_shape when the result is a graph output.
LogicalResult importNonZero(NodeContext &ctx) {
  Value input = ctx.input(0);
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() == 0)
    return ctx.fail("a scalar input is not supported");
  OpBuilder &b = ctx.builder();
  auto indicesType =
      RankedTensorType::get({type.getRank(), type.getNumElements()}, b.getI64Type());
  auto op = ctx.create<graph::NonZeroOp>(indicesType, RankedTensorType::get({}, b.getI64Type()),
                                         input);
  ctx.setDataDependentOutput(0, op.getIndices(), op.getCount(), /*axis=*/1);
  return success();
}

/// Unique: the distinct elements, or with `axis` the distinct slices along it, with where each
/// first occurs, the inverse mapping and how often each occurs. graph.unique works on the rows
/// of a matrix: the input flattened to [N, 1], or with the axis moved first and the other
/// dimensions flattened, [N, S]; the values go back to the input's layout. Values, indices and
/// counts are computed at their largest (N) with the count beside them.
LogicalResult importUnique(NodeContext &ctx) {
  Value input = ctx.input(0);
  auto type = cast<RankedTensorType>(input.getType());
  ArrayRef<int64_t> shape = type.getShape();
  Type element = type.getElementType();
  std::optional<int64_t> axis;
  if (ctx.hasAttr("axis")) {
    axis = normalizeAxis(ctx.intAttr("axis", 0), shape.size());
    if (!axis)
      return ctx.fail("axis is out of range for rank " + Twine(shape.size()));
  }
  int64_t n = axis ? shape[*axis] : type.getNumElements();
  if (type.getNumElements() == 0)
    return ctx.fail("an empty input is not supported");
  int64_t width = type.getNumElements() / n;
  Value rows = input;
  SmallVector<int64_t> perm, inversePerm(shape.size()), moved;
  if (axis) {
    perm.push_back(*axis);
    for (int64_t d = 0; d < int64_t(shape.size()); ++d)
      if (d != *axis)
        perm.push_back(d);
    for (auto [i, p] : llvm::enumerate(perm)) {
      moved.push_back(shape[p]);
      inversePerm[p] = int64_t(i);
    }
    if (*axis != 0)
      rows = ctx.create<graph::TransposeOp>(RankedTensorType::get(moved, element), input, perm);
  }
  rows = ctx.reshape(rows, {n, width});
  OpBuilder &b = ctx.builder();
  auto list = RankedTensorType::get({n}, b.getI64Type());
  auto op = ctx.create<graph::UniqueOp>(
      RankedTensorType::get({n, width}, element), list, list, list,
      RankedTensorType::get({}, b.getI64Type()), rows, b.getBoolAttr(ctx.intAttr("sorted", 1)));
  Value values = op.getValues();
  if (axis) {
    values = ctx.reshape(values, moved);
    if (*axis != 0)
      values = ctx.create<graph::TransposeOp>(type, values, inversePerm);
  } else {
    values = ctx.reshape(values, {n});
  }
  ctx.setDataDependentOutput(0, values, op.getCount(), axis.value_or(0));
  ctx.setDataDependentOutput(1, op.getIndices(), op.getCount(), 0);
  ctx.setOutput(2, op.getInverse());
  ctx.setDataDependentOutput(3, op.getCounts(), op.getCount(), 0);
  return success();
}

/// NonMaxSuppression: at most max_output_boxes_per_class boxes per batch and class are kept, so
/// the result is computed at batch x classes x that many rows with the count beside it. The
/// limit and thresholds must be known at compile time.
LogicalResult importNonMaxSuppression(NodeContext &ctx) {
  Value boxes = ctx.input(0), scores = ctx.input(1);
  ArrayRef<int64_t> boxShape = shapeOf(boxes), scoreShape = shapeOf(scores);
  if (boxShape.size() != 3 || boxShape[2] != 4 || scoreShape.size() != 3 ||
      scoreShape[0] != boxShape[0] || scoreShape[2] != boxShape[1])
    return ctx.fail("boxes and scores must be [batch, boxes, 4] and [batch, classes, boxes]");
  if (!isa<FloatType>(cast<RankedTensorType>(boxes.getType()).getElementType()))
    return ctx.fail("boxes and scores must be floating point");
  int64_t maxPerClass = 0;
  double iouThreshold = 0;
  std::optional<double> scoreThreshold;
  if (ctx.hasInput(2)) {
    FailureOr<double> value = ctx.scalarInput(2, "max_output_boxes_per_class");
    if (failed(value))
      return failure();
    maxPerClass = std::max<int64_t>(0, int64_t(*value));
  }
  if (ctx.hasInput(3)) {
    FailureOr<double> value = ctx.scalarInput(3, "iou_threshold");
    if (failed(value))
      return failure();
    iouThreshold = *value;
  }
  if (ctx.hasInput(4)) {
    FailureOr<double> value = ctx.scalarInput(4, "score_threshold");
    if (failed(value))
      return failure();
    scoreThreshold = *value;
  }
  OpBuilder &b = ctx.builder();
  int64_t rows = boxShape[0] * scoreShape[1] * std::min(maxPerClass, boxShape[1]);
  auto op = ctx.create<graph::NonMaxSuppressionOp>(
      RankedTensorType::get({rows, 3}, b.getI64Type()), RankedTensorType::get({}, b.getI64Type()),
      boxes, scores, b.getI64IntegerAttr(maxPerClass), b.getF64FloatAttr(iouThreshold),
      scoreThreshold ? b.getF64FloatAttr(*scoreThreshold) : FloatAttr(),
      b.getBoolAttr(ctx.intAttr("center_point_box", 0) != 0));
  ctx.setDataDependentOutput(0, op.getSelected(), op.getCount(), /*axis=*/0);
  return success();
}

void registerIndexingOps(OpTable &table) {
  table["NonZero"] = importNonZero;
  table["Unique"] = importUnique;
  table["NonMaxSuppression"] = importNonMaxSuppression;
  table["ScatterElements"] = importScatterElements;
  table["Scatter"] = importScatterElements;
  table["ScatterND"] = importScatterND;
  table["GatherND"] = importGatherND;
  table["MaxUnpool"] = importMaxUnpool;
  table["TopK"] = importTopK;
  table["Compress"] = importCompress;
  table["ReverseSequence"] = importReverseSequence;
}

} // namespace dlc::onnx_frontend
