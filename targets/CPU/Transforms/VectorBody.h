// Elementwise linalg.generic bodies emitted on vectors: what the CPU kernels use to apply a bias,
// an activation or a residual add to the registers they compute.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_VECTORBODY_H
#define DLC_TARGETS_CPU_TRANSFORMS_VECTORBODY_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace dlc::cpu {

/// Whether `op` reads or writes a tensor of bools. Memory holds one byte per i1 but a vector of
/// i1 is loaded and stored as packed bits, so such operands must not move as i1 vectors.
bool hasBoolOperand(mlir::linalg::LinalgOp op);

/// Whether every op of `op`'s body applies to vectors elementwise (or is a scalar constant), and
/// no operand is a tensor of bools.
bool hasVectorizableBody(mlir::linalg::GenericOp op);

/// Emits `body` (a linalg.generic region) once on vectors of `width` lanes. `args` gives the
/// vector for each block argument that is used; scalars from outside the body and constants
/// are broadcast.
mlir::Value emitVectorBody(mlir::OpBuilder &b, mlir::Location loc, mlir::Block &body,
                           llvm::ArrayRef<mlir::Value> args, int64_t width);

} // namespace dlc::cpu

#endif
