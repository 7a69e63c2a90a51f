// The compilation driver: ONNX import, the pass pipeline, and LLVM code generation for one model.
// The pass order itself lives in compiler/Pipelines; this file only sequences the steps.
#include "compiler/Driver/Compilation.h"

#include "compiler/Driver/Progress.h"

#include "compiler/Precision/Passes.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"
#include "llvm/ADT/StringExtras.h"

#include "dialects/Graph/IR/GraphDialect.h"
#include "frontends/onnx/Importer.h"
#include "compiler/MemoryPlanning/Passes.h"
#include "targets/Common/HeaderWriter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Path.h"

#include <set>

namespace dlc::driver {

using namespace mlir;

void registerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<graph::GraphDialect>();
}

std::string defaultModelName(const std::string &modelPath) {
  return targets::makeCIdentifier(llvm::sys::path::stem(modelPath).str(), "model");
}

Compilation::Compilation(MLIRContext &context, CompileRequest request,
                         std::shared_ptr<const targets::Target> target)
    : context_(context), request_(std::move(request)), target_(std::move(target)) {
  if (request_.name.empty())
    request_.name = defaultModelName(request_.modelPath);
  if (request_.graphFunction.empty())
    request_.graphFunction = targets::graphFunctionName(request_.name);
}

LogicalResult emitModelError(MLIRContext &context, const std::string &modelPath,
                             const Twine &message) {
  emitError(FileLineColLoc::get(&context, modelPath, 0, 0)) << message;
  return failure();
}

LogicalResult Compilation::fail(const Twine &message) {
  return emitModelError(context_, request_.modelPath, message);
}

FailureOr<std::shared_ptr<const targets::Target>> createTarget(MLIRContext &context,
                                                               const CompileRequest &request) {
  auto target = targets::createTarget(request.target);
  if (!target)
    return emitModelError(context, request.modelPath, llvm::toString(target.takeError()));
  return std::shared_ptr<const targets::Target>(std::move(*target));
}

/// Checks that the target computes every element type of the graph module; an error names the
/// first op with a value it cannot hold.
static LogicalResult checkElementTypes(ModuleOp module, const targets::Target &target) {
  WalkResult result = module.walk([&](Operation *op) {
    for (Type type : op->getResultTypes()) {
      Type element = getElementTypeOrSelf(type);
      if (isa<ShapedType>(type) && !target.supportsElementType(element)) {
        op->emitError() << "target '" << target.info().name << "' does not support element type "
                        << element;
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

/// A tensor signature from a function argument or result type and its dlc.name attribute.
static targets::TensorSignature tensorSignature(Type type, DictionaryAttr attrs) {
  auto tensor = cast<ShapedType>(type);
  targets::TensorSignature signature;
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>(onnx_frontend::kTensorNameAttr))
      signature.name = name.str();
  signature.elementType = tensor.getElementType();
  signature.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  return signature;
}

LogicalResult Compilation::import(const onnx::ModelProto &model) {
  Progress::get().at("import", std::to_string(model.graph().node_size()) + " nodes");
  if (!target_) {
    auto target = createTarget(context_, request_);
    if (failed(target))
      return failure();
    target_ = std::move(*target);
  }
  onnx_frontend::ImportOptions options;
  options.modelPath = request_.modelPath;
  options.functionName = graphFunction();
  options.integerKernels = (target_->info().precisions & targets::kPrecisionInt8) != 0;
  bool int8 = request_.precision.format == "int8";
  if (request_.precision.format == "mixed") {
    if (failed(readPlan(options.nodeFormats)) || failed(checkPlanNodes(model, options)))
      return failure();
    int8 = llvm::any_of(options.nodeFormats, [](auto &node) { return node.second == "int8"; });
  }
  if (int8 && !options.integerKernels)
    return fail("target '" + target_->info().name + "' has no int8 kernels (AVX512-VNNI): "
                "compile with --precision=fp32 or bf16, or for a target that has them");
  if (int8 && failed(readCalibration(options.calibratedRanges)))
    return failure();
  module_ = onnx_frontend::importModel(model, context_, options);
  if (!module_)
    return failure();
  if (failed(verify(*module_)) || failed(checkElementTypes(*module_, *target_)))
    return failure();

  auto func = *module_->getOps<func::FuncOp>().begin();
  signature_.name = request_.name;
  signature_.sourcePath = llvm::sys::path::filename(request_.modelPath).str();
  signature_.target = request_.target;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    signature_.inputs.push_back(tensorSignature(func.getArgument(i).getType(), func.getArgAttrDict(i)));
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    DictionaryAttr attrs = func.getResultAttrDict(i);
    if (auto measured =
            attrs ? attrs.getAs<DenseI64ArrayAttr>(onnx_frontend::kSizeOfAttr) : nullptr) {
      // The run-time size of outputs (after all of them), recorded in the workspace.
      int64_t slot = signature_.numResultSizes();
      for (int64_t output : measured.asArrayRef())
        signature_.outputs[output].sizeSlot = slot;
      continue;
    }
    targets::TensorSignature &output =
        signature_.outputs.emplace_back(tensorSignature(func.getResultTypes()[i], attrs));
    if (attrs)
      if (auto axis = attrs.getAs<IntegerAttr>(onnx_frontend::kDataDependentAxisAttr))
        output.dataDependentAxis = axis.getInt();
  }
  phase_.reset();
  return success();
}

std::optional<llvm::json::Value> Compilation::readDocument(const std::string &path,
                                                          llvm::StringRef format,
                                                          llvm::StringRef what,
                                                          bool ofThisModel) {
  auto text = llvm::MemoryBuffer::getFile(path);
  if (!text) {
    (void)fail(path + ": cannot read the " + what + ": " + text.getError().message());
    return std::nullopt;
  }
  auto document = llvm::json::parse((*text)->getBuffer());
  if (!document) {
    (void)fail(path + ": not JSON: " + llvm::toString(document.takeError()));
    return std::nullopt;
  }
  const llvm::json::Object *root = document->getAsObject();
  if (!root || root->getString("format") != format || root->getInteger("version") != 1) {
    (void)fail(path + ": not a " + what + " (format " + format + ", version 1)");
    return std::nullopt;
  }
  // The document must be this model's: its hash is the model file's.
  auto model = llvm::MemoryBuffer::getFile(request_.modelPath);
  if (ofThisModel && model) {
    std::array<uint8_t, 32> hash = llvm::SHA256::hash(llvm::arrayRefFromStringRef(
        (*model)->getBuffer()));
    if (root->getString("model_sha256") != llvm::toHex(hash, /*LowerCase=*/true)) {
      (void)fail(path + ": the " + what + " was made from another model (its model_sha256 " +
                 "differs from " + request_.modelPath + "'s)");
      return std::nullopt;
    }
  }
  return std::move(*document);
}

LogicalResult
Compilation::readCalibration(std::map<std::string, std::pair<double, double>> &ranges) {
  const std::string &path = request_.precision.calibrationPath;
  if (path.empty())
    return fail("--precision=" + request_.precision.format +
                " needs a calibration table (--calibration, from dlc calibrate)");
  std::optional<llvm::json::Value> document =
      readDocument(path, "dlc-calibration", "calibration table");
  if (!document)
    return failure();
  const llvm::json::Object *tensors = document->getAsObject()->getObject("tensors");
  if (!tensors)
    return fail(path + ": the table has no tensors");
  for (const auto &[name, entry] : *tensors) {
    const llvm::json::Object *object = entry.getAsObject();
    const llvm::json::Array *range = object ? object->getArray("range") : nullptr;
    if (!range || range->size() != 2 || !(*range)[0].getAsNumber() ||
        !(*range)[1].getAsNumber() || *(*range)[0].getAsNumber() > *(*range)[1].getAsNumber())
      return fail(path + ": tensor \"" + name.str() + "\" has no [low, high] range");
    ranges[name.str()] = {*(*range)[0].getAsNumber(), *(*range)[1].getAsNumber()};
  }
  return success();
}

LogicalResult Compilation::readPlan(std::map<std::string, std::string> &formats) {
  const std::string &path = request_.precision.planPath;
  std::optional<llvm::json::Value> document =
      readDocument(path, "dlc-precision-plan", "precision plan");
  if (!document)
    return failure();
  const llvm::json::Object *nodes = document->getAsObject()->getObject("nodes");
  if (!nodes)
    return fail(path + ": the plan has no nodes");
  for (const auto &[name, entry] : *nodes) {
    std::optional<llvm::StringRef> format = entry.getAsString();
    if (!format || (*format != "fp32" && *format != "bf16" && *format != "int8"))
      return fail(path + ": node \"" + name.str() + "\" has no format (fp32, bf16 or int8)");
    formats[name.str()] = format->str();
  }
  return success();
}

LogicalResult Compilation::checkPlanNodes(const onnx::ModelProto &model,
                                          onnx_frontend::ImportOptions &options) {
  std::set<std::string> names;
  for (auto [index, node] : llvm::enumerate(model.graph().node()))
    names.insert(onnx_frontend::nodeName(node, int64_t(index)));
  int widened = 0;
  for (auto &[name, format] : options.nodeFormats) {
    if (!names.count(name))
      return fail(request_.precision.planPath + ": node \"" + name + "\" is not in the model");
    // A target without fast bf16 products computes those nodes in fp32, as --precision=bf16.
    if (format == "bf16" && effectivePrecision(*target_, "bf16") != "bf16") {
      format = "fp32";
      ++widened;
    }
  }
  static bool told = false; // once per process, not once per specialization
  if (widened && !told) {
    Progress::get().interrupt();
    llvm::errs() << "dlc: note: target '" << target_->info().name
                 << "' computes bf16 products no faster than fp32 ones; the plan's " << widened
                 << " bf16 node(s) compile in fp32\n";
  }
  told = told || widened;
  return success();
}

std::string effectivePrecision(const targets::Target &target, const std::string &requested) {
  if (requested == "bf16" && !(target.info().precisions & targets::kPrecisionBF16))
    return "fp32";
  return requested;
}

LogicalResult Compilation::applyTuning() {
  const std::string &path = request_.tuningPath;
  if (path.empty() || phase_)
    return success();
  // A tuning file is the machine's, not one model's: any model may use it.
  std::optional<llvm::json::Value> document =
      readDocument(path, "dlc-tuning", "tuning file", /*ofThisModel=*/false);
  if (!document)
    return failure();
  const llvm::json::Object *cpus = document->getAsObject()->getObject("cpus");
  if (!cpus)
    return fail(path + ": the tuning file has no cpus");
  std::string cpu = target_->tuningKey();
  const llvm::json::Object *section = cpu.empty() ? nullptr : cpus->getObject(cpu);
  const llvm::json::Object *kernels = section ? section->getObject("kernels") : nullptr;
  if (!kernels) {
    static bool told = false; // once per process, not once per specialization
    if (!told) {
      Progress::get().interrupt();
      llvm::errs() << "dlc: note: " << path << " has no tuning for CPU '"
                   << (cpu.empty() ? target_->info().name : cpu)
                   << "'; the cost model chooses every strategy\n";
    }
    told = true;
    return success();
  }
  Builder b(&context_);
  SmallVector<NamedAttribute> choices;
  for (const auto &[key, entry] : *kernels) {
    const llvm::json::Object *kernel = entry.getAsObject();
    std::optional<llvm::StringRef> strategy = kernel ? kernel->getString("strategy") : std::nullopt;
    if (!strategy)
      return fail(path + ": kernel \"" + key.str() + "\" of CPU '" + cpu + "' has no strategy");
    choices.push_back(b.getNamedAttr(key.str(), b.getStringAttr(*strategy)));
  }
  for (auto func : module_->getOps<func::FuncOp>())
    func->setAttr(targets::kTuningAttr, b.getDictionaryAttr(choices));
  return success();
}

LogicalResult Compilation::lowerTo(pipelines::Phase phase) {
  if (failed(applyTuning()))
    return failure();
  PassManager pm(&context_);
  pipelines::PipelineOptions options;
  options.precision = effectivePrecision(*target_, request_.precision.format);
  options.profile = request_.profile;
  if (options.precision != request_.precision.format) {
    static bool told = false; // once per process, not once per specialization
    if (!told) {
      Progress::get().interrupt();
      llvm::errs() << "dlc: note: target '" << target_->info().name
                   << "' computes bf16 products no faster than fp32 ones; compiling in fp32\n";
    }
    told = true;
  }
  // The phases up to `phase`, each one's passes named for the progress line.
  std::vector<Progress::PassStep> passes;
  for (pipelines::Phase each : pipelines::allPhases()) {
    pipelines::buildPhase(pm, *target_, each, options);
    OpPassManager alone(ModuleOp::getOperationName());
    pipelines::buildPhase(alone, *target_, each, options);
    std::string text;
    llvm::raw_string_ostream stream(text);
    alone.printAsTextualPipeline(stream);
    Progress::appendPasses(text, pipelines::phaseName(each).str() + " passes", passes);
    if (each == phase)
      break;
  }
  Progress::get().instrument(pm, std::move(passes));
  // A pass that fails says why; one that does not is named here, so a failed compile is never
  // a silent exit status.
  bool diagnosed = false;
  LogicalResult ran = success();
  {
    ScopedDiagnosticHandler seen(&context_, [&](Diagnostic &diag) {
      diagnosed |= diag.getSeverity() == DiagnosticSeverity::Error;
      return failure(); // on to the handler that prints it
    });
    ran = pm.run(*module_);
  }
  if (failed(ran))
    return diagnosed ? failure()
                     : fail("internal error: a pass of the " + pipelines::phaseName(phase) +
                            " phase failed without saying why (dlc-opt --" +
                            "dlc-" + pipelines::phaseName(phase) +
                            "-pipeline with --mlir-print-ir-after-failure names it)");
  phase_ = phase;
  if (phase < pipelines::Phase::Buffers)
    return success();
  // The planned workspace, recorded by dlc-plan-workspace on the graph function.
  Operation *func = module_->lookupSymbol(graphFunction());
  auto size = func ? func->getAttrOfType<IntegerAttr>(memory::kWorkspaceSizeAttr) : IntegerAttr();
  auto bound =
      func ? func->getAttrOfType<IntegerAttr>(memory::kWorkspaceLowerBoundAttr) : IntegerAttr();
  if (!size || !bound)
    return fail("internal error: the memory plan is missing");
  // The sizes of data-dependent outputs follow the plan, 8 bytes each.
  signature_.resultSizesOffset = size.getInt();
  signature_.workspaceSize = size.getInt() + 8 * signature_.numResultSizes() +
                             targets::kWorkspaceAlignmentSlack;
  signature_.workspaceLowerBound = bound.getInt();
  // The precision and strategy reports: one "node\twhat\twhy" string per op, a strategy's
  // followed by "\tkey\tname\tcandidate,candidate.." where it has a choice.
  auto reportLines = [&](llvm::StringRef attr) {
    SmallVector<SmallVector<llvm::StringRef, 6>> lines;
    if (auto report = func->getAttrOfType<ArrayAttr>(attr))
      for (auto line : report.getAsRange<StringAttr>()) {
        SmallVector<llvm::StringRef, 6> fields;
        line.getValue().split(fields, '\t');
        fields.resize(std::max<size_t>(fields.size(), 3));
        lines.push_back(fields);
      }
    return lines;
  };
  signature_.precisions.clear();
  for (const auto &fields : reportLines(precision::kPrecisionsAttr))
    signature_.precisions.push_back({fields[0].str(), fields[1].str(), fields[2].str()});
  signature_.strategies.clear();
  for (const auto &fields : reportLines(targets::kStrategiesAttr)) {
    targets::ModelSignature::StrategyChoice choice{fields[0].str(), fields[1].str(),
                                                   fields[2].str(), "", "", {}};
    if (fields.size() >= 6) {
      choice.key = fields[3].str();
      choice.name = fields[4].str();
      SmallVector<llvm::StringRef> candidates;
      fields[5].split(candidates, ',', -1, /*KeepEmpty=*/false);
      for (llvm::StringRef candidate : candidates)
        choice.candidates.push_back(candidate.str());
    }
    signature_.strategies.push_back(std::move(choice));
  }
  return success();
}

FailureOr<std::vector<targets::ObjectFile>> Compilation::emit(targets::CodeKind kind) {
  if (phase_ != pipelines::Phase::LLVM)
    return fail("internal error: code generation needs the llvm phase");
  auto files = target_->generateCode({*module_}, signature_, kind);
  if (!files)
    return fail(llvm::toString(files.takeError()));
  return std::move(*files);
}

LogicalResult specializeModel(MLIRContext &context, onnx::ModelProto &model,
                             const std::string &path,
                             const onnx_frontend::InputBindings &bindings) {
  if (llvm::Error error = onnx_frontend::bindInputs(model, path, bindings))
    return emitError(UnknownLoc::get(&context)) << llvm::toString(std::move(error));
  if (llvm::Error error = onnx_frontend::inferShapes(model, path))
    return emitError(UnknownLoc::get(&context)) << llvm::toString(std::move(error));
  return success();
}

namespace {

/// "batch=2, seq=5": a specialization's dimension values, for messages.
std::string describeValues(llvm::ArrayRef<targets::SymbolicDim> dims,
                           llvm::ArrayRef<int64_t> values) {
  std::string text;
  for (auto [dim, value] : llvm::zip(dims, values))
    text += (text.empty() ? "" : ", ") + dim.name + "=" + std::to_string(value);
  return text;
}

/// Widens `into` (the largest shapes seen so far) by `tensors`, elementwise.
void widenShapes(std::vector<targets::TensorSignature> &into,
                 const std::vector<targets::TensorSignature> &tensors) {
  if (into.empty()) {
    into = tensors;
    return;
  }
  for (auto [wide, tensor] : llvm::zip(into, tensors))
    for (auto [dim, other] : llvm::zip(wide.shape, tensor.shape))
      dim = std::max(dim, other);
}

} // namespace

FailureOr<CompiledModel> compileModel(MLIRContext &context, const CompileRequest &request,
                                      const onnx::ModelProto &model, const ShapePlan &plan,
                                      targets::CodeKind kind) {
  auto fail = [&](const Twine &message) {
    return emitModelError(context, request.modelPath, message);
  };
  auto target = createTarget(context, request);
  if (failed(target))
    return failure();

  CompiledModel compiled;
  targets::ModelSignature &signature = compiled.signature;
  signature.dims = plan.dims;
  signature.inputDims = plan.inputDims;
  bool symbolic = signature.hasSymbolicDims();
  std::string name = request.name.empty() ? defaultModelName(request.modelPath) : request.name;
  // Each specialization is compiled to the llvm phase; the target then generates the code of
  // all of them at once.
  std::vector<std::unique_ptr<Compilation>> compilations;
  for (auto [i, specialization] : llvm::enumerate(plan.specializations)) {
    onnx::ModelProto specialized = model;
    CompileRequest specializedRequest = request;
    if (symbolic)
      specializedRequest.graphFunction =
          targets::graphFunctionName(name + "_" + std::to_string(i));
    Compilation &compilation = *compilations.emplace_back(
        std::make_unique<Compilation>(context, specializedRequest, *target));
    if (symbolic)
      Progress::get().setPart(std::to_string(i + 1) + "/" +
                              std::to_string(plan.specializations.size()));
    if (failed(specializeModel(context, specialized, request.modelPath,
                               {specialization.inputShapes, {}})) ||
        failed(compilation.import(specialized)) ||
        failed(compilation.lowerTo(pipelines::Phase::LLVM))) {
      if (!symbolic)
        return failure();
      return fail("in the specialization for " +
                  describeValues(plan.dims, specialization.dimValues));
    }
    const targets::ModelSignature &part = compilation.signature();
    if (symbolic && part.numDataDependentOutputs() > 0)
      return fail("outputs whose size depends on the data (NonZero's) are not supported with "
                  "--max-shape yet; fix the shapes with --shape");
    if (!symbolic) {
      signature = part;
      break;
    }
    signature.name = part.name;
    signature.sourcePath = part.sourcePath;
    signature.target = part.target;
    widenShapes(signature.inputs, part.inputs);
    widenShapes(signature.outputs, part.outputs);
    signature.workspaceSize = std::max(signature.workspaceSize, part.workspaceSize);
    signature.workspaceLowerBound =
        std::max(signature.workspaceLowerBound, part.workspaceLowerBound);
    targets::Specialization &entry = signature.specializations.emplace_back();
    entry.dimValues = specialization.dimValues;
    entry.graphFunction = compilation.graphFunction();
    for (const targets::TensorSignature &tensor : part.outputs)
      entry.outputShapes.push_back(tensor.shape);
  }
  for (const onnx::StringStringEntryProto &entry : model.metadata_props())
    signature.metadata.emplace_back(entry.key(), entry.value());
  SmallVector<ModuleOp> parts;
  for (const std::unique_ptr<Compilation> &compilation : compilations)
    parts.push_back(compilation->module());
  Progress::get().setPart("");
  Progress::get().at("code generation", "LLVM -O3 and the target's code");
  auto files = (*target)->generateCode(parts, signature, kind);
  if (!files)
    return fail(llvm::toString(files.takeError()));
  compiled.files = std::move(*files);
  compiled.runtimeComponents = (*target)->runtimeComponents();
  compiled.headerExtras = (*target)->headerExtras(signature);
  return compiled;
}

} // namespace dlc::driver
