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
  options.functionName = targets::graphFunctionName(request_.name);
  options.boundInputs = request_.boundInputs;
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
  Operation *func = module_->lookupSymbol(targets::graphFunctionName(request_.name));
  auto size = func ? func->getAttrOfType<IntegerAttr>(memory::kWorkspaceSizeAttr) : IntegerAttr();
  auto bound =
      func ? func->getAttrOfType<IntegerAttr>(memory::kWorkspaceLowerBoundAttr) : IntegerAttr();
  if (!size || !bound)
    return fail("internal error: the memory plan is missing");
  signature_.workspaceSize = size.getInt() + targets::kWorkspaceAlignmentSlack;
  signature_.workspaceLowerBound = bound.getInt();
  return success();
}

FailureOr<std::string> Compilation::emit(Output output) {
  if (phase_ != pipelines::Phase::LLVM)
    return fail("internal error: code generation needs the llvm phase");
  auto target = targets::resolveCpuTarget(request_.target);
  if (!target)
    return fail(llvm::toString(target.takeError()));
  auto machine = targets::createTargetMachine(*target);
  if (!machine)
    return fail(llvm::toString(machine.takeError()));
  llvm::LLVMContext llvmContext;
  auto llvmModule = targets::buildLLVMModule(*module_, llvmContext, **machine, signature_,
                                             target->requiredCpu);
  if (!llvmModule)
    return fail(llvm::toString(llvmModule.takeError()));
  if (output == Output::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream stream(text);
    (*llvmModule)->print(stream, nullptr);
    return text;
  }
  auto code = targets::emitMachineCode(**llvmModule, **machine, output == Output::Assembly);
  if (!code)
    return fail(llvm::toString(code.takeError()));
  return *code;
}

} // namespace dlc::driver
