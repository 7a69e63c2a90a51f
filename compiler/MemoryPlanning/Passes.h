// Declarations and registration of dlc's memory planning passes (see Passes.td).
// The workspace attribute names are shared with the header writer.
#ifndef DLC_COMPILER_MEMORYPLANNING_PASSES_H
#define DLC_COMPILER_MEMORYPLANNING_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

namespace dlc::memory {

/// Function attribute: the workspace size in bytes chosen by dlc-plan-workspace.
inline constexpr llvm::StringLiteral kWorkspaceSizeAttr = "dlc.workspace_size";
/// Function attribute: the largest total of simultaneously live intermediate bytes.
inline constexpr llvm::StringLiteral kWorkspaceLowerBoundAttr = "dlc.workspace_lower_bound";
/// Byte alignment of every buffer placed in the workspace.
inline constexpr int64_t kBufferAlignment = 64;

#define GEN_PASS_DECL
#include "compiler/MemoryPlanning/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/MemoryPlanning/Passes.h.inc"

} // namespace dlc::memory

#endif
