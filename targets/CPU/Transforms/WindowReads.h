// Vector reads of window ops (see dlc-cpu-vectorize-windows): consecutive or strided lanes of a
// tensor row, and reads of a padded operand from its unpadded source.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_WINDOWREADS_H
#define DLC_TARGETS_CPU_TRANSFORMS_WINDOWREADS_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace dlc::cpu {

/// Lanes 0, stride, 2 * stride, ... of `span` (`width` of them): a shuffle unless stride is 1.
mlir::Value everyStride(mlir::OpBuilder &b, mlir::Location loc, mlir::Value span, int64_t stride,
                        int64_t width);

/// Reads `width` lanes of `source` along its innermost dimension starting at `indices`, every
/// `stride`-th element (one contiguous read, then a shuffle when the stride is not 1), or one
/// element broadcast when `stride` is 0. Without `inBounds`, lanes past the end of the
/// innermost dimension are masked off (undefined for floats, 1 for integers). The read covers
/// the span of the picked elements widened to a power of two; with `wideInBounds` the caller
/// knows the widened span lies inside the row too, so no lane is masked.
mlir::Value readLanes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value source,
                      mlir::ValueRange indices, int64_t stride, int64_t width,
                      bool inBounds = true, bool wideInBounds = false);

/// The elements a read of `span` consecutive elements takes: a power of two (see readLanes).
int64_t widenedSpan(int64_t span);

/// An input that is a constant-padded tensor (a tensor.pad, possibly reshaped by splitting
/// unpadded dimensions): a kernel reads the unpadded source and substitutes the padding value
/// itself, so the padded tensor is never built.
struct PaddedSource {
  mlir::Value pad;                    // the padded operand, as the op reads it
  mlir::tensor::PadOp padOp;
  mlir::tensor::ExpandShapeOp expand; // null when the op reads the pad directly
  llvm::SmallVector<int64_t> low;     // per operand dimension
  llvm::SmallVector<int64_t> sizes;   // per operand dimension, unpadded

  /// The padded source behind `operand`, when it is one.
  static std::optional<PaddedSource> of(mlir::Value operand);

  /// The unpadded source, shaped like the operand (reshaped alike when the operand is).
  mlir::Value source(mlir::OpBuilder &b, mlir::Location loc);

  /// Reads `width` lanes along the innermost dimension from `indices` (in padded coordinates),
  /// every `stride`-th element, as readLanes does on the padded operand. `knownInside` says per
  /// dimension whether the enclosing loops already keep the index inside the source. Where the
  /// whole span lies inside the source it is one contiguous read; at a border whose offset is
  /// known, padding lanes come from a shuffle and a masked read; otherwise from a masked gather.
  mlir::Value read(mlir::OpBuilder &b, mlir::Location loc, mlir::Value unpadded,
                   mlir::ValueRange indices, int64_t stride, int64_t width,
                   llvm::ArrayRef<bool> knownInside);

private:
  /// A border read whose first source column `start` is known (see read).
  mlir::Value readBorder(mlir::OpBuilder &b, mlir::Location loc, mlir::Value unpadded,
                         llvm::ArrayRef<mlir::Value> shifted, mlir::Value rowsInside,
                         int64_t start, int64_t stride, int64_t width);
};

} // namespace dlc::cpu

#endif
