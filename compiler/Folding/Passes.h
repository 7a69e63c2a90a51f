// Declarations and registration of dlc's graph folding passes (see Passes.td).
// The pass order lives in compiler/Pipelines.
#ifndef DLC_COMPILER_FOLDING_PASSES_H
#define DLC_COMPILER_FOLDING_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace dlc::folding {

#define GEN_PASS_DECL
#include "compiler/Folding/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Folding/Passes.h.inc"

} // namespace dlc::folding

#endif
