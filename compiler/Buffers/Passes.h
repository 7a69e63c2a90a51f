// Declarations and registration of dlc's passes on bufferized functions (see Passes.td).
// Pipelines in compiler/Pipelines/ decide where each one runs.
#ifndef DLC_COMPILER_BUFFERS_PASSES_H
#define DLC_COMPILER_BUFFERS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

namespace dlc::buffers {

#define GEN_PASS_DECL
#include "compiler/Buffers/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Buffers/Passes.h.inc"

} // namespace dlc::buffers

#endif
