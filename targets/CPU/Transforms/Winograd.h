// Winograd convolutions F(2x2, 3x3) and F(4x4, 3x3): their transform matrices and the indexing
// of the two transforms that dlc-cpu-lower-convolutions builds as linalg.generic ops.
// dlc-cpu-vectorize-winograd recognizes those ops by the same maps and matrices.
//
// For each alpha x alpha tile d of the padded input (tiles m apart, alpha = m + 2) and each 3x3
// filter g:
//   V = B^T d B,  U = G g G^T,  M = sum over channels of U * V (elementwise: alpha^2 products),
//   Y = A^T M A, the m x m outputs of the tile.
// A 3x3 convolution then takes alpha^2 multiply-adds per m^2 outputs and channel pair instead of
// 9 m^2: 16 per 4 (2.25x fewer) for F(2x2), 36 per 16 (4x fewer) for F(4x4). F(4x4) also writes
// and reads fewer transformed inputs per output (36/16 against 16/4), but its transformed
// filters are 36/9 the size of the filters (F(2x2): 16/9), and its matrices hold 2, 4 and 5,
// which round: its results differ from a direct convolution's by a few times more.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_WINOGRAD_H
#define DLC_TARGETS_CPU_TRANSFORMS_WINOGRAD_H

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"

#include <array>

namespace dlc::winograd {

/// The kernel size both variants compute, and the largest input tile.
constexpr int64_t kKernel = 3, kMaxAlpha = 6;

/// One Winograd algorithm F(m x m, 3x3): the output tile m, the input tile alpha = m + 2, and
/// its matrices, row-major: B^T (alpha x alpha), G (alpha x 3), A^T (m x alpha).
struct Variant {
  int64_t outputTile;
  int64_t alpha;
  const float *inputMatrix;
  const float *filterMatrix;
  const float *outputMatrix;
  const char *name;
};

namespace detail {
inline constexpr float kInput2[4 * 4] = {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1};
inline constexpr float kFilter2[4 * 3] = {1, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f, 0.5f, 0, 0, 1};
inline constexpr float kOutput2[2 * 4] = {1, 1, 1, 0, 0, 1, -1, -1};
// The interpolation points 0, 1, -1, 2, -2 and infinity (Lavin and Gray, 2016).
inline constexpr float kInput4[6 * 6] = {4, 0,  -5, 0,  1, 0, //
                                  0, -4, -4, 1,  1, 0, //
                                  0, 4,  -4, -1, 1, 0, //
                                  0, -2, -1, 2,  1, 0, //
                                  0, 2,  -1, -2, 1, 0, //
                                  0, 4,  0,  -5, 0, 1};
inline constexpr float kFilter4[6 * 3] = {1.0f / 4,  0,          0,         //
                                   -1.0f / 6, -1.0f / 6,  -1.0f / 6, //
                                   -1.0f / 6, 1.0f / 6,   -1.0f / 6, //
                                   1.0f / 24, 1.0f / 12,  1.0f / 6,  //
                                   1.0f / 24, -1.0f / 12, 1.0f / 6,  //
                                   0,         0,          1};
inline constexpr float kOutput4[4 * 6] = {1, 1,  1, 1, 1,  0, //
                                   0, 1, -1, 2, -2, 0, //
                                   0, 1,  1, 4, 4,  0, //
                                   0, 1, -1, 8, -8, 1};
} // namespace detail

// Inline: one object each in the whole program, so a variant is known by its address in every
// file that includes this one.
inline constexpr Variant kF2x2{2, 4, detail::kInput2, detail::kFilter2, detail::kOutput2,
                               "F(2x2, 3x3)"};
inline constexpr Variant kF4x4{4, 6, detail::kInput4, detail::kFilter4, detail::kOutput4,
                               "F(4x4, 3x3)"};
inline constexpr std::array<const Variant *, 2> kVariants = {&kF2x2, &kF4x4};

/// The input transform iterates (a, b, c, n, ty, tx, p, q) and computes
///   V[a, b, c, n, ty, tx] += padded[n, c, m ty + p, m tx + q] * BT[a, p] * BT[b, q].
inline llvm::SmallVector<mlir::AffineMap, 4> inputTransformMaps(mlir::MLIRContext *ctx,
                                                                const Variant &variant) {
  mlir::AffineExpr a, b, c, n, ty, tx, p, q;
  mlir::bindDims(ctx, a, b, c, n, ty, tx, p, q);
  int64_t m = variant.outputTile;
  llvm::SmallVector<mlir::AffineExpr, 4> operands[] = {
      {n, c, ty * m + p, tx * m + q}, {a, p}, {b, q}, {a, b, c, n, ty, tx}};
  return mlir::AffineMap::inferFromExprList(llvm::ArrayRef(operands), ctx);
}

/// The output transform iterates (n, f, ty, i, tx, j, a, b) and computes
///   Y[n, f, ty, i, tx, j] += M[a, b, f, n, ty, tx] * AT[i, a] * AT[j, b]
/// from its initial value (the bias); Y collapses to the result [n, f, m TH, m TW]. Its maps
/// are the same for both variants (the matrices tell them apart).
inline llvm::SmallVector<mlir::AffineMap, 4> outputTransformMaps(mlir::MLIRContext *ctx) {
  mlir::AffineExpr n, f, ty, i, tx, j, a, b;
  mlir::bindDims(ctx, n, f, ty, i, tx, j, a, b);
  llvm::SmallVector<mlir::AffineExpr, 4> operands[] = {
      {a, b, f, n, ty, tx}, {i, a}, {j, b}, {n, f, ty, i, tx, j}};
  return mlir::AffineMap::inferFromExprList(llvm::ArrayRef(operands), ctx);
}

} // namespace dlc::winograd

#endif
