// Declarations and registration of dlc's precision passes (see Passes.td).
// The pass order lives in compiler/Pipelines.
#ifndef DLC_COMPILER_PRECISION_PASSES_H
#define DLC_COMPILER_PRECISION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace dlc::precision {

/// Attribute on the graph function listing, per matrix product and convolution, the format it
/// computes in and why: strings "NAME\tFORMAT\tWHY" (dlc compile --stats prints them).
inline constexpr llvm::StringLiteral kPrecisionsAttr = "dlc.precisions";

#define GEN_PASS_DECL
#include "compiler/Precision/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Precision/Passes.h.inc"

} // namespace dlc::precision

#endif
