// The compilation driver: ONNX import, the pass pipeline, and LLVM code generation for one model.
// The pass order itself lives in compiler/Pipelines; this file only sequences the steps.
#include "compiler/Driver/Compilation.h"

#include "dialects/Graph/IR/GraphDialect.h"
#include "frontends/onnx/Importer.h"
#include "compiler/MemoryPlanning/Passes.h"
#include "targets/Common/Codegen.h"
#include "targets/Common/HeaderWriter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

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

Compilation::Compilation(MLIRContext &context, CompileRequest request)
    : context_(context), request_(std::move(request)) {
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
  onnx_frontend::ImportOptions options;
  options.modelPath = request_.modelPath;
  options.functionName = graphFunction();
  module_ = onnx_frontend::importModel(model, context_, options);
  if (!module_)
    return failure();
  if (failed(verify(*module_)))
    return failure();

  auto func = *module_->getOps<func::FuncOp>().begin();
  signature_.name = request_.name;
  signature_.sourcePath = llvm::sys::path::filename(request_.modelPath).str();
  signature_.target = request_.target;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    signature_.inputs.push_back(tensorSignature(func.getArgument(i).getType(), func.getArgAttrDict(i)));
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    signature_.outputs.push_back(tensorSignature(func.getResultTypes()[i], func.getResultAttrDict(i)));
  phase_.reset();
  return success();
}

LogicalResult Compilation::lowerTo(pipelines::Phase phase) {
  PassManager pm(&context_);
  pipelines::PipelineOptions options;
  options.stopAfter = phase;
  pipelines::buildPipeline(pm, options);
  if (failed(pm.run(*module_)))
    return failure();
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
  signature_.workspaceSize = size.getInt() + targets::kWorkspaceAlignmentSlack;
  signature_.workspaceLowerBound = bound.getInt();
  return success();
}

namespace {

/// The target and its machine for the name `target` ("host", "x86-64-v4", ...).
struct Machine {
  targets::CpuTarget target;
  std::unique_ptr<llvm::TargetMachine> machine;
};

FailureOr<Machine> createMachine(MLIRContext &context, const CompileRequest &request) {
  auto target = targets::resolveCpuTarget(request.target);
  if (!target)
    return emitModelError(context, request.modelPath, llvm::toString(target.takeError()));
  auto machine = targets::createTargetMachine(*target);
  if (!machine)
    return emitModelError(context, request.modelPath, llvm::toString(machine.takeError()));
  return Machine{*target, std::move(*machine)};
}

/// Adds the entry point for `signature` to `module`, optimizes it and emits `output`.
FailureOr<std::string> finishModule(MLIRContext &context, const CompileRequest &request,
                                    llvm::Module &module, Machine &machine,
                                    const targets::ModelSignature &signature,
                                    Compilation::Output output) {
  auto fail = [&](llvm::Error error) {
    return emitModelError(context, request.modelPath, llvm::toString(std::move(error)));
  };
  if (llvm::Error error = targets::addEntryPoint(module, signature, machine.target.requiredCpu))
    return fail(std::move(error));
  targets::optimizeModule(module, *machine.machine);
  if (output == Compilation::Output::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream stream(text);
    module.print(stream, nullptr);
    return text;
  }
  auto code = targets::emitMachineCode(module, *machine.machine,
                                       output == Compilation::Output::Assembly);
  if (!code)
    return fail(code.takeError());
  return std::move(*code);
}

} // namespace

FailureOr<std::string> Compilation::emit(Output output) {
  if (phase_ != pipelines::Phase::LLVM)
    return fail("internal error: code generation needs the llvm phase");
  FailureOr<Machine> machine = createMachine(context_, request_);
  if (failed(machine))
    return failure();
  llvm::LLVMContext llvmContext;
  auto llvmModule =
      targets::translateToLLVMIR(*module_, llvmContext, *machine->machine, signature_.name);
  if (!llvmModule)
    return fail(llvm::toString(llvmModule.takeError()));
  return finishModule(context_, request_, **llvmModule, *machine, signature_, output);
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
                                      Compilation::Output output) {
  auto fail = [&](const Twine &message) {
    return emitModelError(context, request.modelPath, message);
  };
  FailureOr<Machine> machine = createMachine(context, request);
  if (failed(machine))
    return failure();

  CompiledModel compiled;
  targets::ModelSignature &signature = compiled.signature;
  signature.dims = plan.dims;
  signature.inputDims = plan.inputDims;
  bool symbolic = signature.hasSymbolicDims();
  std::string name = request.name.empty() ? defaultModelName(request.modelPath) : request.name;
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> combined;
  for (auto [i, specialization] : llvm::enumerate(plan.specializations)) {
    onnx::ModelProto specialized = model;
    CompileRequest specializedRequest = request;
    if (symbolic)
      specializedRequest.graphFunction =
          targets::graphFunctionName(name + "_" + std::to_string(i));
    Compilation compilation(context, specializedRequest);
    auto where = [&]() -> LogicalResult {
      if (!symbolic)
        return failure();
      return fail("in the specialization for " +
                  describeValues(plan.dims, specialization.dimValues));
    };
    if (failed(specializeModel(context, specialized, request.modelPath,
                               {specialization.inputShapes, {}})) ||
        failed(compilation.import(specialized)) ||
        failed(compilation.lowerTo(pipelines::Phase::LLVM)))
      return where();
    const targets::ModelSignature &part = compilation.signature();
    auto llvmModule = targets::translateToLLVMIR(compilation.module(), llvmContext,
                                                 *machine->machine, part.name);
    if (!llvmModule)
      return fail(llvm::toString(llvmModule.takeError()));
    if (!symbolic) {
      signature = part;
      combined = std::move(*llvmModule);
      break;
    }
    // Everything but the graph function and its parallel tasks becomes internal, so the
    // specializations' helpers do not collide when the modules are linked.
    for (llvm::Function &function : **llvmModule)
      if (!function.isDeclaration() &&
          !function.getName().starts_with(compilation.graphFunction()))
        function.setLinkage(llvm::GlobalValue::InternalLinkage);
    if (!combined)
      combined = std::move(*llvmModule);
    else if (llvm::Linker::linkModules(*combined, std::move(*llvmModule)))
      return fail("internal error: linking the specializations failed");
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
  FailureOr<std::string> code =
      finishModule(context, request, *combined, *machine, signature, output);
  if (failed(code))
    return failure();
  compiled.code = std::move(*code);
  return compiled;
}

} // namespace dlc::driver
