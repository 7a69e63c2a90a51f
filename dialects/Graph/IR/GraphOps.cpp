// Verifiers of the graph dialect's ops (the folders are in GraphFolders.cpp).
// Each verifier states the invariant that the lowering relies on and prints the values it rejects.
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace dlc::graph;

#define GET_OP_CLASSES
#include "dialects/Graph/IR/GraphOps.cpp.inc"

namespace {

ArrayRef<int64_t> shapeOf(Value value) { return cast<RankedTensorType>(value.getType()).getShape(); }

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? "x" : "") + (ShapedType::isDynamic(dim) ? std::string("?") : std::to_string(dim));
  return text + "]";
}

/// Checks that `result` has the numpy broadcast shape of `lhs` and `rhs`.
LogicalResult verifyBroadcast(Operation *op, Value lhs, Value rhs, Value result) {
  SmallVector<int64_t> expected;
  if (!OpTrait::util::getBroadcastedShape(shapeOf(lhs), shapeOf(rhs), expected))
    return op->emitOpError() << "operand shapes " << shapeString(shapeOf(lhs)) << " and "
                             << shapeString(shapeOf(rhs)) << " do not broadcast";
  if (ArrayRef<int64_t>(expected) != shapeOf(result))
    return op->emitOpError() << "result shape " << shapeString(shapeOf(result))
                             << " is not the broadcast shape " << shapeString(expected);
  return success();
}

/// Checks the attributes shared by windowed ops over [N, C, D1..Dk].
LogicalResult verifyWindow(Operation *op, int64_t spatialRank, ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads) {
  if (spatialRank < 1)
    return op->emitOpError() << "expects at least one spatial dimension";
  if (int64_t(strides.size()) != spatialRank || int64_t(dilations.size()) != spatialRank)
    return op->emitOpError() << "expects " << spatialRank << " strides and dilations, got "
                             << strides.size() << " and " << dilations.size();
  if (int64_t(pads.size()) != 2 * spatialRank)
    return op->emitOpError() << "expects " << 2 * spatialRank << " pads, got " << pads.size();
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }) ||
      llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError() << "expects positive strides and dilations, non-negative pads";
  return success();
}

template <typename ReduceOp> LogicalResult verifyReduce(ReduceOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  ArrayRef<int64_t> axes = op.getAxes();
  int64_t rank = in.size();
  for (auto [i, axis] : llvm::enumerate(axes))
    if (axis < 0 || axis >= rank || (i > 0 && axes[i - 1] >= axis))
      return op.emitOpError() << "axes must be sorted, unique and in [0, " << rank << ")";
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    if (!reduced)
      expected.push_back(in[d]);
    else if (op.getKeepdims())
      expected.push_back(1);
  }
  if (ArrayRef<int64_t>(expected) != shapeOf(op.getResult()))
    return op.emitOpError() << "result shape " << shapeString(shapeOf(op.getResult()))
                            << " does not match the reduced shape " << shapeString(expected);
  return success();
}

} // namespace

#define DLC_BINARY_VERIFIER(OP)                                                                    \
  LogicalResult OP::verify() { return verifyBroadcast(*this, getLhs(), getRhs(), getResult()); }
DLC_BINARY_VERIFIER(AddOp)
DLC_BINARY_VERIFIER(SubOp)
DLC_BINARY_VERIFIER(MulOp)
DLC_BINARY_VERIFIER(DivOp)
DLC_BINARY_VERIFIER(MaxOp)
DLC_BINARY_VERIFIER(MinOp)
DLC_BINARY_VERIFIER(PowOp)
DLC_BINARY_VERIFIER(EqualOp)
DLC_BINARY_VERIFIER(LessOp)
DLC_BINARY_VERIFIER(LessEqualOp)
DLC_BINARY_VERIFIER(GreaterOp)
DLC_BINARY_VERIFIER(GreaterEqualOp)
DLC_BINARY_VERIFIER(AndOp)
DLC_BINARY_VERIFIER(OrOp)
DLC_BINARY_VERIFIER(XorOp)
DLC_BINARY_VERIFIER(ShiftLeftOp)
DLC_BINARY_VERIFIER(ShiftRightOp)
DLC_BINARY_VERIFIER(ModOp)
#undef DLC_BINARY_VERIFIER

/// Checks an arg-reduction's axis and result shape.
template <typename ArgOp> LogicalResult verifyArgReduce(ArgOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput());
  int64_t axis = op.getAxis(), rank = in.size();
  if (axis < 0 || axis >= rank)
    return op.emitOpError() << "axis " << axis << " is not in [0, " << rank << ")";
  SmallVector<int64_t> expected(in);
  if (op.getKeepdims())
    expected[axis] = 1;
  else
    expected.erase(expected.begin() + axis);
  if (ArrayRef<int64_t>(expected) != shapeOf(op.getResult()))
    return op.emitOpError() << "result shape " << shapeString(shapeOf(op.getResult()))
                            << " should be " << shapeString(expected);
  return success();
}

LogicalResult ArgMaxOp::verify() { return verifyArgReduce(*this); }
LogicalResult ArgMinOp::verify() { return verifyArgReduce(*this); }

LogicalResult BroadcastOp::verify() {
  return verifyBroadcast(*this, getInput(), getResult(), getResult());
}

LogicalResult SelectOp::verify() {
  SmallVector<int64_t> values, all;
  if (!OpTrait::util::getBroadcastedShape(shapeOf(getOnTrue()), shapeOf(getOnFalse()), values) ||
      !OpTrait::util::getBroadcastedShape(shapeOf(getCondition()), values, all))
    return emitOpError() << "operand shapes " << shapeString(shapeOf(getCondition())) << ", "
                         << shapeString(shapeOf(getOnTrue())) << " and "
                         << shapeString(shapeOf(getOnFalse())) << " do not broadcast";
  if (ArrayRef<int64_t>(all) != shapeOf(getResult()))
    return emitOpError() << "result shape " << shapeString(shapeOf(getResult()))
                         << " is not the broadcast shape " << shapeString(all);
  if (getElementTypeOrSelf(getOnTrue()) != getElementTypeOrSelf(getResult()) ||
      getElementTypeOrSelf(getOnFalse()) != getElementTypeOrSelf(getResult()))
    return emitOpError() << "expects both values to have the result's element type";
  return success();
}

LogicalResult MatMulOp::verify() {
  ArrayRef<int64_t> lhs = shapeOf(getLhs()), rhs = shapeOf(getRhs());
  if (lhs.size() < 2 || rhs.size() < 2)
    return emitOpError() << "expects operands of rank >= 2, got " << shapeString(lhs) << " and "
                         << shapeString(rhs);
  if (lhs.back() != rhs[rhs.size() - 2])
    return emitOpError() << "contraction sizes differ: " << shapeString(lhs) << " x "
                         << shapeString(rhs);
  SmallVector<int64_t> batch;
  if (!OpTrait::util::getBroadcastedShape(lhs.drop_back(2), rhs.drop_back(2), batch))
    return emitOpError() << "batch dimensions of " << shapeString(lhs) << " and "
                         << shapeString(rhs) << " do not broadcast";
  batch.push_back(lhs[lhs.size() - 2]);
  batch.push_back(rhs.back());
  if (ArrayRef<int64_t>(batch) != shapeOf(getResult()))
    return emitOpError() << "result shape " << shapeString(shapeOf(getResult())) << " should be "
                         << shapeString(batch);
  Type lhsElement = getElementTypeOrSelf(getLhs()), rhsElement = getElementTypeOrSelf(getRhs());
  Type resultElement = getElementTypeOrSelf(getResult());
  auto isByte = [](Type type) { return type.isInteger(8); };
  bool widened = (isByte(lhsElement) && isByte(rhsElement) && resultElement.isInteger(32) &&
                  !resultElement.isUnsignedInteger()) ||
                 (lhsElement.isBF16() && rhsElement.isBF16() && resultElement.isF32());
  if (!widened && (lhsElement != resultElement || rhsElement != resultElement))
    return emitOpError() << "operands of " << lhsElement << " and " << rhsElement
                         << " with a result of " << resultElement
                         << ": the types should match, or be 8-bit integers summed in int32, or "
                            "bf16 summed in f32";
  return success();
}

LogicalResult ConvOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), filter = shapeOf(getFilter()),
                    out = shapeOf(getResult());
  int64_t spatial = int64_t(in.size()) - 2;
  if (failed(verifyWindow(*this, spatial, getStrides(), getDilations(), getPads())))
    return failure();
  if (filter.size() != in.size() || out.size() != in.size())
    return emitOpError() << "input, filter and result must have the same rank, got "
                         << shapeString(in) << ", " << shapeString(filter) << ", "
                         << shapeString(out);
  int64_t group = getGroup();
  if (group < 1 || in[1] % group != 0 || filter[0] % group != 0)
    return emitOpError() << "group=" << group << " must divide " << in[1]
                         << " input channels and " << filter[0] << " filters";
  if (filter[1] * group != in[1])
    return emitOpError() << "filter has " << filter[1] << " channels per group, input has "
                         << in[1] << " channels in " << group << " groups";
  if (out[0] != in[0] || out[1] != filter[0])
    return emitOpError() << "result " << shapeString(out) << " must be [N=" << in[0]
                         << ", F=" << filter[0] << ", ...]";
  if (getBias() && shapeOf(getBias()) != ArrayRef<int64_t>{filter[0]})
    return emitOpError() << "bias must have shape [" << filter[0] << "]";
  Type inElement = getElementTypeOrSelf(getInput());
  Type filterElement = getElementTypeOrSelf(getFilter());
  Type resultElement = getElementTypeOrSelf(getResult());
  bool integer = inElement.isSignlessInteger(8) && filterElement.isSignlessInteger(8) &&
                 resultElement.isSignlessInteger(32);
  bool bf16 = inElement.isBF16() && filterElement.isBF16() && resultElement.isF32();
  bool same = isa<FloatType>(resultElement) && inElement == resultElement &&
              filterElement == resultElement;
  if (!integer && !bf16 && !same)
    return emitOpError() << "input of " << inElement << " and filter of " << filterElement
                         << " with a result of " << resultElement
                         << ": the types should be one float type, or int8 summed in int32, or "
                            "bf16 summed in f32";
  if (getBias() && getElementTypeOrSelf(getBias()) != resultElement)
    return emitOpError() << "bias must hold " << resultElement;
  if ((integer || bf16) && group != 1 && (filter[1] != 1 || filter[0] != group))
    return emitOpError() << "an int8 or bf16 convolution must be ungrouped or depthwise (one "
                            "input and one output channel per group)";
  if (integer && llvm::any_of(getPads(), [](int64_t pad) { return pad != 0; }))
    return emitOpError() << "an int8 convolution takes its input padded (with its zero point)";
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t window = getDilations()[i] * (filter[2 + i] - 1) + 1;
    int64_t padded = in[2 + i] + getPads()[i] + getPads()[spatial + i];
    int64_t expected = padded < window ? 0 : (padded - window) / getStrides()[i] + 1;
    if (out[2 + i] != expected)
      return emitOpError() << "spatial dimension " << i << " of the result is " << out[2 + i]
                           << ", expected " << expected;
  }
  return success();
}

template <typename PoolOp> static LogicalResult verifyPool(PoolOp op) {
  ArrayRef<int64_t> in = shapeOf(op.getInput()), out = shapeOf(op.getResult());
  int64_t spatial = int64_t(in.size()) - 2;
  if (failed(verifyWindow(op, spatial, op.getStrides(), op.getDilations(), op.getPads())))
    return failure();
  if (int64_t(op.getKernel().size()) != spatial || out.size() != in.size() ||
      out[0] != in[0] || out[1] != in[1])
    return op.emitOpError() << "kernel rank or result shape " << shapeString(out)
                            << " does not match input " << shapeString(in);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t window = op.getDilations()[i] * (op.getKernel()[i] - 1) + 1;
    int64_t padded = in[2 + i] + op.getPads()[i] + op.getPads()[spatial + i];
    int64_t floorOut = (padded - window) / op.getStrides()[i] + 1;
    if (out[2 + i] != floorOut && out[2 + i] != floorOut + 1)
      return op.emitOpError() << "spatial dimension " << i << " of the result is " << out[2 + i]
                              << ", expected " << floorOut << " (or one more in ceil mode)";
  }
  return success();
}

LogicalResult MaxPoolOp::verify() { return verifyPool(*this); }
LogicalResult AvgPoolOp::verify() { return verifyPool(*this); }

LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMinOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceProdOp::verify() { return verifyReduce(*this); }

LogicalResult SoftmaxOp::verify() {
  int64_t rank = shapeOf(getInput()).size(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getResult().getType());
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError() << "cannot reshape " << shapeString(in.getShape()) << " ("
                         << in.getNumElements() << " elements) to " << shapeString(out.getShape());
  return success();
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  ArrayRef<int64_t> perm = getPerm();
  if (perm.size() != in.size() || out.size() != in.size())
    return emitOpError() << "perm has " << perm.size() << " entries for rank " << in.size();
  SmallVector<bool> seen(in.size(), false);
  for (auto [i, p] : llvm::enumerate(perm)) {
    if (p < 0 || p >= int64_t(in.size()) || seen[p])
      return emitOpError() << "perm is not a permutation of [0, " << in.size() << ")";
    seen[p] = true;
    if (out[i] != in[p])
      return emitOpError() << "result dimension " << i << " is " << out[i] << ", expected "
                           << in[p];
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "expects at least one input";
  ArrayRef<int64_t> out = shapeOf(getResult());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= int64_t(out.size()))
    return emitOpError() << "axis " << axis << " is out of range for rank " << out.size();
  int64_t total = 0;
  for (Value input : getInputs()) {
    ArrayRef<int64_t> in = shapeOf(input);
    if (in.size() != out.size())
      return emitOpError() << "input " << shapeString(in) << " has a different rank";
    for (int64_t d = 0; d < int64_t(in.size()); ++d)
      if (d != axis && in[d] != out[d])
        return emitOpError() << "input " << shapeString(in) << " differs from the result "
                             << shapeString(out) << " outside axis " << axis;
    total += in[axis];
  }
  if (total != out[axis])
    return emitOpError() << "inputs add up to " << total << " along axis " << axis
                         << ", result has " << out[axis];
  return success();
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  if (getStarts().size() != in.size() || getSteps().size() != in.size() ||
      out.size() != in.size())
    return emitOpError() << "expects one start and one step per dimension of " << shapeString(in);
  for (int64_t d = 0; d < int64_t(in.size()); ++d) {
    int64_t start = getStarts()[d], step = getSteps()[d];
    if (step == 0)
      return emitOpError() << "step of dimension " << d << " is zero";
    if (out[d] == 0)
      continue;
    int64_t last = start + (out[d] - 1) * step;
    if (start < 0 || start >= in[d] || last < 0 || last >= in[d])
      return emitOpError() << "dimension " << d << " reads [" << start << ", " << last
                           << "] out of [0, " << in[d] << ")";
  }
  return success();
}

LogicalResult PadOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  int64_t rank = in.size();
  if (int64_t(getLow().size()) != rank || int64_t(getHigh().size()) != rank ||
      int64_t(getInterior().size()) != rank || int64_t(out.size()) != rank)
    return emitOpError() << "expects low, high and interior padding for each dimension of "
                         << shapeString(in);
  StringRef mode = getMode();
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return emitOpError() << "mode must be constant, edge or reflect, got '" << mode << "'";
  if (getValue().getType() != getElementTypeOrSelf(getInput().getType()))
    return emitOpError() << "value " << getValue() << " does not have the element type";
  for (int64_t d = 0; d < rank; ++d) {
    int64_t low = getLow()[d], high = getHigh()[d], interior = getInterior()[d];
    if (low < 0 || high < 0 || interior < 0)
      return emitOpError() << "padding of dimension " << d << " is negative";
    if (mode != "constant" && interior != 0)
      return emitOpError() << "interior padding needs mode constant";
    if (mode != "constant" && (in[d] == 0 || (mode == "reflect" && std::max(low, high) >= in[d])))
      return emitOpError() << "dimension " << d << " of size " << in[d] << " cannot be padded by "
                           << low << " and " << high << " in mode " << mode;
    int64_t expected = low + in[d] + (in[d] > 0 ? interior * (in[d] - 1) : 0) + high;
    if (out[d] != expected)
      return emitOpError() << "result dimension " << d << " is " << out[d] << ", expected "
                           << expected;
  }
  return success();
}

LogicalResult GatherOp::verify() {
  ArrayRef<int64_t> data = shapeOf(getData()), indices = shapeOf(getIndices());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= int64_t(data.size()))
    return emitOpError() << "axis " << axis << " is out of range for rank " << data.size();
  SmallVector<int64_t> expected(data.begin(), data.begin() + axis);
  expected.append(indices.begin(), indices.end());
  expected.append(data.begin() + axis + 1, data.end());
  if (ArrayRef<int64_t>(expected) != shapeOf(getResult()))
    return emitOpError() << "result shape " << shapeString(shapeOf(getResult()))
                         << " should be " << shapeString(expected);
  if (getElementTypeOrSelf(getData().getType()) != getElementTypeOrSelf(getResult().getType()))
    return emitOpError() << "result element type differs from data";
  return success();
}

namespace {

/// Checks the indices of an op that addresses `data` elementwise along `axis` (gather_elements,
/// scatter_elements): same rank as data, no larger than it off the axis.
LogicalResult verifyElementIndices(Operation *op, ArrayRef<int64_t> data,
                                   ArrayRef<int64_t> indices, int64_t axis) {
  int64_t rank = data.size();
  if (axis < 0 || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  if (int64_t(indices.size()) != rank)
    return op->emitOpError() << "indices " << shapeString(indices)
                             << " must have the rank of data " << shapeString(data);
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && indices[d] > data[d])
      return op->emitOpError() << "indices " << shapeString(indices) << " exceed data "
                               << shapeString(data) << " in dimension " << d;
  return success();
}

} // namespace

LogicalResult GatherElementsOp::verify() {
  ArrayRef<int64_t> data = shapeOf(getData()), indices = shapeOf(getIndices());
  if (failed(verifyElementIndices(*this, data, indices, getAxis())))
    return failure();
  if (shapeOf(getResult()) != indices)
    return emitOpError() << "result shape " << shapeString(shapeOf(getResult()))
                         << " should be the indices' shape " << shapeString(indices);
  if (getElementTypeOrSelf(getData().getType()) != getElementTypeOrSelf(getResult().getType()))
    return emitOpError() << "result element type differs from data";
  return success();
}

namespace {

/// Checks a scatter's reduction name and that its result has the type of `data`.
LogicalResult verifyScatter(Operation *op, StringRef reduction, Value data, Value updates,
                            Value result) {
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return op->emitOpError() << "reduction \"" << reduction
                             << "\" is not one of none, add, mul, max, min";
  if (data.getType() != result.getType())
    return op->emitOpError() << "result type " << result.getType() << " differs from data's "
                             << data.getType();
  if (getElementTypeOrSelf(updates) != getElementTypeOrSelf(data))
    return op->emitOpError() << "updates' element type " << getElementTypeOrSelf(updates)
                             << " differs from data's " << getElementTypeOrSelf(data);
  return success();
}

} // namespace

LogicalResult ScatterElementsOp::verify() {
  if (failed(verifyScatter(*this, getReduction(), getData(), getUpdates(), getResult())))
    return failure();
  ArrayRef<int64_t> data = shapeOf(getData()), indices = shapeOf(getIndices());
  if (failed(verifyElementIndices(*this, data, indices, getAxis())))
    return failure();
  if (shapeOf(getUpdates()) != indices)
    return emitOpError() << "updates " << shapeString(shapeOf(getUpdates()))
                         << " must have the indices' shape " << shapeString(indices);
  return success();
}

LogicalResult ScatterNDOp::verify() {
  if (failed(verifyScatter(*this, getReduction(), getData(), getUpdates(), getResult())))
    return failure();
  ArrayRef<int64_t> data = shapeOf(getData()), indices = shapeOf(getIndices());
  if (indices.empty() || indices.back() > int64_t(data.size()))
    return emitOpError() << "indices " << shapeString(indices)
                         << " must end in a dimension of at most the rank of data "
                         << shapeString(data);
  SmallVector<int64_t> expected(indices.drop_back());
  expected.append(data.begin() + indices.back(), data.end());
  if (ArrayRef<int64_t>(expected) != shapeOf(getUpdates()))
    return emitOpError() << "updates " << shapeString(shapeOf(getUpdates())) << " should be "
                         << shapeString(expected);
  return success();
}

LogicalResult NonZeroOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  SmallVector<int64_t> expected{input.getRank(), input.getNumElements()};
  if (shapeOf(getIndices()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "indices " << shapeString(shapeOf(getIndices())) << " should be "
                         << shapeString(expected);
  return success();
}

LogicalResult UniqueOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (input.size() != 2)
    return emitOpError() << "input " << shapeString(input) << " should be [N, S]";
  if (shapeOf(getValues()) != input ||
      getElementTypeOrSelf(getValues()) != getElementTypeOrSelf(getInput()))
    return emitOpError() << "values should have the input's type";
  for (Value result : {getIndices(), getInverse(), getCounts()})
    if (shapeOf(result) != input.take_front())
      return emitOpError() << "indices, inverse and counts should be [" << input[0] << "]";
  return success();
}

LogicalResult NonMaxSuppressionOp::verify() {
  ArrayRef<int64_t> boxes = shapeOf(getBoxes()), scores = shapeOf(getScores());
  if (boxes.size() != 3 || boxes[2] != 4 || scores.size() != 3 || scores[0] != boxes[0] ||
      scores[2] != boxes[1])
    return emitOpError() << "boxes " << shapeString(boxes) << " and scores "
                         << shapeString(scores) << " should be [B, N, 4] and [B, C, N]";
  int64_t kept = boxes[0] * scores[1] * std::min<int64_t>(getMaxPerClass(), boxes[1]);
  SmallVector<int64_t> expected{kept, 3};
  if (shapeOf(getSelected()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "selected " << shapeString(shapeOf(getSelected())) << " should be "
                         << shapeString(expected);
  return success();
}

LogicalResult TopKOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput());
  int64_t axis = getAxis(), rank = in.size(), k = getK();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for rank " << rank;
  if (k < 0 || k > in[axis])
    return emitOpError() << "k = " << k << " is not in [0, " << in[axis] << "]";
  SmallVector<int64_t> expected(in);
  expected[axis] = k;
  if (shapeOf(getValues()) != ArrayRef<int64_t>(expected) ||
      shapeOf(getIndices()) != ArrayRef<int64_t>(expected))
    return emitOpError() << "results " << shapeString(shapeOf(getValues())) << " and "
                         << shapeString(shapeOf(getIndices())) << " should be "
                         << shapeString(expected);
  if (getElementTypeOrSelf(getValues()) != getElementTypeOrSelf(getInput()))
    return emitOpError() << "values' element type differs from the input's";
  return success();
}

namespace {

/// graph.quantize and graph.dequantize: the integer side stores what the quantization says,
/// the float side is its expressed type, and per-axis parameters cover the axis.
LogicalResult verifyQuantization(Operation *op, quant::QuantizedType type, Value integers,
                                 Value floats) {
  std::optional<Quantization> q = Quantization::of(type);
  if (!q)
    return op->emitOpError("takes a !quant.uniform type, per tensor or per axis, not ") << type;
  Type storage = getElementTypeOrSelf(integers);
  if (!storesAs(type, storage))
    return op->emitOpError("integers of type ")
           << storage << " do not store " << type << " (its width and signedness)";
  if (getElementTypeOrSelf(floats) != q->expressed)
    return op->emitOpError("float type ")
           << getElementTypeOrSelf(floats) << " is not the quantization's expressed type "
           << q->expressed;
  if (q->axis) {
    ArrayRef<int64_t> shape = shapeOf(integers);
    if (*q->axis < 0 || *q->axis >= int64_t(shape.size()))
      return op->emitOpError("quantization axis ")
             << *q->axis << " is out of range for a tensor of rank " << shape.size();
    int64_t size = shape[*q->axis];
    if (!ShapedType::isDynamic(size) && size != int64_t(q->scales.size()))
      return op->emitOpError("has ")
             << q->scales.size() << " scales for axis " << *q->axis << " of size " << size;
  }
  return success();
}

} // namespace

LogicalResult QuantizeOp::verify() {
  return verifyQuantization(*this, getQuantization(), getResult(), getInput());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantization(*this, getQuantization(), getInput(), getResult());
}

namespace dlc::graph {

Value createScalar(OpBuilder &b, Location loc, Type element, double value) {
  return ConstantOp::create(b, loc, DenseElementsAttr::get(RankedTensorType::get({}, element),
                                                           FloatAttr::get(element, value)));
}

Value createQuantizationParameter(OpBuilder &b, Location loc, const Quantization &q,
                                  ArrayRef<double> values, int64_t rank) {
  SmallVector<int64_t> dims;
  if (q.axis) {
    dims.assign(rank, 1);
    dims[*q.axis] = values.size();
  }
  auto type = RankedTensorType::get(dims, q.expressed);
  SmallVector<Attribute> attrs;
  for (double value : values)
    attrs.push_back(FloatAttr::get(q.expressed, value));
  return ConstantOp::create(b, loc, DenseElementsAttr::get(type, attrs));
}

Value createCentered(OpBuilder &b, Location loc, Value integers, const Quantization &q) {
  auto type = cast<RankedTensorType>(integers.getType());
  Value value = CastOp::create(b, loc, type.clone(q.expressed), integers);
  if (q.zeroPointsAreZero())
    return value;
  SmallVector<double> zeroPoints(q.zeroPoints.begin(), q.zeroPoints.end());
  return createBroadcast<SubOp>(
      b, loc, value, createQuantizationParameter(b, loc, q, zeroPoints, type.getRank()));
}

} // namespace dlc::graph
