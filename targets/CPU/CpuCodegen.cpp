// CPU code generation: the lowered modules of a model become one LLVM module with the C entry
// point, optimized at -O3 and emitted by LLVM's TargetMachine for the resolved CPU model.
#include "targets/CPU/CpuTarget.h"

#include "targets/Common/Codegen.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/raw_ostream.h"

namespace dlc::cpu {

llvm::Expected<std::vector<targets::ObjectFile>>
generateCpuCode(const CpuModel &model, llvm::ArrayRef<mlir::ModuleOp> parts,
                const targets::ModelSignature &signature, targets::CodeKind kind) {
  auto machine = targets::createTargetMachine(model.triple, model.cpu, model.features);
  if (!machine)
    return machine.takeError();
  bool symbolic = signature.hasSymbolicDims();
  if (parts.size() != (symbolic ? signature.specializations.size() : 1))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "internal error: one lowered module per specialization");
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> combined;
  for (auto [i, part] : llvm::enumerate(parts)) {
    auto module = targets::translateToLLVMIR(part, context, **machine, signature.name);
    if (!module)
      return module.takeError();
    if (!symbolic) {
      combined = std::move(*module);
      break;
    }
    // Everything but the specialization's graph function and its parallel tasks becomes
    // internal, so the specializations' helpers do not collide when the modules are linked.
    const std::string &graph = signature.specializations[i].graphFunction;
    for (llvm::Function &function : **module)
      if (!function.isDeclaration() && !function.getName().starts_with(graph))
        function.setLinkage(llvm::GlobalValue::InternalLinkage);
    if (!combined)
      combined = std::move(*module);
    else if (llvm::Linker::linkModules(*combined, std::move(*module)))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "internal error: linking the specializations failed");
  }
  if (llvm::Error error = targets::addEntryPoint(*combined, signature, model.requiredCpu))
    return std::move(error);
  targets::optimizeModule(*combined, **machine);
  if (kind == targets::CodeKind::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream stream(text);
    combined->print(stream, nullptr);
    return std::vector<targets::ObjectFile>{{signature.name + ".ll", std::move(text)}};
  }
  bool assembly = kind == targets::CodeKind::Assembly;
  auto code = targets::emitMachineCode(*combined, **machine, assembly);
  if (!code)
    return code.takeError();
  return std::vector<targets::ObjectFile>{
      {signature.name + (assembly ? ".s" : ".o"), std::move(*code)}};
}

} // namespace dlc::cpu
