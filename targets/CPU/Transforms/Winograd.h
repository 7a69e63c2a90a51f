// Winograd F(2x2, 3x3) convolution: its transform matrices and the indexing of the two
// transforms that dlc-cpu-lower-convolutions builds as linalg.generic ops.
// dlc-cpu-vectorize-winograd recognizes those ops by the same maps and matrices.
//
// For each 4x4 tile d of the padded input (tiles 2 apart) and each 3x3 filter g:
//   V = B^T d B,  U = G g G^T,  M = sum over channels of U * V (elementwise: 16 products),
//   Y = A^T M A, the 2x2 outputs of the tile.
// A 3x3 convolution then takes 16 multiply-adds per 4 outputs and channel pair instead of 36.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_WINOGRAD_H
#define DLC_TARGETS_CPU_TRANSFORMS_WINOGRAD_H

#include "mlir/IR/AffineExpr.h"
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
inline llvm::SmallVector<mlir::AffineMap, 4> inputTransformMaps(mlir::MLIRContext *ctx) {
  mlir::AffineExpr a, b, c, n, ty, tx, p, q;
  mlir::bindDims(ctx, a, b, c, n, ty, tx, p, q);
  llvm::SmallVector<mlir::AffineExpr, 4> operands[] = {
      {n, c, ty * kOutputTile + p, tx * kOutputTile + q}, {a, p}, {b, q}, {a, b, c, n, ty, tx}};
  return mlir::AffineMap::inferFromExprList(llvm::ArrayRef(operands), ctx);
}

/// The output transform iterates (n, f, ty, i, tx, j, a, b) and computes
///   Y[n, f, ty, i, tx, j] += M[a, b, f, n, ty, tx] * AT[i, a] * AT[j, b]
/// from its initial value (the bias); Y collapses to the result [n, f, 2TH, 2TW].
inline llvm::SmallVector<mlir::AffineMap, 4> outputTransformMaps(mlir::MLIRContext *ctx) {
  mlir::AffineExpr n, f, ty, i, tx, j, a, b;
  mlir::bindDims(ctx, n, f, ty, i, tx, j, a, b);
  llvm::SmallVector<mlir::AffineExpr, 4> operands[] = {
      {a, b, f, n, ty, tx}, {i, a}, {j, b}, {n, f, ty, i, tx, j}};
  return mlir::AffineMap::inferFromExprList(llvm::ArrayRef(operands), ctx);
}

} // namespace dlc::winograd

#endif
