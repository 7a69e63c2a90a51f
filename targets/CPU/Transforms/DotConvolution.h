// Convolutions on dot-product instructions (AVX512-VNNI's vpdpbusd sums 4 int8 products per
// 32-bit lane, AVX512-BF16's vdpbf16ps 2 bf16 products): the packed layout that
// dlc-cpu-lower-convolutions builds as linalg ops and dlc-cpu-vectorize-dot-convolutions
// recognizes by the same maps.
//
// The reduction r = (c, kh, kw) is reordered to (cq, kh, kw, j) with c = cq * g + j, so each
// group of g consecutive reduction elements of one output position sits in one 32-bit lane:
//   col[n, cq, kh, kw, oh, ow, j] = input[n, cq * g + j, oh * s + kh * d, ow * s + kw * d]
//   out[n, f, p] += w[f, q, j] * col[n, q, p, j]     q = (cq, kh, kw), p = (oh, ow)
// The filters are the broadcast side (one 32-bit group per filter row of a register block) and
// the output positions run along the vectors, so the result stays [N, F, OH*OW] (NCHW).
//
// With fewer channels than a group (an RGB image's 3 for int8's 4), padding the channels would
// waste a quarter of the products; the groups are taken along the filter's width instead,
// kw = kq * g + j, padded to whole groups (zero filter elements):
//   col[n, c, kh, kq, oh, ow, j] = input[n, c, oh * s + kh * d, ow * s + (kq * g + j) * d]
// A 7x7 filter over 3 channels then sums 42 groups (3 * 7 * 2) instead of 49 (1 * 7 * 7).
//
// A depthwise convolution (one input and one output channel per group) sums one channel's taps
// only: its groups run along the filter's width, and the kernel reads them from the input rows
// in place (one read and one shuffle per group of 16 lanes), with no packing:
//   out[n, c, oh, ow] += w[c, kh, kq, j] * input[n, c, oh * s + kh * d, ow * s + (kq * g + j) * d]
// the input padded on the right for the last group's taps past the filter (zero filter
// elements).
#ifndef DLC_TARGETS_CPU_TRANSFORMS_DOTCONVOLUTION_H
#define DLC_TARGETS_CPU_TRANSFORMS_DOTCONVOLUTION_H

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/SmallVector.h"

namespace dlc::dotconv {

/// Elements a dot-product instruction sums per 32-bit lane for operands of `element` (int8: 4,
/// bf16: 2), or 0 when none does.
inline int64_t groupOf(mlir::Type element) {
  if (element.isInteger(8))
    return 4;
  if (element.isBF16())
    return 2;
  return 0;
}

/// The packing's iteration space (n, cq, kh, kw, oh, ow, j) to the padded input [N, C, H, W]
/// (C a multiple of g).
inline mlir::AffineMap packingInputMap(mlir::MLIRContext *ctx, int64_t g,
                                       llvm::ArrayRef<int64_t> strides,
                                       llvm::ArrayRef<int64_t> dilations) {
  auto d = [&](unsigned i) { return mlir::getAffineDimExpr(i, ctx); };
  return mlir::AffineMap::get(7, 0,
                              {d(0), d(1) * g + d(6), d(4) * strides[0] + d(2) * dilations[0],
                               d(5) * strides[1] + d(3) * dilations[1]},
                              ctx);
}

/// The packing's iteration space (n, c, kh, kq, oh, ow, j) to the input [N, C, H, W] when the
/// groups run along the filter's width.
inline mlir::AffineMap widthPackingInputMap(mlir::MLIRContext *ctx, int64_t g,
                                            llvm::ArrayRef<int64_t> strides,
                                            llvm::ArrayRef<int64_t> dilations) {
  auto d = [&](unsigned i) { return mlir::getAffineDimExpr(i, ctx); };
  return mlir::AffineMap::get(
      7, 0,
      {d(0), d(1), d(4) * strides[0] + d(2) * dilations[0],
       d(5) * strides[1] + (d(3) * g + d(6)) * dilations[1]},
      ctx);
}

/// The product's iteration space (n, f, p, q, j) to w [F, Q, g], col [N, Q, P, g] and the
/// result [N, F, P].
inline llvm::SmallVector<mlir::AffineMap, 3> productMaps(mlir::MLIRContext *ctx) {
  auto d = [&](unsigned i) { return mlir::getAffineDimExpr(i, ctx); };
  return {mlir::AffineMap::get(5, 0, {d(1), d(3), d(4)}, ctx),
          mlir::AffineMap::get(5, 0, {d(0), d(3), d(2), d(4)}, ctx),
          mlir::AffineMap::get(5, 0, {d(0), d(1), d(2)}, ctx)};
}

/// The depthwise product's iteration space (n, c, oh, ow, kh, kq, j) to the input [N, C, H, W],
/// the filters [C, KH, KQ, g] and the result [N, C, OH, OW].
inline llvm::SmallVector<mlir::AffineMap, 3>
depthwiseMaps(mlir::MLIRContext *ctx, int64_t g, llvm::ArrayRef<int64_t> strides,
              llvm::ArrayRef<int64_t> dilations) {
  auto d = [&](unsigned i) { return mlir::getAffineDimExpr(i, ctx); };
  return {mlir::AffineMap::get(7, 0,
                               {d(0), d(1), d(2) * strides[0] + d(4) * dilations[0],
                                d(3) * strides[1] + (d(5) * g + d(6)) * dilations[1]},
                               ctx),
          mlir::AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, ctx),
          mlir::AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
}

} // namespace dlc::dotconv

#endif
