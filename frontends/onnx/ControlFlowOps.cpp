// Importers of ONNX control flow. If whose condition is known at compile time becomes the ops of
// the branch it takes; with a condition computed at run time it becomes scf.if, both branches
// compiled. Loop and Scan run a number of iterations known at compile time (static shapes fix a
// Scan's; a Loop's trip count and condition must fold to constants), so their bodies are
// imported once per iteration, each iteration folding on its own number.
#include "frontends/onnx/OpImporters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace dlc::onnx_frontend {

namespace {

using namespace mlir;

/// The most iterations a Loop or Scan is unrolled to: beyond this the code would be larger than
/// any model that needs it is worth.
constexpr int64_t kMaxIterations = 4096;

/// The graph attribute `name` of the node, or null after reporting it missing.
const onnx::GraphProto *graphAttr(NodeContext &ctx, StringRef name) {
  const onnx::AttributeProto *attr = ctx.attr(name);
  if (attr && attr->has_g())
    return &attr->g();
  (void)ctx.fail("the graph attribute \"" + name + "\" is missing");
  return nullptr;
}

/// Whether a one-element condition tensor holds true.
bool isTrue(DenseElementsAttr condition) {
  return condition.getElementType().isInteger(1) ? *condition.value_begin<bool>()
                                                 : !(*condition.value_begin<APInt>()).isZero();
}

/// Imports `branch` into a new block; its outputs are appended to `outputs`.
FailureOr<std::unique_ptr<Block>> importBranch(NodeContext &ctx, const onnx::GraphProto &branch,
                                               SmallVectorImpl<Value> &outputs) {
  auto block = std::make_unique<Block>();
  OpBuilder::InsertionGuard guard(ctx.builder());
  ctx.builder().setInsertionPointToStart(block.get());
  FailureOr<SmallVector<Value>> values = ctx.importSubgraph(branch, {});
  if (failed(values))
    return failure();
  outputs.assign(values->begin(), values->end());
  return block;
}

/// If with a condition computed at run time: scf.if whose regions hold the two branches. Both
/// branches must give each output the same static type, since the code after the If is compiled
/// for one.
LogicalResult importRuntimeIf(NodeContext &ctx) {
  Value condition = ctx.input(0);
  auto conditionType = cast<RankedTensorType>(condition.getType());
  if (conditionType.getNumElements() != 1)
    return ctx.fail("the condition must hold one element");
  const onnx::GraphProto *thenGraph = graphAttr(ctx, "then_branch");
  const onnx::GraphProto *elseGraph = graphAttr(ctx, "else_branch");
  if (!thenGraph || !elseGraph)
    return failure();
  SmallVector<Value> thenOutputs, elseOutputs;
  FailureOr<std::unique_ptr<Block>> thenBlock = importBranch(ctx, *thenGraph, thenOutputs);
  if (failed(thenBlock))
    return failure();
  FailureOr<std::unique_ptr<Block>> elseBlock = importBranch(ctx, *elseGraph, elseOutputs);
  if (failed(elseBlock))
    return failure();
  if (thenOutputs.size() != elseOutputs.size() || int(thenOutputs.size()) < ctx.numOutputs())
    return ctx.fail("the branches have " + Twine(thenOutputs.size()) + " and " +
                    Twine(elseOutputs.size()) + " outputs; the node has " +
                    Twine(ctx.numOutputs()));
  SmallVector<Type> types;
  for (auto [i, values] : llvm::enumerate(llvm::zip(thenOutputs, elseOutputs))) {
    auto [thenValue, elseValue] = values;
    if (thenValue.getType() != elseValue.getType()) {
      std::string thenText, elseText;
      llvm::raw_string_ostream(thenText) << thenValue.getType();
      llvm::raw_string_ostream(elseText) << elseValue.getType();
      return ctx.fail("output " + Twine(i) + " is " + thenText + " in then_branch and " +
                      elseText + " in else_branch; with a condition known only at run time, " +
                      "dlc needs both branches to give the same type and shape");
    }
    types.push_back(thenValue.getType());
  }

  OpBuilder &b = ctx.builder();
  // The condition as an i1 scalar: ONNX gives a bool tensor of one element.
  SmallVector<Value> zeros(conditionType.getRank(),
                           arith::ConstantIndexOp::create(b, ctx.loc(), 0).getResult());
  Value scalar = tensor::ExtractOp::create(b, ctx.loc(), condition, zeros);
  if (!scalar.getType().isInteger(1))
    scalar = arith::CmpIOp::create(b, ctx.loc(), arith::CmpIPredicate::ne, scalar,
                                   arith::ConstantOp::create(b, ctx.loc(),
                                                             b.getZeroAttr(scalar.getType())));
  auto ifOp = scf::IfOp::create(b, ctx.loc(), types, scalar, /*addThenBlock=*/false,
                                /*addElseBlock=*/false);
  for (auto [region, block, outputs] :
       {std::tuple{&ifOp.getThenRegion(), &*thenBlock, &thenOutputs},
        std::tuple{&ifOp.getElseRegion(), &*elseBlock, &elseOutputs}}) {
    region->push_back(block->release());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&region->front());
    scf::YieldOp::create(b, ctx.loc(), *outputs);
  }
  for (int i = 0; i < ctx.numOutputs(); ++i)
    ctx.setOutput(i, ifOp.getResult(i));
  return success();
}

/// If: exporters test shapes and options that are fixed once the model's shapes are (a branch
/// for a batch of 1, for a sequence shorter than a limit); with the condition folded to a
/// constant while importing, the taken branch is imported in place of the If.
LogicalResult importIf(NodeContext &ctx) {
  std::optional<DenseElementsAttr> condition = ctx.constantInput(0);
  if (!condition)
    return importRuntimeIf(ctx);
  if (condition->getNumElements() != 1)
    return ctx.fail("the condition must hold one element");
  bool taken = isTrue(*condition);
  const onnx::GraphProto *branch = graphAttr(ctx, taken ? "then_branch" : "else_branch");
  if (!branch)
    return failure();
  if (branch->output_size() != ctx.node().output_size())
    return ctx.fail("the branch has " + Twine(branch->output_size()) + " outputs, the node " +
                    Twine(ctx.node().output_size()));
  return ctx.inlineSubgraph(*branch);
}

/// Stacks the per-iteration values of one scan output along `axis` (each value gains that axis).
Value stack(NodeContext &ctx, ArrayRef<Value> values, int64_t axis) {
  SmallVector<Value> parts;
  auto type = cast<RankedTensorType>(values.front().getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + axis, 1);
  for (Value value : values)
    parts.push_back(ctx.reshape(value, shape));
  if (parts.size() == 1)
    return parts.front();
  shape[axis] = int64_t(parts.size());
  return ctx.create<graph::ConcatOp>(RankedTensorType::get(shape, type.getElementType()), parts,
                                     ctx.builder().getI64IntegerAttr(axis));
}

/// Slice `index` of `value` along `axis`, without that axis.
Value sliceAt(NodeContext &ctx, Value value, int64_t axis, int64_t index) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> starts(type.getRank(), 0), steps(type.getRank(), 1);
  SmallVector<int64_t> shape(type.getShape());
  starts[axis] = index;
  shape[axis] = 1;
  Value slice = ctx.create<graph::SliceOp>(RankedTensorType::get(shape, type.getElementType()),
                                           value, starts, steps);
  shape.erase(shape.begin() + axis);
  return ctx.reshape(slice, shape);
}

/// The axes attribute `name` (one per value, default 0), each normalized against `ranks`.
FailureOr<SmallVector<int64_t>> axesAttr(NodeContext &ctx, StringRef name,
                                         ArrayRef<int64_t> ranks) {
  std::vector<int64_t> given = ctx.intsAttr(name);
  if (!given.empty() && given.size() != ranks.size())
    return ctx.fail("\"" + name + "\" has " + Twine(given.size()) + " values for " +
                    Twine(ranks.size()) + " tensors");
  SmallVector<int64_t> axes;
  for (auto [i, rank] : llvm::enumerate(ranks)) {
    std::optional<int64_t> axis = normalizeAxis(given.empty() ? 0 : given[i], rank);
    if (!axis)
      return ctx.fail("\"" + name + "\" value " + Twine(given[i]) + " is out of range for rank " +
                      Twine(rank));
    axes.push_back(*axis);
  }
  return axes;
}

/// Scan (opset 9 and later): the body runs once per slice of the scan inputs along their scan
/// axes, carrying the state variables; the scan outputs stack each iteration's values.
LogicalResult importScan(NodeContext &ctx) {
  if (ctx.opset() < 9)
    return ctx.fail("Scan before opset 9 (with a batch axis and sequence_lens) is not supported");
  const onnx::GraphProto *body = graphAttr(ctx, "body");
  if (!body)
    return failure();
  int64_t numScanInputs = ctx.intAttr("num_scan_inputs", 0);
  int64_t numInputs = ctx.numInputs();
  int64_t numStates = numInputs - numScanInputs;
  if (numScanInputs < 1 || numStates < 0)
    return ctx.fail("num_scan_inputs is " + Twine(numScanInputs) + " for " + Twine(numInputs) +
                    " inputs");
  SmallVector<Value> states, scanInputs;
  for (int64_t i = 0; i < numInputs; ++i) {
    Value value = ctx.input(int(i));
    if (!value)
      return ctx.fail("input " + Twine(i) + " is missing");
    (i < numStates ? states : scanInputs).push_back(value);
  }
  SmallVector<int64_t> inputRanks;
  for (Value value : scanInputs)
    inputRanks.push_back(cast<RankedTensorType>(value.getType()).getRank());
  FailureOr<SmallVector<int64_t>> inputAxes = axesAttr(ctx, "scan_input_axes", inputRanks);
  if (failed(inputAxes))
    return failure();
  std::vector<int64_t> inputDirections = ctx.intsAttr("scan_input_directions");
  int64_t length = -1;
  for (auto [value, axis] : llvm::zip(scanInputs, *inputAxes)) {
    int64_t size = cast<RankedTensorType>(value.getType()).getDimSize(axis);
    if (length >= 0 && size != length)
      return ctx.fail("the scan inputs have " + Twine(length) + " and " + Twine(size) +
                      " slices along their scan axes");
    length = size;
  }
  if (length < 1 || length > kMaxIterations)
    return ctx.fail("the scan runs " + Twine(length) + " iterations; dlc unrolls scans of 1 to " +
                    Twine(kMaxIterations));

  int64_t numScanOutputs = body->output_size() - numStates;
  if (numScanOutputs < 0)
    return ctx.fail("the body has fewer outputs than state variables");
  SmallVector<SmallVector<Value>> scanValues(numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> bodyInputs(states);
    for (auto [k, values] : llvm::enumerate(llvm::zip(scanInputs, *inputAxes))) {
      auto [value, axis] = values;
      bool reverse = k < inputDirections.size() && inputDirections[k] == 1;
      bodyInputs.push_back(sliceAt(ctx, value, axis, reverse ? length - 1 - t : t));
    }
    FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph(*body, bodyInputs);
    if (failed(outputs))
      return failure();
    for (int64_t i = 0; i < numStates; ++i) {
      if ((*outputs)[i].getType() != states[i].getType())
        return ctx.fail("state variable " + Twine(i) + " changes type in the body");
      states[i] = (*outputs)[i];
    }
    for (int64_t k = 0; k < numScanOutputs; ++k)
      scanValues[k].push_back((*outputs)[numStates + k]);
  }

  SmallVector<int64_t> outputRanks;
  for (const SmallVector<Value> &values : scanValues)
    outputRanks.push_back(cast<RankedTensorType>(values.front().getType()).getRank() + 1);
  FailureOr<SmallVector<int64_t>> outputAxes = axesAttr(ctx, "scan_output_axes", outputRanks);
  if (failed(outputAxes))
    return failure();
  std::vector<int64_t> outputDirections = ctx.intsAttr("scan_output_directions");
  for (int64_t i = 0; i < numStates; ++i)
    ctx.setOutput(int(i), states[i]);
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    SmallVector<Value> &values = scanValues[k];
    if (size_t(k) < outputDirections.size() && outputDirections[k] == 1)
      std::reverse(values.begin(), values.end());
    ctx.setOutput(int(numStates + k), stack(ctx, values, (*outputAxes)[k]));
  }
  return success();
}

/// Loop: the body runs while the iteration count is below the trip count and the condition
/// holds, carrying the loop-carried values; scan outputs stack each iteration's values. Both
/// must be known at compile time: the trip count and the first condition are constants (or
/// absent), and the body's condition folds to a constant in every iteration.
LogicalResult importLoop(NodeContext &ctx) {
  const onnx::GraphProto *body = graphAttr(ctx, "body");
  if (!body)
    return failure();
  std::optional<int64_t> tripCount;
  if (ctx.hasInput(0)) {
    std::optional<DenseElementsAttr> trip = ctx.constantInput(0);
    if (!trip || trip->getNumElements() != 1)
      return ctx.fail("the trip count \"" + ctx.node().input(0) +
                      "\" is computed at run time; dlc compiles Loop when its trip count is "
                      "known at compile time (a constant, or computed from shapes: --shape fixes "
                      "those of graph inputs)");
    tripCount = (*trip->value_begin<APInt>()).getSExtValue();
  }
  bool running = true;
  if (ctx.hasInput(1)) {
    std::optional<DenseElementsAttr> condition = ctx.constantInput(1);
    if (!condition || condition->getNumElements() != 1)
      return ctx.fail("the condition \"" + ctx.node().input(1) +
                      "\" is computed at run time; dlc compiles Loop only when its condition "
                      "is known at compile time");
    running = isTrue(*condition);
  }
  if (!tripCount && !ctx.hasInput(1))
    return ctx.fail("the loop has neither a trip count nor a condition and would not end");

  SmallVector<Value> carried;
  for (int i = 2; i < ctx.numInputs(); ++i) {
    Value value = ctx.input(i);
    if (!value)
      return ctx.fail("loop-carried input " + Twine(i) + " is missing");
    carried.push_back(value);
  }
  int64_t numScanOutputs = body->output_size() - 1 - int64_t(carried.size());
  if (body->input_size() != 2 + int(carried.size()) || numScanOutputs < 0)
    return ctx.fail("the body has " + Twine(body->input_size()) + " inputs and " +
                    Twine(body->output_size()) + " outputs for " + Twine(carried.size()) +
                    " loop-carried values");

  OpBuilder &b = ctx.builder();
  auto boolType = RankedTensorType::get({}, b.getI1Type());
  auto countType = RankedTensorType::get({}, b.getI64Type());
  SmallVector<SmallVector<Value>> scanValues(numScanOutputs);
  int64_t iteration = 0;
  for (; running && (!tripCount || iteration < *tripCount); ++iteration) {
    if (iteration >= kMaxIterations)
      return ctx.fail("the loop runs more than " + Twine(kMaxIterations) +
                      " iterations; dlc unrolls loops up to that many");
    SmallVector<Value> bodyInputs{
        ctx.constant(DenseElementsAttr::get(countType, APInt(64, iteration))),
        ctx.constant(DenseElementsAttr::get(boolType, true))};
    llvm::append_range(bodyInputs, carried);
    FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph(*body, bodyInputs);
    if (failed(outputs))
      return failure();
    auto condition = (*outputs)[0].getDefiningOp<graph::ConstantOp>();
    if (!condition)
      return ctx.fail("the body's condition \"" + body->output(0).name() + "\" is computed at " +
                      "run time in iteration " + Twine(iteration) +
                      "; dlc compiles Loop only when the number of iterations is known at " +
                      "compile time");
    running = isTrue(cast<DenseElementsAttr>(condition.getValue()));
    for (auto [i, value] : llvm::enumerate(carried)) {
      Value next = (*outputs)[1 + i];
      if (next.getType() != value.getType())
        return ctx.fail("loop-carried value " + Twine(i) + " changes type in the body");
      value = next;
    }
    for (int64_t k = 0; k < numScanOutputs; ++k)
      scanValues[k].push_back((*outputs)[1 + carried.size() + k]);
  }
  for (auto [i, value] : llvm::enumerate(carried))
    ctx.setOutput(int(i), value);
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    if (scanValues[k].empty())
      return ctx.fail("the loop runs no iteration, so its scan output " + Twine(k) +
                      " would be empty");
    ctx.setOutput(int(carried.size() + k), stack(ctx, scanValues[k], 0));
  }
  return success();
}

} // namespace

void registerControlFlowOps(OpTable &table) {
  table["If"] = importIf;
  table["Loop"] = importLoop;
  table["Scan"] = importScan;
}

} // namespace dlc::onnx_frontend
