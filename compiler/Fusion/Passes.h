// Declarations and registration of dlc's fusion passes (see Passes.td).
// The pass order lives in compiler/Pipelines.
#ifndef DLC_COMPILER_FUSION_PASSES_H
#define DLC_COMPILER_FUSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Pass/Pass.h"

namespace dlc::fusion {

#define GEN_PASS_DECL
#include "compiler/Fusion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Fusion/Passes.h.inc"

/// Rewrites sitofp(fptosi(x)) and uitofp(fptoui(x)) to x where x is integers clamped into the
/// integer type's range with `nsz` (a quantization's saturation), so the conversions cannot
/// change it: what a quantization followed by a dequantization leaves in one fused body.
void populateIntegerRoundTripPatterns(mlir::RewritePatternSet &patterns);

} // namespace dlc::fusion

#endif
