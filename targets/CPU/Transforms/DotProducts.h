// The products of narrow operands by constant weights that the CPU's dot-product kernels
// (vpdpbusd, vdpbf16ps: VectorizeDotContractions.cpp) and AMX tile kernels
// (TileContractions.cpp) compute: what such a product is and how to find one.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_DOTPRODUCTS_H
#define DLC_TARGETS_CPU_TRANSFORMS_DOTPRODUCTS_H

#include "targets/CPU/Transforms/DotInstructions.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>

namespace dlc::cpu {

/// For a body `out + widen(a) * widen(b)` of its two inputs (either order in the multiply),
/// whether each input is sign-extended (bf16: true); nullopt for any other body.
std::optional<std::pair<bool, bool>> widenedSigns(mlir::linalg::GenericOp op);

/// A product out[b.., m, n] += widen(lhs[b.., m, k]) * widen(rhs[k, n]), rhs a constant: int8
/// (or uint8) operands summed in int32, or bf16 summed in f32.
struct DotProduct {
  mlir::linalg::GenericOp op;
  DotKind kind = DotKind::Int8;
  llvm::SmallVector<unsigned> batchDims;
  unsigned m = 0, n = 0, k = 0;
  llvm::SmallVector<int64_t> ranges;
  /// For int8: whether the lhs and the weights are sign-extended (int8) or zero-extended.
  bool lhsSigned = false, rhsSigned = false;
  mlir::DenseElementsAttr rhs;
  /// The product's only user when it is an elementwise op over the result's shape (bias,
  /// activation, requantization): applied to the registers before the one store.
  mlir::linalg::GenericOp epilogue;

  /// `op` as such a product of a kind enabled by `int8` and `bf16`; `signedWeightsOnly` asks
  /// for int8 weights (vpdpbusd multiplies unsigned bytes by signed ones only).
  static std::optional<DotProduct> match(mlir::linalg::GenericOp op, bool int8, bool bf16,
                                         bool signedWeightsOnly = true);

  int64_t group() const { return dotGroup(kind); }
  mlir::Type element() { return dotElement(op.getContext(), kind); }
  mlir::Type sumType() { return dotSum(op.getContext(), kind); }

  int64_t rows() const { return ranges[m]; }
  int64_t columns() const { return ranges[n]; }
  int64_t depth() const { return ranges[k]; }
  int64_t groups() const { return llvm::divideCeil(depth(), group()); }

  /// Loops over the batch dimensions carrying `result`, outermost first; `inner` computes the
  /// result of one batch element, whose indices are the last batchDims.size() of `ivs` (which
  /// the loops push and pop, so an enclosing caller's indices stay in front).
  mlir::Value batchLoops(mlir::OpBuilder &b, mlir::Location loc, mlir::Value result,
                         llvm::SmallVectorImpl<mlir::Value> &ivs,
                         llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Value)> inner,
                         unsigned level = 0) const;
};

} // namespace dlc::cpu

#endif
