// Elementwise linalg.generic bodies emitted on vectors: what the CPU kernels use to apply a bias,
// an activation or a residual add to the registers they compute (ElementwiseStage).
#ifndef DLC_TARGETS_CPU_TRANSFORMS_VECTORBODY_H
#define DLC_TARGETS_CPU_TRANSFORMS_VECTORBODY_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace dlc::cpu {

/// Where two kernels of `kernels` (each with an `epilogue` op, null when it has none) share
/// their epilogue (an elementwise op reading both results, a residual add of two branches), the
/// first keeps it and the later ones drop it and store their result for it.
template <typename Kernels>
void keepEpiloguesOnce(Kernels &kernels) {
  llvm::SmallPtrSet<mlir::Operation *, 8> claimed;
  for (auto &kernel : kernels)
    if (kernel.epilogue && !claimed.insert(kernel.epilogue).second)
      kernel.epilogue = {};
}

/// Whether `op` reads or writes a tensor of bools. Memory holds one byte per i1 but a vector of
/// i1 is loaded and stored as packed bits, so such operands must not move as i1 vectors.
bool hasBoolOperand(mlir::linalg::LinalgOp op);

/// Whether every op of `op`'s body applies to vectors elementwise (or is a scalar constant), and
/// no operand is a tensor of bools.
bool hasVectorizableBody(mlir::linalg::GenericOp op);

/// Emits `body` (a linalg.generic region) once on vectors of `width` lanes. `args` gives the
/// vector for each block argument that is used; scalars from outside the body and constants
/// are broadcast. `preset` gives the vectors of values of the body that are not to be emitted
/// (a kernel computed them otherwise); `contract` lets float multiplies and adds fuse.
mlir::Value emitVectorBody(mlir::OpBuilder &b, mlir::Location loc, mlir::Block &body,
                           llvm::ArrayRef<mlir::Value> args, int64_t width,
                           llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> preset = {},
                           bool contract = false);

/// The index values of `map`'s results at the iteration point `ivs` (one value per dimension).
llvm::SmallVector<mlir::Value> indicesAt(mlir::OpBuilder &b, mlir::Location loc,
                                         mlir::AffineMap map, llvm::ArrayRef<mlir::Value> ivs);

/// An all-parallel elementwise generic that runs per result vector of a kernel (a window op, a
/// dot-product block): the op that computes its initial value (a prologue, e.g. a bias
/// broadcast) or the one that consumes its result (an epilogue, e.g. an activation). Its loops
/// are the kernel result's dimensions.
struct ElementwiseStage {
  mlir::linalg::GenericOp op;
  /// Whether float multiplies and adds may contract into fused multiply-adds (one rounding
  /// instead of two): the reduced-precision kernels' epilogues, whose own rounding is coarser.
  bool contract = false;

  /// Whether `op` can run per vector along the innermost dimension of a result of `rank`
  /// dimensions, reading `tied` (the kernel's result, or null) with an identity map.
  static bool accepts(mlir::linalg::GenericOp op, int64_t rank, mlir::Value tied);

  /// One vector of the stage's result at `ivs` (the innermost holding the first lane), given
  /// the kernel result's vector `tiedValue` for operands equal to `tied`. Without `inBounds`
  /// the vector may reach past the innermost dimension: reads there are masked off. With
  /// `folded` (a leadingRowOffset's op), `tiedValue` already holds that op's result.
  mlir::Value emit(mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<mlir::Value> ivs,
                   int64_t width, mlir::Value tied, mlir::Value tiedValue,
                   bool inBounds = true, mlir::Operation *folded = nullptr);

  /// A first op of the body `tied + c` or `tied - c` (integers), c a constant indexed by loop
  /// `rowDim` alone (a quantized convolution's zero-point correction, per filter): the op and
  /// c's values, negated for a subtraction. A kernel whose register blocks run along rows adds
  /// them to the values its accumulators start from, and emits the stage with the op `folded`.
  struct RowOffset {
    mlir::Operation *op;
    llvm::SmallVector<int64_t> values;
  };
  std::optional<RowOffset> leadingRowOffset(mlir::Value tied, unsigned rowDim);
};

} // namespace dlc::cpu

#endif
