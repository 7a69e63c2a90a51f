// Importers of ONNX control flow. If whose condition is known at compile time becomes the ops of
// the branch it takes; with a condition computed at run time it becomes scf.if, both branches
// compiled. Scan runs a number of iterations its static shapes fix, and a Loop whose trip count
// and conditions fold to constants runs a number known at compile time: their bodies are
// imported once per iteration, each iteration folding on its own number. Any other Loop becomes
// scf.while around one copy of its body.
#include "frontends/onnx/OpImporters.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
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

/// The element of a one-element tensor.
Value onlyElement(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> zeros(type.getRank(), arith::ConstantIndexOp::create(b, loc, 0).getResult());
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

/// The truth of a one-element tensor `condition` as an i1 scalar (ONNX gives a bool tensor).
Value truthOf(OpBuilder &b, Location loc, Value condition) {
  Value scalar = onlyElement(b, loc, condition);
  if (scalar.getType().isInteger(1))
    return scalar;
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, scalar,
                               arith::ConstantOp::create(b, loc, b.getZeroAttr(scalar.getType())));
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
  Value scalar = truthOf(b, ctx.loc(), condition);
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

/// The body of a Scan run once per slice of `scanInputs` along `inputAxes` (backwards where
/// `inputDirections` says 1), carrying `states`: returns the final states, then each scan
/// output stacked along its scan_output_axes value (default 0).
FailureOr<SmallVector<Value>> unrollScan(NodeContext &ctx, const onnx::GraphProto &body,
                                         SmallVector<Value> states, ArrayRef<Value> scanInputs,
                                         ArrayRef<int64_t> inputAxes,
                                         ArrayRef<int64_t> inputDirections) {
  int64_t length = -1;
  for (auto [value, axis] : llvm::zip(scanInputs, inputAxes)) {
    int64_t size = cast<RankedTensorType>(value.getType()).getDimSize(axis);
    if (length >= 0 && size != length)
      return ctx.fail("the scan inputs have " + Twine(length) + " and " + Twine(size) +
                      " slices along their scan axes");
    length = size;
  }
  if (length < 1 || length > kMaxIterations)
    return ctx.fail("the scan runs " + Twine(length) + " iterations; dlc unrolls scans of 1 to " +
                    Twine(kMaxIterations));
  int64_t numStates = states.size();
  int64_t numScanOutputs = body.output_size() - numStates;
  if (numScanOutputs < 0)
    return ctx.fail("the body has fewer outputs than state variables");
  SmallVector<SmallVector<Value>> scanValues(numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> bodyInputs(states);
    for (auto [k, values] : llvm::enumerate(llvm::zip(scanInputs, inputAxes))) {
      auto [value, axis] = values;
      bool reverse = k < inputDirections.size() && inputDirections[k] == 1;
      bodyInputs.push_back(sliceAt(ctx, value, axis, reverse ? length - 1 - t : t));
    }
    FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph(body, bodyInputs);
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
  SmallVector<Value> results(states);
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    SmallVector<Value> &values = scanValues[k];
    if (size_t(k) < outputDirections.size() && outputDirections[k] == 1)
      std::reverse(values.begin(), values.end());
    results.push_back(stack(ctx, values, (*outputAxes)[k]));
  }
  return results;
}

/// A Scan's inputs from input `first` on: the first `numInputs - numScanInputs` are state
/// variables, the rest scan inputs.
LogicalResult scanOperands(NodeContext &ctx, int first, SmallVectorImpl<Value> &states,
                           SmallVectorImpl<Value> &scanInputs) {
  int64_t numScanInputs = ctx.intAttr("num_scan_inputs", 0);
  int64_t numInputs = ctx.numInputs() - first;
  int64_t numStates = numInputs - numScanInputs;
  if (numScanInputs < 1 || numStates < 0)
    return ctx.fail("num_scan_inputs is " + Twine(numScanInputs) + " for " + Twine(numInputs) +
                    " inputs");
  for (int64_t i = 0; i < numInputs; ++i) {
    Value value = ctx.input(int(first + i));
    if (!value)
      return ctx.fail("input " + Twine(first + i) + " is missing");
    (i < numStates ? states : scanInputs).push_back(value);
  }
  return success();
}

/// Scan before opset 9: every input has a batch axis first and the scan inputs their scan
/// axis second. The scan runs per batch element (its slices along axis 0) and the results
/// stack along a batch axis again. sequence_lens, when given, must be a constant that
/// covers every whole sequence.
LogicalResult importBatchedScan(NodeContext &ctx, const onnx::GraphProto &body) {
  SmallVector<Value> states, scanInputs; // after input 0, sequence_lens
  if (failed(scanOperands(ctx, 1, states, scanInputs)))
    return failure();
  for (auto [i, value] : llvm::enumerate(llvm::concat<Value>(states, scanInputs)))
    if (shapeOf(value).size() < (i < states.size() ? 1u : 2u))
      return ctx.fail("input " + Twine(1 + i) + " lacks its batch axis");
  int64_t batch = shapeOf(scanInputs.front())[0], length = shapeOf(scanInputs.front())[1];
  if (ctx.hasInput(0)) {
    std::optional<DenseElementsAttr> lengths = ctx.constantInput(0);
    if (!lengths)
      return ctx.fail("sequence_lens must be known at compile time");
    for (const APInt &value : lengths->getValues<APInt>())
      if (value.getSExtValue() != length)
        return ctx.fail("sequence_lens holds " + Twine(value.getSExtValue()) + " where the " +
                        "sequences are " + Twine(length) + " long; dlc scans whole sequences");
  }
  for (Value value : llvm::concat<Value>(states, scanInputs))
    if (shapeOf(value)[0] != batch)
      return ctx.fail("the inputs' batch axes differ");
  SmallVector<int64_t> axes(scanInputs.size(), 0);
  std::vector<int64_t> directions = ctx.intsAttr("directions");
  SmallVector<SmallVector<Value>> perBatch;
  for (int64_t b = 0; b < batch; ++b) {
    SmallVector<Value> batchStates, batchInputs;
    for (Value state : states)
      batchStates.push_back(sliceAt(ctx, state, 0, b));
    for (Value input : scanInputs)
      batchInputs.push_back(sliceAt(ctx, input, 0, b));
    FailureOr<SmallVector<Value>> results =
        unrollScan(ctx, body, batchStates, batchInputs, axes, directions);
    if (failed(results))
      return failure();
    for (auto [i, value] : llvm::enumerate(*results)) {
      if (perBatch.size() <= i)
        perBatch.emplace_back();
      perBatch[i].push_back(value);
    }
  }
  for (auto [i, values] : llvm::enumerate(perBatch))
    ctx.setOutput(int(i), stack(ctx, values, 0));
  return success();
}

/// Scan: the body runs once per slice of the scan inputs along their scan axes, carrying the
/// state variables; the scan outputs stack each iteration's values.
LogicalResult importScan(NodeContext &ctx) {
  const onnx::GraphProto *body = graphAttr(ctx, "body");
  if (!body)
    return failure();
  if (ctx.opset() < 9)
    return importBatchedScan(ctx, *body);
  SmallVector<Value> states, scanInputs;
  if (failed(scanOperands(ctx, 0, states, scanInputs)))
    return failure();
  SmallVector<int64_t> inputRanks;
  for (Value value : scanInputs)
    inputRanks.push_back(cast<RankedTensorType>(value.getType()).getRank());
  FailureOr<SmallVector<int64_t>> inputAxes = axesAttr(ctx, "scan_input_axes", inputRanks);
  if (failed(inputAxes))
    return failure();
  std::vector<int64_t> directions = ctx.intsAttr("scan_input_directions");
  FailureOr<SmallVector<Value>> results =
      unrollScan(ctx, *body, states, scanInputs, *inputAxes, directions);
  if (failed(results))
    return failure();
  for (auto [i, value] : llvm::enumerate(*results))
    ctx.setOutput(int(i), value);
  return success();
}

/// A Loop's operands as the importer sees them.
struct LoopOperands {
  const onnx::GraphProto *body;
  std::optional<int64_t> tripCount; ///< when a constant
  std::optional<bool> running;      ///< the first condition, when a constant
  SmallVector<Value> carried;
  int64_t numScanOutputs;
};

/// Loop with its trip count and every condition known at compile time: the body imported once
/// per iteration (into `block`), each iteration folding on its own number. Returns false, with
/// nothing reported, when a condition is known only at run time or the loop runs longer than
/// dlc unrolls.
FailureOr<bool> unrollLoop(NodeContext &ctx, const LoopOperands &loop, Block &block) {
  OpBuilder &b = ctx.builder();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&block);
  auto boolType = RankedTensorType::get({}, b.getI1Type());
  auto countType = RankedTensorType::get({}, b.getI64Type());
  SmallVector<Value> carried(loop.carried);
  SmallVector<SmallVector<Value>> scanValues(loop.numScanOutputs);
  bool running = *loop.running;
  int64_t iteration = 0;
  for (; running && (!loop.tripCount || iteration < *loop.tripCount); ++iteration) {
    if (iteration >= kMaxIterations)
      return false;
    SmallVector<Value> bodyInputs{
        ctx.constant(DenseElementsAttr::get(countType, APInt(64, iteration))),
        ctx.constant(DenseElementsAttr::get(boolType, true))};
    llvm::append_range(bodyInputs, carried);
    FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph(*loop.body, bodyInputs);
    if (failed(outputs))
      return failure();
    auto condition = (*outputs)[0].getDefiningOp<graph::ConstantOp>();
    if (!condition)
      return false;
    running = isTrue(cast<DenseElementsAttr>(condition.getValue()));
    for (auto [i, value] : llvm::enumerate(carried)) {
      Value next = (*outputs)[1 + i];
      if (next.getType() != value.getType())
        return ctx.fail("loop-carried value " + Twine(i) + " changes type in the body");
      value = next;
    }
    for (int64_t k = 0; k < loop.numScanOutputs; ++k)
      scanValues[k].push_back((*outputs)[1 + carried.size() + k]);
  }
  for (int64_t k = 0; k < loop.numScanOutputs; ++k)
    if (scanValues[k].empty())
      return ctx.fail("the loop runs no iteration, so its scan output " + Twine(k) +
                      " would be empty");
  for (auto [i, value] : llvm::enumerate(carried))
    ctx.setOutput(int(i), value);
  for (int64_t k = 0; k < loop.numScanOutputs; ++k)
    ctx.setOutput(int(carried.size() + k), stack(ctx, scanValues[k], 0));
  return true;
}

/// Loop with a trip count or a condition known only at run time: scf.while carrying the
/// iteration number, the condition and the loop-carried values, which must keep their types.
/// Each scan output is written row by row into a tensor of as many rows as the trip count
/// allows (it must be a constant for that), and is a graph output whose size along axis 0 is
/// the number of iterations run.
LogicalResult importRuntimeLoop(NodeContext &ctx, const LoopOperands &loop) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  Type indexType = b.getIndexType(), i1 = b.getI1Type(), i64 = b.getI64Type();
  Value trip; // index, or null without a trip count
  if (ctx.hasInput(0)) {
    if (cast<RankedTensorType>(ctx.input(0).getType()).getNumElements() != 1)
      return ctx.fail("the trip count must hold one element");
    trip = arith::IndexCastOp::create(b, loc, indexType, onlyElement(b, loc, ctx.input(0)));
  }
  Value running = ctx.hasInput(1) ? truthOf(b, loc, ctx.input(1))
                                  : arith::ConstantIntOp::create(b, loc, i1, 1).getResult();

  // The body, imported into the loop's "after" block. Its arguments are the loop-carried
  // values, the scan outputs' tensors, the iteration number and the condition: tensors first,
  // so that they keep their positions in both blocks (as bufferization wants) when
  // canonicalization drops the condition the body does not read.
  size_t numCarried = loop.carried.size();
  auto after = std::make_unique<Block>();
  for (Value value : loop.carried)
    after->addArgument(value.getType(), loc);
  BlockArgument afterIteration = after->addArgument(indexType, loc);
  BlockArgument afterRunning = after->addArgument(i1, loc);
  SmallVector<Value> yielded;
  SmallVector<Type> scanTypes;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(after.get());
    Value iteration = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, i64),
        ValueRange{arith::IndexCastOp::create(b, loc, i64, afterIteration)});
    Value condition = tensor::FromElementsOp::create(b, loc, RankedTensorType::get({}, i1),
                                                     ValueRange{afterRunning});
    SmallVector<Value> bodyInputs{iteration, condition};
    llvm::append_range(bodyInputs, after->getArguments().take_front(numCarried));
    FailureOr<SmallVector<Value>> outputs = ctx.importSubgraph(*loop.body, bodyInputs);
    if (failed(outputs)) {
      ctx.discard(*after);
      return failure();
    }
    auto fail = [&](const Twine &message) {
      ctx.discard(*after);
      return ctx.fail(message);
    };
    if (cast<RankedTensorType>((*outputs)[0].getType()).getNumElements() != 1)
      return fail("the body's condition must hold one element");
    for (auto [i, value] : llvm::enumerate(loop.carried)) {
      Value out = (*outputs)[1 + i];
      if (out.getType() != value.getType())
        return fail("loop-carried value " + Twine(i) + " changes type in the body; with a " +
                    "trip count or condition known only at run time, dlc needs it to keep one");
      // Written back into the loop argument, so that each iteration updates one buffer.
      yielded.push_back(bufferization::MaterializeInDestinationOp::create(
                            b, loc, out, after->getArgument(i))
                            .getResult());
    }
    if (loop.numScanOutputs > 0 && (!loop.tripCount || *loop.tripCount < 1 ||
                                    *loop.tripCount > kMaxIterations))
      return fail("scan outputs of a loop that runs until a condition computed at run time "
                  "need a bound on its iterations: a constant trip count from 1 to " +
                  Twine(kMaxIterations));
    for (int64_t k = 0; k < loop.numScanOutputs; ++k) {
      Value row = (*outputs)[1 + loop.carried.size() + k];
      auto rowType = cast<RankedTensorType>(row.getType());
      SmallVector<int64_t> shape{*loop.tripCount};
      llvm::append_range(shape, rowType.getShape());
      auto type = RankedTensorType::get(shape, rowType.getElementType());
      scanTypes.push_back(type);
      BlockArgument rows = after->insertArgument(numCarried + k, type, loc);
      SmallVector<OpFoldResult> offsets(shape.size(), b.getIndexAttr(0)), sizes, strides;
      offsets[0] = afterIteration;
      for (int64_t size : shape)
        sizes.push_back(b.getIndexAttr(size));
      sizes[0] = b.getIndexAttr(1);
      strides.assign(shape.size(), b.getIndexAttr(1));
      yielded.push_back(
          tensor::InsertSliceOp::create(b, loc, row, rows, offsets, sizes, strides).getResult());
    }
    yielded.push_back(
        arith::AddIOp::create(b, loc, afterIteration, arith::ConstantIndexOp::create(b, loc, 1)));
    yielded.push_back(truthOf(b, loc, (*outputs)[0]));
    scf::YieldOp::create(b, loc, yielded);
  }

  // The "before" block: another iteration while the condition holds, below the trip count.
  auto before = std::make_unique<Block>();
  for (BlockArgument arg : after->getArguments())
    before->addArgument(arg.getType(), loc);
  SmallVector<Value> inits(loop.carried);
  for (Type type : scanTypes) {
    auto shaped = cast<RankedTensorType>(type);
    inits.push_back(
        ctx.constant(DenseElementsAttr::get(shaped, b.getZeroAttr(shaped.getElementType()))));
  }
  inits.push_back(arith::ConstantIndexOp::create(b, loc, 0));
  inits.push_back(running);
  size_t iterationIndex = inits.size() - 2;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(before.get());
    Value go = before->getArgument(iterationIndex + 1);
    if (trip)
      go = arith::AndIOp::create(b, loc, go,
                                 arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                                       before->getArgument(iterationIndex), trip));
    scf::ConditionOp::create(b, loc, go, before->getArguments());
  }
  SmallVector<Type> types;
  for (BlockArgument arg : after->getArguments())
    types.push_back(arg.getType());
  auto whileOp = scf::WhileOp::create(b, loc, types, inits);
  whileOp.getBefore().push_back(before.release());
  whileOp.getAfter().push_back(after.release());
  for (size_t i = 0; i < numCarried; ++i)
    ctx.setOutput(int(i), whileOp.getResult(i));
  if (loop.numScanOutputs > 0) {
    Value count = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, i64),
        ValueRange{arith::IndexCastOp::create(b, loc, i64, whileOp.getResult(iterationIndex))});
    for (int64_t k = 0; k < loop.numScanOutputs; ++k)
      ctx.setDataDependentOutput(int(numCarried + k), whileOp.getResult(numCarried + k), count, 0);
  }
  return success();
}

/// Loop: the body runs while the iteration count is below the trip count and the condition
/// holds, carrying the loop-carried values; scan outputs stack each iteration's values. When
/// the trip count and every condition fold to constants the loop is unrolled, each iteration
/// folding on its own number; otherwise it runs as scf.while (importRuntimeLoop).
LogicalResult importLoop(NodeContext &ctx) {
  LoopOperands loop;
  loop.body = graphAttr(ctx, "body");
  if (!loop.body)
    return failure();
  if (ctx.hasInput(0)) {
    std::optional<DenseElementsAttr> trip = ctx.constantInput(0);
    if (trip && trip->getNumElements() == 1)
      loop.tripCount = (*trip->value_begin<APInt>()).getSExtValue();
  }
  loop.running = true;
  if (ctx.hasInput(1)) {
    std::optional<DenseElementsAttr> condition = ctx.constantInput(1);
    loop.running = condition && condition->getNumElements() == 1
                       ? std::optional<bool>(isTrue(*condition))
                       : std::nullopt;
  }
  if (!ctx.hasInput(0) && !ctx.hasInput(1))
    return ctx.fail("the loop has neither a trip count nor a condition and would not end");
  for (int i = 2; i < ctx.numInputs(); ++i) {
    Value value = ctx.input(i);
    if (!value)
      return ctx.fail("loop-carried input " + Twine(i) + " is missing");
    loop.carried.push_back(value);
  }
  loop.numScanOutputs = loop.body->output_size() - 1 - int64_t(loop.carried.size());
  if (loop.body->input_size() != 2 + int(loop.carried.size()) || loop.numScanOutputs < 0)
    return ctx.fail("the body has " + Twine(loop.body->input_size()) + " inputs and " +
                    Twine(loop.body->output_size()) + " outputs for " +
                    Twine(loop.carried.size()) + " loop-carried values");

  if ((loop.tripCount || !ctx.hasInput(0)) && loop.running) {
    // Unrolled into a scratch block first: only a loop that unrolls to the end keeps it.
    Block scratch;
    FailureOr<bool> unrolled = unrollLoop(ctx, loop, scratch);
    if (succeeded(unrolled) && *unrolled) {
      OpBuilder &b = ctx.builder();
      b.getInsertionBlock()->getOperations().splice(b.getInsertionPoint(),
                                                    scratch.getOperations());
      return success();
    }
    ctx.discard(scratch);
    if (failed(unrolled))
      return failure();
  }
  return importRuntimeLoop(ctx, loop);
}

} // namespace

void registerControlFlowOps(OpTable &table) {
  table["If"] = importIf;
  table["Loop"] = importLoop;
  table["Scan"] = importScan;
}

} // namespace dlc::onnx_frontend
