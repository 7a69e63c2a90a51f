// From LLVM-dialect MLIR to machine code in process: translation to LLVM IR, the C entry
// point, the LLVM optimization pipeline and object/assembly emission with a TargetMachine.
#ifndef DLC_TARGETS_COMMON_CODEGEN_H
#define DLC_TARGETS_COMMON_CODEGEN_H

#include "targets/CPU/CpuTarget.h"
#include "targets/Common/Artifact.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace dlc::targets {

/// Creates the TargetMachine for `target` (position-independent code, -O3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createTargetMachine(const CpuTarget &target);

/// Translates an LLVM-dialect module to LLVM IR, adds `NAME_run` for `signature`, and runs the
/// -O3 module pipeline for `machine`.
llvm::Expected<std::unique_ptr<llvm::Module>>
buildLLVMModule(mlir::ModuleOp module, llvm::LLVMContext &context, llvm::TargetMachine &machine,
                const ModelSignature &signature, uint64_t requiredCpu);

/// Adds `int NAME_run(const void *const *inputs, void *const *outputs, void *workspace)` which
/// checks its arguments and the CPU, aligns the workspace and calls the graph function.
llvm::Error addEntryPoint(llvm::Module &module, const ModelSignature &signature,
                          uint64_t requiredCpu);

/// Emits an object file (or assembly text) of `module`.
llvm::Expected<std::string> emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                                            bool assembly);

} // namespace dlc::targets

#endif
