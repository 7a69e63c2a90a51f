// The CPU's dot-product instructions as the int8 and bf16 kernels emit them (AVX512-VNNI's
// vpdpbusd, AVX512-BF16's vdpbf16ps), and the loop helper their register blocks share.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_DOTINSTRUCTIONS_H
#define DLC_TARGETS_CPU_TRANSFORMS_DOTINSTRUCTIONS_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc::cpu {

/// 32-bit lanes of one zmm register.
constexpr int64_t kDotLanes = 16;

/// The instruction a product runs on: int8 groups of 4 summed in int32 (vpdpbusd: unsigned
/// bytes by signed ones), or bf16 pairs summed in f32 (vdpbf16ps).
enum class DotKind { Int8, BF16 };

/// Operand elements the instruction multiplies and sums per 32-bit lane: 4 bytes, 2 bf16.
int64_t dotGroup(DotKind kind);
/// The operand element type (i8, bf16) and the type the lanes sum in (i32, f32).
mlir::Type dotElement(mlir::MLIRContext *ctx, DotKind kind);
mlir::Type dotSum(mlir::MLIRContext *ctx, DotKind kind);

/// acc + the products of the groups of `unsignedSide` and `signedSide` (vectors of as many
/// groups as acc has lanes: 16, 8 or 4), summed per lane. For int8 the first operand's bytes are
/// read as unsigned.
mlir::Value emitDot(mlir::OpBuilder &b, mlir::Location loc, DotKind kind, mlir::Value acc,
                    mlir::Value unsignedSide, mlir::Value signedSide);

/// Replaces a product by the `result` of its kernel: the product's `epilogue` (the elementwise
/// op the kernel applied to its registers), when it has one, and the product itself.
void replaceWithKernel(mlir::RewriterBase &rewriter, mlir::Operation *product,
                       mlir::Operation *epilogue, mlir::Value result);

/// `value` as an index constant.
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc, int64_t value);

/// `base + delta` and `base * factor` of index values (`base` itself for 0 and 1).
mlir::Value addIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value base, int64_t delta);
mlir::Value mulIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value base, int64_t factor);

/// scf.for over [0, upper) by `step`, carrying `carried`; `body` returns the values it yields.
mlir::scf::ForOp forLoop(
    mlir::OpBuilder &b, mlir::Location loc, int64_t upper, int64_t step,
    mlir::ValueRange carried,
    llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::OpBuilder &, mlir::Value,
                                                      mlir::ValueRange)>
        body);

} // namespace dlc::cpu

#endif
