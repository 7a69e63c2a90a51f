// The operands of the int8 and bf16 dot-product kernels (DotInstructions.h) that the
// convolution kernels share: taps read from an input row, weights as broadcast words, the sums'
// starts, the elementwise consumer run on the registers, and where a kernel writes.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_DOTOPERANDS_H
#define DLC_TARGETS_CPU_TRANSFORMS_DOTOPERANDS_H

#include "targets/CPU/Transforms/DotInstructions.h"
#include "targets/CPU/Transforms/VectorBody.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc::cpu {

/// `lanes` (int8) with the sign bit flipped: x + 128 as the unsigned bytes vpdpbusd reads.
mlir::Value flipSigns(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lanes);

/// The elements rowTaps reads: the span of its 16 lanes of g taps, to a power of two.
int64_t rowSpan(int64_t g, int64_t stride, int64_t dilation);

/// The 16 lanes of g taps along an input row from `at` (input indices of the first lane's first
/// tap): lane l, tap j reads element l s + j d of the row from there. One read of the span they
/// cover, then one shuffle.
mlir::Value rowTaps(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                    llvm::ArrayRef<mlir::Value> at, bool inBounds, int64_t g, int64_t stride,
                    int64_t dilation);

/// Whether `op`'s body is `out + widen(x) * widen(y)` for its two inputs (in either order),
/// the integers sign-extended.
bool hasWidenedMultiplyAdd(mlir::linalg::GenericOp op);

/// The product's only user when it is an elementwise op over its result of `rank` dimensions
/// that can run on the kernel's registers before its one store (a bias, an activation, a
/// requantization, a residual add), or null.
mlir::linalg::GenericOp epilogueOf(mlir::Value result, int64_t rank);

/// The op computing a kernel's initial value `init` (a result of `rank` dimensions), when only
/// the kernel reads it and its blocks can start from it: a linalg.fill, or an elementwise
/// generic that runs per vector (a bias broadcast). Null otherwise.
mlir::Operation *prologueOf(mlir::Value init, int64_t rank);

/// The weights [R.., g] of a dot kind as one 32-bit word per group, [rows, groups]: what a
/// block broadcasts.
mlir::DenseElementsAttr groupWordsOf(mlir::DenseElementsAttr weights, int64_t rows,
                                     int64_t groups);

/// What the blocks of each of `rows` rows of `weights` start from beyond the init: for int8
/// activations, which vpdpbusd reads as unsigned after adding 128, -128 times the row's sum,
/// the int32 that undoes the shift; plus the epilogue's leading per-row offset. Null when
/// there is none (bf16).
mlir::DenseElementsAttr
rowStartsOf(DotKind kind, mlir::DenseElementsAttr weights, int64_t rows,
            const std::optional<ElementwiseStage::RowOffset> &rowOffset);

/// What a product's kernel starts from and writes into: a product that starts from a fill
/// starts its blocks from the fill's value and writes into the fill's destination; with an
/// epilogue, blocks are written into the epilogue's (and the rewriter goes where it is).
struct KernelStart {
  mlir::Value init, dest, fillValue;

  static KernelStart of(mlir::RewriterBase &rewriter, mlir::linalg::GenericOp op,
                        mlir::linalg::GenericOp epilogue);
};

} // namespace dlc::cpu

#endif
