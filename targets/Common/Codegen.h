// From LLVM-dialect MLIR to machine code in process: translation to LLVM IR, the C entry
// point, the LLVM optimization pipeline and object/assembly emission with a TargetMachine.
#ifndef DLC_TARGETS_COMMON_CODEGEN_H
#define DLC_TARGETS_COMMON_CODEGEN_H

#include "targets/Common/Artifact.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace dlc::targets {

/// Creates the TargetMachine for `triple`, `cpu` and `features` (LLVM's spellings;
/// position-independent code, -O3).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const std::string &triple, const std::string &cpu,
                    const std::string &features);

/// Translates an LLVM-dialect module to LLVM IR for `machine` (its data layout and triple).
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context, llvm::TargetMachine &machine,
                  llvm::StringRef name);

/// Runs the -O3 module pipeline for `machine`, then merges equal read-only constants (the
/// weights that several specializations of one model share).
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine);

/// Adds `int NAME_run(const void *const *inputs, void *const *outputs, void *workspace)` which
/// checks its arguments and the CPU, aligns the workspace and calls the graph function. For a
/// signature with symbolic dimensions, NAME_run takes `const int64_t *dims` first and calls the
/// specialization compiled for those values, and `int NAME_output_shape(const int64_t *dims,
/// int output, int64_t *shape)` reports an output's shape.
llvm::Error addEntryPoint(llvm::Module &module, const ModelSignature &signature,
                          uint64_t requiredCpu);

/// Emits an object file (or assembly text) of `module`.
llvm::Expected<std::string> emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                                            bool assembly);

} // namespace dlc::targets

#endif
