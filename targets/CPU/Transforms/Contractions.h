// What the CPU contraction passes share: finding the matrix products they rewrite.
// A contraction here is a linalg.generic on tensors that linalg recognizes as one.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_CONTRACTIONS_H
#define DLC_TARGETS_CPU_TRANSFORMS_CONTRACTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace dlc::cpu {

/// The contractions on tensors in `func`, in program order (collected first, so callers may
/// rewrite them one by one).
inline llvm::SmallVector<mlir::linalg::GenericOp> tensorContractions(mlir::func::FuncOp func) {
  llvm::SmallVector<mlir::linalg::GenericOp> found;
  func.walk([&](mlir::linalg::GenericOp op) {
    if (op.hasPureTensorSemantics() && mlir::linalg::isaContractionOpInterface(op))
      found.push_back(op);
  });
  return found;
}

} // namespace dlc::cpu

#endif
