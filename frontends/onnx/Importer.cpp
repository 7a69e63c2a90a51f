// The ONNX graph importer: walks the (topologically sorted) nodes, dispatches each to its op
// importer through a table, and builds one func.func with graph ops located at their nodes.
#include "frontends/onnx/Importer.h"

#include "frontends/onnx/NodeShapes.h"
#include "frontends/onnx/OpImporters.h"
#include "frontends/onnx/Tensors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"

#include <set>

namespace dlc::onnx_frontend {

using namespace mlir;

/// The state of one model's import.
class GraphImporter {
public:
  GraphImporter(const onnx::ModelProto &model, MLIRContext &ctx, const ImportOptions &options)
      : model_(model), ctx_(ctx), options_(options), builder_(&ctx),
        opset_(defaultOpset(model)) {}

  OwningOpRef<ModuleOp> run();

  OpBuilder &builder() { return builder_; }
  MLIRContext &context() { return ctx_; }
  const std::string &path() const { return options_.modelPath; }
  const ImportOptions &options() const { return options_; }

  Value lookup(const std::string &name) {
    if (Value value = values_.lookup(name))
      return value;
    auto constant = constants_.find(name);
    if (constant == constants_.end())
      return {};
    Value value = graph::ConstantOp::create(builder_, fileLoc(), constant->second.getType(),
                                            constant->second);
    values_[name] = value;
    return value;
  }
  std::optional<DenseElementsAttr> lookupConstant(const std::string &name) {
    auto it = constants_.find(name);
    if (it == constants_.end())
      return std::nullopt;
    return it->second;
  }
  void bind(const std::string &name, Value value) { values_[name] = value; }
  /// A value whose size along `axis` is `count`, known only at run time.
  struct DataDependentSize {
    Value count;
    int64_t axis;
    std::string node; ///< the node that computed it, for messages
  };
  void bindDataDependent(const std::string &name, Value value, DataDependentSize size) {
    bind(name, value);
    dataDependent_[name] = std::move(size);
  }
  /// The tensors of the sequence `name`, or null when it is not a sequence.
  const SmallVector<Value> *lookupSequence(const std::string &name) const {
    auto it = sequences_.find(name);
    return it == sequences_.end() ? nullptr : &it->second;
  }
  void bindSequence(const std::string &name, ArrayRef<Value> elements) {
    sequences_[name] = SmallVector<Value>(elements);
  }
  void bindConstant(const std::string &name, DenseElementsAttr value) {
    constants_[name] = value;
    values_.erase(name);
  }
  const onnx::TypeProto *typeOf(const std::string &name) const {
    auto it = types_.find(name);
    return it == types_.end() ? nullptr : it->second;
  }
  /// Imports the nodes of `graph`, a subgraph that reads values of the enclosing graph, into the
  /// current function; its outputs are then bound like any value.
  LogicalResult importSubgraph(const onnx::GraphProto &graph);
  /// Imports `graph` at the insertion point with its inputs bound to `inputs`, in a scope of
  /// its own: the names it binds (and the constants it folds) do not outlive it, so a branch
  /// or a loop iteration leaves nothing that a later one, or the enclosing graph, could misread.
  FailureOr<SmallVector<Value>> importScopedSubgraph(const onnx::GraphProto &graph,
                                                     ArrayRef<Value> inputs);
  Location fileLoc() { return FileLineColLoc::get(&ctx_, path(), 0, 0); }
  /// Erases the ops of `block`, imported and then not wanted.
  void discard(Block &block) {
    block.walk([&](Operation *op) { triedFolding_.erase(op); });
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
      op.dropAllUses();
      op.erase();
    }
  }

private:
  LogicalResult importInitializers();
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  Value fold(Value value);
  FailureOr<RankedTensorType> inputType(const onnx::ValueInfoProto &info);
  LogicalResult error(const Twine &message) {
    emitError(fileLoc()) << message;
    return failure();
  }

  const onnx::ModelProto &model_;
  MLIRContext &ctx_;
  const ImportOptions &options_;
  OpBuilder builder_;
  int64_t opset_;
  llvm::StringMap<Value> values_;
  std::map<std::string, DataDependentSize> dataDependent_;
  std::map<std::string, DenseElementsAttr> constants_;
  /// Sequence values (Sequence* ops): the tensors each holds.
  std::map<std::string, SmallVector<Value>> sequences_;
  std::map<std::string, const onnx::TypeProto *> types_;
  /// Graph ops whose folding was tried (and that are still there).
  llvm::DenseSet<Operation *> triedFolding_;
};

namespace {

const OpTable &opTable() {
  static const OpTable table = [] {
    OpTable t;
    registerElementwiseOps(t);
    registerNeuralNetOps(t);
    registerShapeOps(t);
    registerReductionOps(t);
    registerLossOps(t);
    registerResizeOps(t);
    registerQuantizationOps(t);
    registerRecurrentOps(t);
    registerSamplingOps(t);
    registerTextOps(t);
    registerEinsumOps(t);
    registerIndexingOps(t);
    registerControlFlowOps(t);
    registerSequenceOps(t);
    return t;
  }();
  return table;
}

bool isDefaultDomain(const std::string &domain) { return domain.empty() || domain == "ai.onnx"; }

} // namespace

int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const auto &opset : model.opset_import())
    if (isDefaultDomain(opset.domain()))
      return opset.version();
  return 1;
}

std::vector<const onnx::ValueInfoProto *> runtimeInputs(const onnx::ModelProto &model) {
  std::set<std::string> initializers;
  for (const auto &tensor : model.graph().initializer())
    initializers.insert(tensor.name());
  std::vector<const onnx::ValueInfoProto *> inputs;
  for (const auto &input : model.graph().input())
    if (!initializers.count(input.name()))
      inputs.push_back(&input);
  return inputs;
}

std::string nodeName(const onnx::NodeProto &node, int64_t index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
}

std::vector<std::string> supportedOps() {
  std::vector<std::string> ops;
  for (const auto &entry : opTable())
    ops.push_back(entry.getKey().str());
  std::sort(ops.begin(), ops.end());
  return ops;
}

std::vector<std::string> inputsNeedingValues(const onnx::ModelProto &model) {
  static const std::map<std::string, std::vector<int>> shapeOperands = {
      {"Reshape", {1}},    {"Slice", {1, 2, 3, 4}}, {"Squeeze", {1}},   {"Unsqueeze", {1}},
      {"ReduceSum", {1}},  {"ReduceMean", {1}},     {"ReduceMax", {1}}, {"ReduceMin", {1}},
      {"ReduceProd", {1}}, {"Clip", {1, 2}},       {"ReduceL1", {1}},  {"ReduceL2", {1}},
      {"ReduceLogSum", {1}}, {"ReduceLogSumExp", {1}}, {"ReduceSumSquare", {1}},
      {"ConstantOfShape", {0}}, {"Expand", {1}}, {"Tile", {1}}, {"Split", {1}}, {"Trilu", {1}},
      {"Dropout", {1, 2}}, {"Pad", {1, 2}}, {"Resize", {1, 2, 3}}, {"Upsample", {1}},
      {"RNN", {4}}, {"GRU", {4}}, {"LSTM", {4}}, {"Range", {0, 1, 2}}, {"OneHot", {1}},
      {"CumSum", {1}}, {"HannWindow", {0}}, {"HammingWindow", {0}}, {"BlackmanWindow", {0}},
      {"TopK", {1}}, {"Compress", {1}}, {"MaxUnpool", {2}}, {"NonMaxSuppression", {2, 3, 4}},
      {"Loop", {0, 1}}, {"SequenceAt", {1}}, {"SequenceInsert", {2}}, {"SequenceErase", {1}},
      {"SplitToSequence", {1}}};
  // Graph inputs that are also initializers (a default value) are constants already.
  std::set<std::string> graphInputs;
  for (const onnx::ValueInfoProto *input : runtimeInputs(model))
    graphInputs.insert(input->name());
  std::map<std::string, const onnx::NodeProto *> producers;
  for (const auto &node : model.graph().node())
    for (const auto &output : node.output())
      producers[output] = &node;
  // Walk back from each operand that must be known, through the nodes that compute it (a
  // window's size cast to float before Range, say), to the graph inputs it depends on. Shape,
  // Size and EyeLike read only their input's static shape, so the walk stops there.
  std::vector<std::string> pending, needed;
  for (const auto &node : model.graph().node()) {
    auto it = shapeOperands.find(node.op_type());
    if (it == shapeOperands.end())
      continue;
    for (int i : it->second)
      if (i < node.input_size() && !node.input(i).empty())
        pending.push_back(node.input(i));
  }
  std::set<std::string> visited;
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    if (!visited.insert(name).second)
      continue;
    if (graphInputs.count(name))
      needed.push_back(name);
    else if (auto producer = producers.find(name);
             producer != producers.end() &&
             !llvm::is_contained({"Shape", "Size", "EyeLike"}, producer->second->op_type()))
      pending.insert(pending.end(), producer->second->input().begin(),
                     producer->second->input().end());
  }
  return needed;
}

FailureOr<RankedTensorType> GraphImporter::inputType(const onnx::ValueInfoProto &info) {
  if (!info.type().has_tensor_type())
    return error("graph input \"" + info.name() + "\" is not a tensor");
  const auto &tensor = info.type().tensor_type();
  Type element = elementType(tensor.elem_type(), &ctx_);
  if (!element)
    return error("graph input \"" + info.name() + "\" has element type " +
                 onnxTypeName(tensor.elem_type()) + ", which dlc does not support yet");
  if (!tensor.has_shape())
    return error("graph input \"" + info.name() + "\" has no shape");
  SmallVector<int64_t> shape;
  for (const auto &[i, dim] : llvm::enumerate(tensor.shape().dim())) {
    if (!dim.has_dim_value())
      return error("graph input \"" + info.name() + "\" dimension " + Twine(i) +
                   (dim.dim_param().empty() ? "" : " (\"" + dim.dim_param() + "\")") +
                   " is not static; each compilation needs static shapes");
    shape.push_back(dim.dim_value());
  }
  return RankedTensorType::get(shape, element);
}

LogicalResult GraphImporter::importSubgraph(const onnx::GraphProto &graph) {
  for (const auto &info : graph.value_info())
    types_[info.name()] = &info.type();
  for (const auto &info : graph.output())
    types_.try_emplace(info.name(), &info.type());
  for (const auto &tensor : graph.initializer()) {
    auto attr = tensorToAttr(tensor, &ctx_);
    if (!attr)
      return error("initializer " + llvm::toString(attr.takeError()));
    bindConstant(tensor.name(), *attr);
  }
  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, index)))
      return failure();
  return success();
}

FailureOr<SmallVector<Value>> GraphImporter::importScopedSubgraph(const onnx::GraphProto &graph,
                                                                   ArrayRef<Value> inputs) {
  if (graph.input_size() != int(inputs.size()))
    return error("subgraph \"" + graph.name() + "\" has " + Twine(graph.input_size()) +
                 " inputs where " + Twine(inputs.size()) + " are given");
  llvm::StringMap<Value> outerValues = values_;
  std::map<std::string, DenseElementsAttr> outerConstants = constants_;
  std::map<std::string, SmallVector<Value>> outerSequences = sequences_;
  llvm::scope_exit restore([&] {
    values_ = std::move(outerValues);
    constants_ = std::move(outerConstants);
    sequences_ = std::move(outerSequences);
  });
  for (auto [info, value] : llvm::zip(graph.input(), inputs)) {
    // Constant inputs (a loop's iteration number) stay constants, so the body folds on them.
    if (auto constant = value.getDefiningOp<graph::ConstantOp>())
      bindConstant(info.name(), cast<DenseElementsAttr>(constant.getValue()));
    else
      bind(info.name(), value);
  }
  if (failed(importSubgraph(graph)))
    return failure();
  SmallVector<Value> outputs;
  for (const auto &output : graph.output()) {
    Value value = lookup(output.name());
    if (!value && sequences_.count(output.name()))
      return error("subgraph \"" + graph.name() + "\" has a sequence output, \"" +
                   output.name() + "\"; dlc supports sequences inside a graph only");
    if (!value)
      return error("subgraph \"" + graph.name() + "\" does not produce its output \"" +
                   output.name() + "\"");
    outputs.push_back(value);
  }
  return outputs;
}

LogicalResult GraphImporter::importInitializers() {
  for (const auto &tensor : model_.graph().initializer()) {
    auto attr = tensorToAttr(tensor, &ctx_);
    if (!attr)
      return error("initializer " + llvm::toString(attr.takeError()));
    constants_[tensor.name()] = *attr;
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  const onnx::GraphProto &graph = model_.graph();
  for (const auto &info : graph.value_info())
    types_[info.name()] = &info.type();
  for (const auto &info : graph.output())
    types_[info.name()] = &info.type();
  for (const auto &info : graph.input())
    types_[info.name()] = &info.type();

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  if (failed(importInitializers()))
    return nullptr;

  // Graph inputs that are initializers (older exporters list weights as inputs) are constants.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &info : graph.input()) {
    if (constants_.count(info.name()))
      continue;
    FailureOr<RankedTensorType> type = inputType(info);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argNames.push_back(info.name());
  }

  builder_.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder_, fileLoc(), options_.functionName,
                                   builder_.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  if (!options_.nodeFormats.empty()) {
    SmallVector<NamedAttribute> plan;
    for (const auto &[node, format] : options_.nodeFormats)
      plan.push_back(builder_.getNamedAttr(node, builder_.getStringAttr(format)));
    func->setAttr(graph::kPrecisionPlanAttr, builder_.getDictionaryAttr(plan));
  }
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, kTensorNameAttr, builder_.getStringAttr(name));
    // The caller's input buffers are read-only: what updates a value in place (a run-time
    // Loop's carried values) works on a copy of an input.
    func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                    builder_.getBoolAttr(false));
    values_[name] = entry->getArgument(i);
  }
  builder_.setInsertionPointToStart(entry);

  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, index)))
      return nullptr;

  SmallVector<Value> results;
  for (const auto &info : graph.output()) {
    Value value = lookup(info.name());
    if (!value && sequences_.count(info.name())) {
      (void)error("graph output \"" + info.name() + "\" is a sequence; dlc compiles models " +
                  "whose outputs are tensors");
      return nullptr;
    }
    if (!value) {
      (void)error("graph output \"" + info.name() + "\" is not produced by any node");
      return nullptr;
    }
    results.push_back(value);
  }
  // The sizes of outputs known only at run time follow the outputs, one result per size (two
  // outputs of one TopK share theirs), each naming the outputs it measures.
  SmallVector<std::pair<int, int64_t>> measured; // (output, axis)
  SmallVector<Value> sizes;
  SmallVector<SmallVector<int64_t>> sizeOf;
  for (auto [i, info] : llvm::enumerate(graph.output())) {
    auto size = dataDependent_.find(info.name());
    if (size == dataDependent_.end())
      continue;
    measured.push_back({int(i), size->second.axis});
    auto slot = llvm::find(sizes, size->second.count);
    if (slot == sizes.end()) {
      sizes.push_back(size->second.count);
      sizeOf.emplace_back();
      slot = std::prev(sizes.end());
    }
    sizeOf[slot - sizes.begin()].push_back(int64_t(i));
  }
  llvm::append_range(results, sizes);
  func::ReturnOp::create(builder_, fileLoc(), results);
  func.setType(builder_.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, info] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, kTensorNameAttr, builder_.getStringAttr(info.name()));
  for (auto [output, axis] : measured)
    func.setResultAttr(output, kDataDependentAxisAttr, builder_.getI64IntegerAttr(axis));
  for (auto [j, outputs] : llvm::enumerate(sizeOf))
    func.setResultAttr(graph.output_size() + j, kSizeOfAttr,
                       builder_.getDenseI64ArrayAttr(outputs));
  return module;
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node, int index) {
  std::string name = nodeName(node, index);
  Location loc = NameLoc::get(builder_.getStringAttr(name), fileLoc());
  NodeContext context(*this, node, opset_, loc);
  if (!isDefaultDomain(node.domain()))
    return context.fail("ops of domain \"" + node.domain() + "\" are not supported");
  auto importer = opTable().find(node.op_type());
  if (importer == opTable().end())
    return context.fail("unsupported op");
  for (int i = 0; i < node.input_size(); ++i) {
    if (!node.input(i).empty() && !lookup(node.input(i)) && !sequences_.count(node.input(i)))
      return context.fail("input \"" + node.input(i) + "\" is not defined before its use");
    auto size = dataDependent_.find(node.input(i));
    if (size != dataDependent_.end())
      return context.fail("input \"" + node.input(i) + "\" (computed by node \"" +
                          size->second.node + "\") has a size known only at run time; dlc " +
                          "supports such a tensor as a graph output, not yet as an operand");
  }
  if (failed(importer->second(context)))
    return failure();
  // Shape arithmetic on constants becomes constants here, so that later nodes whose operands
  // must be known at compile time (Reshape's shape, ConstantOfShape's) see them.
  llvm::DenseMap<Value, Value> folded;
  for (const auto &output : node.output()) {
    if (output.empty())
      continue;
    if (!values_.count(output)) {
      if (!constants_.count(output) && !sequences_.count(output))
        return context.fail("output \"" + output + "\" is not supported by dlc's import");
      continue;
    }
    Value &bound = values_[output];
    auto [it, inserted] = folded.try_emplace(bound);
    if (inserted)
      it->second = fold(bound);
    bound = it->second;
  }
  return success();
}

/// Folds the graph op defining `value`, after its operands' producers, and returns the value
/// that replaces it (a graph.constant when every operand folds to a constant). A dequantized
/// constant stays as it is, so that an op computing on integers finds them (see
/// NodeContext::dequantizedInput), but its consumers fold on its value.
Value GraphImporter::fold(Value value) {
  Operation *op = value.getDefiningOp();
  if (!op || op->getNumResults() != 1 || isa<graph::ConstantOp, graph::DequantizeOp>(op) ||
      !isa<graph::GraphDialect>(op->getDialect()) || !triedFolding_.insert(op).second)
    return value;
  SmallVector<Attribute> operands;
  for (unsigned i = 0; i < op->getNumOperands(); ++i)
    operands.push_back(constantOf(fold(op->getOperand(i))));
  SmallVector<OpFoldResult> results;
  if (failed(op->fold(operands, results)) || results.empty() ||
      llvm::dyn_cast_if_present<Value>(results[0]) == value)
    return value;
  Value replacement = llvm::dyn_cast_if_present<Value>(results[0]);
  if (!replacement) {
    auto attr = cast<ElementsAttr>(cast<Attribute>(results[0]));
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPoint(op);
    replacement = graph::ConstantOp::create(builder_, op->getLoc(), value.getType(), attr);
  }
  value.replaceAllUsesWith(replacement);
  triedFolding_.erase(op);
  op->erase();
  return replacement;
}

DenseElementsAttr constantOf(Value value) {
  if (auto constant = value.getDefiningOp<graph::ConstantOp>())
    return cast<DenseElementsAttr>(constant.getValue());
  auto dequantize = value.getDefiningOp<graph::DequantizeOp>();
  DenseElementsAttr integers = dequantize ? constantOf(dequantize.getInput()) : nullptr;
  SmallVector<OpFoldResult> results;
  if (!integers || failed(dequantize->fold({integers}, results)) || results.empty())
    return nullptr;
  return dyn_cast_if_present<DenseElementsAttr>(dyn_cast_if_present<Attribute>(results[0]));
}

OwningOpRef<ModuleOp> importModel(const onnx::ModelProto &model, MLIRContext &ctx,
                                  const ImportOptions &options) {
  ctx.getOrLoadDialect<graph::GraphDialect>();
  ctx.getOrLoadDialect<func::FuncDialect>();
  // Control flow with a condition or trip count known only at run time.
  ctx.getOrLoadDialect<scf::SCFDialect>();
  ctx.getOrLoadDialect<tensor::TensorDialect>();
  ctx.getOrLoadDialect<arith::ArithDialect>();
  // A run-time Loop's loop-carried values are written back into their loop arguments.
  ctx.getOrLoadDialect<bufferization::BufferizationDialect>();
  GraphImporter importer(model, ctx, options);
  return importer.run();
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &importer, const onnx::NodeProto &node, int64_t opset,
                         Location loc)
    : importer_(importer), node_(node), opset_(opset), loc_(loc) {}

OpBuilder &NodeContext::builder() { return importer_.builder(); }
MLIRContext *NodeContext::context() { return &importer_.context(); }

bool NodeContext::hasInput(int i) const { return i < node_.input_size() && !node_.input(i).empty(); }

Value NodeContext::input(int i) { return hasInput(i) ? importer_.lookup(node_.input(i)) : Value(); }

std::optional<DenseElementsAttr> NodeContext::constantInput(int i) {
  if (!hasInput(i))
    return std::nullopt;
  if (auto constant = importer_.lookupConstant(node_.input(i)))
    return constant;
  if (Value value = input(i))
    if (DenseElementsAttr constant = constantOf(value))
      return constant;
  return std::nullopt;
}

FailureOr<std::vector<int64_t>> NodeContext::intsInput(int i, StringRef what) {
  std::optional<DenseElementsAttr> constant = constantInput(i);
  if (!constant)
    return fail("operand '" + what + "' (\"" + node_.input(i) +
                "\") must be a constant for dlc to compile this model");
  if (!isa<IntegerType>(constant->getElementType()))
    return fail("operand '" + what + "' must hold integers");
  return attrToInts(*constant);
}

FailureOr<double> NodeContext::scalarInput(int i, StringRef what) {
  std::optional<DenseElementsAttr> constant = constantInput(i);
  if (!constant || constant->getNumElements() != 1)
    return fail("operand '" + what + "' must be a scalar constant");
  Attribute value = *constant->value_begin<Attribute>();
  if (auto f = dyn_cast<FloatAttr>(value))
    return f.getValueAsDouble();
  APInt v = cast<IntegerAttr>(value).getValue();
  return constant->getElementType().isUnsignedInteger() ? double(v.getZExtValue())
                                                        : double(v.getSExtValue());
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &attribute : node_.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

bool NodeContext::hasAttr(StringRef name) const { return attr(name) != nullptr; }

int64_t NodeContext::intAttr(StringRef name, int64_t fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->i() : fallback;
}

float NodeContext::floatAttr(StringRef name, float fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->f() : fallback;
}

std::string NodeContext::stringAttr(StringRef name, StringRef fallback) const {
  const onnx::AttributeProto *a = attr(name);
  return a ? a->s() : fallback.str();
}

std::vector<int64_t> NodeContext::intsAttr(StringRef name) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return {};
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

int NodeContext::numOutputs() const {
  int count = 0;
  for (const auto &output : node_.output())
    count += !output.empty();
  return count;
}

/// Whether `type` is a tensor type whose every dimension has a value.
static bool hasStaticShape(const onnx::TypeProto *type) {
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return false;
  return llvm::all_of(type->tensor_type().shape().dim(),
                      [](const auto &dim) { return dim.has_dim_value(); });
}

const onnx::TypeProto *NodeContext::propagatedOutputType(int i, std::string &why) {
  if (!propagated_) {
    std::vector<KnownInput> inputs;
    for (int k = 0; k < numInputs(); ++k)
      inputs.push_back({input(k), constantInput(k)});
    auto types = inferNodeOutputTypes(node_, opset_, inputs);
    if (types)
      propagated_ = std::move(*types);
    else
      propagationError_ = llvm::toString(types.takeError());
  }
  why = propagationError_;
  if (!propagated_ || i >= int(propagated_->size()))
    return nullptr;
  return &(*propagated_)[i];
}

FailureOr<RankedTensorType> NodeContext::outputType(int i) {
  const std::string &name = node_.output(i);
  const onnx::TypeProto *type = importer_.typeOf(name);
  // Where ONNX's whole-model inference stopped, the op's own inference function continues from
  // what the importer knows: static input shapes and folded constants.
  if (!hasStaticShape(type)) {
    std::string why;
    const onnx::TypeProto *propagated = propagatedOutputType(i, why);
    if (hasStaticShape(propagated))
      type = propagated;
    else if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
      return fail("neither ONNX shape inference nor dlc's propagation from the inputs' shapes "
                  "and constant values gave a shape for output \"" + name + "\"" +
                  (why.empty() ? "" : " (" + why + ")") +
                  "; if it depends on a graph input's value or shape, --shape may fix it");
  }
  Type element = elementType(type->tensor_type().elem_type(), context());
  if (!element)
    return fail("output \"" + name + "\" has element type " +
                onnxTypeName(type->tensor_type().elem_type()) + ", which dlc does not support yet");
  // ONNX's data propagation cannot follow every computation (a float Range of a bound input);
  // an elementwise op's result then takes the broadcast shape of its operands.
  std::optional<SmallVector<int64_t>> operandShape;
  if (isElementwise(node_.op_type())) {
    operandShape.emplace();
    for (int k = 0; k < numInputs() && operandShape; ++k) {
      SmallVector<int64_t> broadcast;
      if (!hasInput(k))
        continue;
      if (OpTrait::util::getBroadcastedShape(*operandShape, shapeOf(input(k)), broadcast))
        operandShape = broadcast;
      else
        operandShape.reset();
    }
  }
  const auto &dims = type->tensor_type().shape().dim();
  SmallVector<int64_t> shape;
  for (const auto &[k, dim] : llvm::enumerate(dims)) {
    if (dim.has_dim_value())
      shape.push_back(dim.dim_value());
    else if (operandShape && operandShape->size() == size_t(dims.size()))
      shape.push_back((*operandShape)[k]);
    else
      return fail("output \"" + name + "\" has a dimension that is not static");
  }
  return RankedTensorType::get(shape, element);
}

LogicalResult NodeContext::inlineSubgraph(const onnx::GraphProto &graph) {
  FailureOr<SmallVector<Value>> outputs = importSubgraph(graph, {});
  if (failed(outputs))
    return failure();
  for (auto [i, value] : llvm::enumerate(*outputs))
    setOutput(int(i), value);
  return success();
}

FailureOr<SmallVector<Value>> NodeContext::importSubgraph(const onnx::GraphProto &graph,
                                                          ValueRange inputs) {
  return importer_.importScopedSubgraph(graph, SmallVector<Value>(inputs));
}

void NodeContext::discard(Block &block) { importer_.discard(block); }

void NodeContext::setOutput(int i, Value value) {
  if (i < node_.output_size() && !node_.output(i).empty())
    importer_.bind(node_.output(i), value);
}

FailureOr<SmallVector<Value>> NodeContext::sequenceInput(int i) {
  if (!hasInput(i))
    return fail("the sequence operand is missing");
  const SmallVector<Value> *elements = importer_.lookupSequence(node_.input(i));
  if (!elements)
    return fail("input \"" + node_.input(i) + "\" is not a sequence dlc could follow " +
                "(a graph input or a sequence built at run time)");
  return *elements;
}

bool NodeContext::integerKernels() { return importer_.options().integerKernels; }

bool NodeContext::hasPrecisionPlan() { return !importer_.options().nodeFormats.empty(); }

std::optional<std::pair<double, double>> NodeContext::calibratedRange(int i) {
  if (!hasInput(i))
    return std::nullopt;
  // A plan computes in int8 only the nodes it names so.
  const auto &formats = importer_.options().nodeFormats;
  if (!formats.empty()) {
    auto format = formats.find(cast<NameLoc>(loc_).getName().str());
    if (format == formats.end() || format->second != "int8")
      return std::nullopt;
  }
  const auto &ranges = importer_.options().calibratedRanges;
  auto found = ranges.find(node_.input(i));
  return found == ranges.end() ? std::nullopt
                               : std::optional<std::pair<double, double>>(found->second);
}

std::optional<Dequantized> NodeContext::dequantizedInput(int i) {
  if (!hasInput(i))
    return std::nullopt;
  auto dequantize = input(i).getDefiningOp<graph::DequantizeOp>();
  std::optional<graph::Quantization> q =
      dequantize ? graph::Quantization::of(dequantize.getQuantization()) : std::nullopt;
  if (!q)
    return std::nullopt;
  // The parameters as ONNX's constants: one value (rank 0) or one per slice along the axis.
  Value integers = dequantize.getInput();
  SmallVector<int64_t> dims;
  if (q->axis)
    dims.push_back(q->scales.size());
  SmallVector<Attribute> scales, zeroPoints;
  Type storage = getElementTypeOrSelf(integers);
  for (auto [scale, zeroPoint] : llvm::zip(q->scales, q->zeroPoints)) {
    scales.push_back(FloatAttr::get(q->expressed, scale));
    zeroPoints.push_back(IntegerAttr::get(storage, zeroPoint));
  }
  Dequantized dequantized{integers,
                          DenseElementsAttr::get(RankedTensorType::get(dims, q->expressed),
                                                 scales),
                          DenseElementsAttr(), q->axis.value_or(0)};
  if (!q->zeroPointsAreZero())
    dequantized.zeroPoint =
        DenseElementsAttr::get(RankedTensorType::get(dims, storage), zeroPoints);
  return dequantized;
}

void NodeContext::setSequenceOutput(int i, ArrayRef<Value> elements) {
  if (i < node_.output_size() && !node_.output(i).empty())
    importer_.bindSequence(node_.output(i), elements);
}

void NodeContext::setDataDependentOutput(int i, Value value, Value count, int64_t axis) {
  if (i < node_.output_size() && !node_.output(i).empty())
    importer_.bindDataDependent(node_.output(i), value,
                                {count, axis, cast<NameLoc>(loc_).getName().str()});
}

LogicalResult NodeContext::fail(const Twine &message) {
  emitError(loc_) << "(" << node_.op_type() << ", opset " << opset_ << "): " << message;
  return failure();
}

Value NodeContext::constant(DenseElementsAttr attr) {
  return create<graph::ConstantOp>(attr.getType(), attr);
}

Value NodeContext::constant(RankedTensorType type, ArrayRef<double> values) {
  Type element = type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> floats;
    for (double value : values) {
      APFloat converted(value);
      bool lossy;
      converted.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lossy);
      floats.push_back(converted);
    }
    return constant(DenseElementsAttr::get(type, floats));
  }
  SmallVector<APInt> ints;
  for (double value : values)
    ints.push_back(APInt(element.getIntOrFloatBitWidth(), int64_t(value), /*isSigned=*/true,
                         /*implicitTrunc=*/true));
  return constant(DenseElementsAttr::get(type, ints));
}

Value NodeContext::scalar(Type type, double value) {
  auto tensorType = RankedTensorType::get({}, type);
  if (isa<FloatType>(type))
    return constant(DenseElementsAttr::get(tensorType, builder().getFloatAttr(type, value)));
  return constant(DenseElementsAttr::get(tensorType, builder().getIntegerAttr(type, int64_t(value))));
}

Value NodeContext::reshape(Value value, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return create<graph::ReshapeOp>(RankedTensorType::get(shape, type.getElementType()), value);
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

std::pair<int64_t, int64_t> flattenedSizes(ArrayRef<int64_t> shape, int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < int64_t(shape.size()); ++d)
    (d < axis ? outer : inner) *= shape[d];
  return {outer, inner};
}

ArrayRef<int64_t> shapeOf(Value value) { return cast<RankedTensorType>(value.getType()).getShape(); }

} // namespace dlc::onnx_frontend
