// Winograd F(2x2, 3x3) convolution: its transform matrices and the indexing of the two
// transforms that the convolution lowering builds as linalg.generic ops. dlc-cpu-vectorize-winograd
// recognizes those ops by the same maps and matrices.
//
// For each 4x4 tile d of the padded input (tiles 2 apart) and each 3x3 filter g:
//   V = B^T d B,  U = G g G^T,  M = sum over channels of U * V (elementwise: 16 products),
//   Y = A^T M A, the 2x2 outputs of the tile.
// A 3x3 convolution then takes 16 multiply-adds per 4 outputs and channel pair instead of 36.
#ifndef DLC_COMPILER_CONVERSION_GRAPHTOLINALG_WINOGRAD_H
#define DLC_COMPILER_CONVERSION_GRAPHTOLINALG_WINOGRAD_H

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"

namespace dlc::winograd {

/// Input tile size (alpha), output tile size (m) and kernel size (r): alpha = m + r - 1.
constexpr int64_t kAlpha = 4, kOutputTile = 2, kKernel = 3;

/// B^T: the input transform, applied to the tile's rows and to its columns.
constexpr float kInputMatrix[kAlpha][kAlpha] = {
    {1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
/// G: the filter transform (computed at compile time).
constexpr float kFilterMatrix[kAlpha][kKernel] = {
    {1, 0, 0}, {0.5f, 0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
/// A^T: the output transform.
constexpr float kOutputMatrix[kOutputTile][kAlpha] = {{1, 1, 1, 0}, {0, 1, -1, -1}};

/// The input transform iterates (a, b, c, n, ty, tx, p, q) and computes
///   V[a, b, c, n, ty, tx] += padded[n, c, 2ty + p, 2tx + q] * BT[a, p] * BT[b, q].
inline llvm::SmallVector<mlir::AffineMap> inputTransformMaps(mlir::MLIRContext *ctx) {
  using mlir::getAffineDimExpr;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto map = [&](llvm::ArrayRef<mlir::AffineExpr> exprs) {
    return mlir::AffineMap::get(8, 0, exprs, ctx);
  };
  mlir::AffineExpr a = d(0), b = d(1), c = d(2), n = d(3), ty = d(4), tx = d(5), p = d(6),
                   q = d(7);
  return {map({n, c, ty * kOutputTile + p, tx * kOutputTile + q}), map({a, p}), map({b, q}),
          map({a, b, c, n, ty, tx})};
}

/// The output transform iterates (n, f, ty, i, tx, j, a, b) and computes
///   Y[n, f, ty, i, tx, j] += M[a, b, f, n, ty, tx] * AT[i, a] * AT[j, b]
/// from its initial value (the bias); Y collapses to the result [n, f, 2TH, 2TW].
inline llvm::SmallVector<mlir::AffineMap> outputTransformMaps(mlir::MLIRContext *ctx) {
  using mlir::getAffineDimExpr;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto map = [&](llvm::ArrayRef<mlir::AffineExpr> exprs) {
    return mlir::AffineMap::get(8, 0, exprs, ctx);
  };
  mlir::AffineExpr n = d(0), f = d(1), ty = d(2), i = d(3), tx = d(4), j = d(5), a = d(6),
                   b = d(7);
  return {map({a, b, f, n, ty, tx}), map({i, a}), map({j, b}), map({n, f, ty, i, tx, j})};
}

} // namespace dlc::winograd

#endif
