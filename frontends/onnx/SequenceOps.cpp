// Importers of ONNX's sequence ops: SequenceEmpty, SequenceConstruct, SequenceAt, SequenceInsert,
// SequenceErase, SequenceLength, SplitToSequence and ConcatFromSequence. The importer resolves a
// sequence while it imports: a list of the tensors it holds (NodeContext::sequenceInput), so
// that the ops become no ops, slices and a concatenation. Its length and the positions read,
// inserted or erased must therefore be known at compile time, as they are where exporters build
// a list of tensors and concatenate it.
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"

#include <numeric>

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// The position operand `i` of a sequence of `length` tensors, counted from the end when
/// negative: in [0, length) to read or erase, in [0, length] with `inserting`. When absent: the
/// last tensor, or the end to insert.
FailureOr<int64_t> position(NodeContext &ctx, int i, int64_t length, bool inserting) {
  int64_t end = inserting ? length : length - 1;
  if (!ctx.hasInput(i)) {
    if (end < 0)
      return ctx.fail("the sequence is empty");
    return end;
  }
  FailureOr<double> given = ctx.scalarInput(i, "position");
  if (failed(given))
    return failure();
  int64_t value = int64_t(*given), at = value < 0 ? value + length : value;
  if (at < 0 || at > end)
    return ctx.fail("position " + Twine(value) + " is outside a sequence of " + Twine(length) +
                    " tensors");
  return at;
}

LogicalResult importSequenceEmpty(NodeContext &ctx) {
  ctx.setSequenceOutput(0, {});
  return success();
}

LogicalResult importSequenceConstruct(NodeContext &ctx) {
  SmallVector<Value> elements;
  for (int i = 0; i < ctx.numInputs(); ++i) {
    elements.push_back(ctx.input(i));
    if (getElementTypeOrSelf(elements.back()) != getElementTypeOrSelf(elements.front()))
      return ctx.fail("the tensors of a sequence must have one element type");
  }
  ctx.setSequenceOutput(0, elements);
  return success();
}

/// The sequence of input 0 and the position of one of its tensors given by input 1 (SequenceAt,
/// SequenceErase).
FailureOr<std::pair<SmallVector<Value>, int64_t>> sequenceAndPosition(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.sequenceInput(0);
  if (failed(sequence))
    return failure();
  FailureOr<int64_t> at = position(ctx, 1, sequence->size(), /*inserting=*/false);
  if (failed(at))
    return failure();
  return std::pair{std::move(*sequence), *at};
}

LogicalResult importSequenceAt(NodeContext &ctx) {
  auto found = sequenceAndPosition(ctx);
  if (failed(found))
    return failure();
  ctx.setOutput(0, found->first[found->second]);
  return success();
}

LogicalResult importSequenceInsert(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.sequenceInput(0);
  if (failed(sequence))
    return failure();
  Value tensor = ctx.input(1);
  if (!sequence->empty() &&
      getElementTypeOrSelf(tensor) != getElementTypeOrSelf(sequence->front()))
    return ctx.fail("the tensor's element type differs from the sequence's");
  FailureOr<int64_t> at = position(ctx, 2, sequence->size(), /*inserting=*/true);
  if (failed(at))
    return failure();
  sequence->insert(sequence->begin() + *at, tensor);
  ctx.setSequenceOutput(0, *sequence);
  return success();
}

LogicalResult importSequenceErase(NodeContext &ctx) {
  auto found = sequenceAndPosition(ctx);
  if (failed(found))
    return failure();
  auto &[sequence, at] = *found;
  sequence.erase(sequence.begin() + at);
  ctx.setSequenceOutput(0, sequence);
  return success();
}

LogicalResult importSequenceLength(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.sequenceInput(0);
  if (failed(sequence))
    return failure();
  ctx.setOutput(0, ctx.scalar(ctx.builder().getI64Type(), double(sequence->size())));
  return success();
}

/// SplitToSequence: slices along `axis` of the sizes `split` gives (one size for equal parts,
/// the last smaller; a list of sizes), or of size 1 without it, then with the axis dropped
/// unless `keepdims`.
LogicalResult importSplitToSequence(NodeContext &ctx) {
  Value input = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(input);
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), shape.size());
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(shape.size()));
  int64_t dim = shape[*axis];
  bool keepdims = ctx.intAttr("keepdims", 1) != 0;
  SmallVector<int64_t> sizes;
  if (ctx.hasInput(1)) {
    FailureOr<std::vector<int64_t>> split = ctx.intsInput(1, "split");
    if (failed(split))
      return failure();
    keepdims = true; // ONNX ignores keepdims when split is given
    std::optional<DenseElementsAttr> given = ctx.constantInput(1);
    if (given->getType().getRank() == 0) {
      int64_t part = split->front();
      if (part <= 0)
        return ctx.fail("split must be positive, not " + Twine(part));
      for (int64_t start = 0; start < dim; start += part)
        sizes.push_back(std::min(part, dim - start));
    } else {
      sizes.assign(split->begin(), split->end());
    }
  } else {
    sizes.assign(dim, 1);
  }
  if (llvm::any_of(sizes, [](int64_t s) { return s < 0; }) ||
      std::accumulate(sizes.begin(), sizes.end(), int64_t(0)) != dim)
    return ctx.fail("split sizes do not add up to the dimension (" + Twine(dim) + ")");
  SmallVector<Value> elements;
  int64_t start = 0;
  for (int64_t size : sizes) {
    SmallVector<int64_t> starts(shape.size(), 0), steps(shape.size(), 1), part(shape);
    starts[*axis] = start;
    part[*axis] = size;
    start += size;
    auto type = RankedTensorType::get(part, getElementTypeOrSelf(input));
    Value slice = ctx.create<graph::SliceOp>(type, input, starts, steps);
    if (!keepdims) {
      part.erase(part.begin() + *axis);
      slice = ctx.reshape(slice, part);
    }
    elements.push_back(slice);
  }
  ctx.setSequenceOutput(0, elements);
  return success();
}

/// ConcatFromSequence: the tensors concatenated along `axis`, or with `new_axis` stacked along
/// a new one inserted there.
LogicalResult importConcatFromSequence(NodeContext &ctx) {
  FailureOr<SmallVector<Value>> sequence = ctx.sequenceInput(0);
  if (failed(sequence))
    return failure();
  if (sequence->empty())
    return ctx.fail("the sequence is empty");
  bool newAxis = ctx.intAttr("new_axis", 0) != 0;
  int64_t rank = shapeOf(sequence->front()).size();
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), rank + (newAxis ? 1 : 0));
  if (!axis)
    return ctx.fail("axis is out of range for rank " + Twine(rank));
  SmallVector<Value> parts;
  SmallVector<int64_t> shape;
  for (Value tensor : *sequence) {
    SmallVector<int64_t> partShape(shapeOf(tensor));
    if (int64_t(partShape.size()) != rank)
      return ctx.fail("the sequence's tensors have different ranks");
    if (newAxis) {
      partShape.insert(partShape.begin() + *axis, 1);
      tensor = ctx.reshape(tensor, partShape);
    }
    if (shape.empty()) {
      shape = partShape;
      shape[*axis] = 0;
    }
    for (auto [d, size] : llvm::enumerate(partShape))
      if (int64_t(d) != *axis && size != shape[d])
        return ctx.fail("the sequence's tensors differ in dimension " + Twine(d) +
                        " outside the axis");
    shape[*axis] += partShape[*axis];
    parts.push_back(tensor);
  }
  auto type = RankedTensorType::get(shape, getElementTypeOrSelf(parts.front()));
  ctx.setOutput(0, parts.size() == 1 ? parts.front()
                                     : ctx.create<graph::ConcatOp>(type, parts, *axis).getResult());
  return success();
}

} // namespace

void registerSequenceOps(OpTable &table) {
  table["SequenceEmpty"] = importSequenceEmpty;
  table["SequenceConstruct"] = importSequenceConstruct;
  table["SequenceAt"] = importSequenceAt;
  table["SequenceInsert"] = importSequenceInsert;
  table["SequenceErase"] = importSequenceErase;
  table["SequenceLength"] = importSequenceLength;
  table["SplitToSequence"] = importSplitToSequence;
  table["ConcatFromSequence"] = importConcatFromSequence;
}

} // namespace dlc::onnx_frontend
