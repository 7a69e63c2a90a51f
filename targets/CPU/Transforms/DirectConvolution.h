// The direct fp32 convolution that dlc-cpu-lower-convolutions writes and
// dlc-cpu-vectorize-direct-convolutions recognizes by its maps: the filters are broadcast, the
// output positions of a row run along the vectors, and the input is read in place, so neither
// im2col columns nor the result are copied. A stride s along the width splits each input row
// into s phases (columns w s + p for p < s, a copy for s > 1, a view for s = 1), in which every
// tap reads consecutive elements:
//   out[n, f, oh, ow] += phases[n, c, oh * sh + kh * dh, (kw * d) mod s, ow + (kw * d) floordiv s]
//                        * w[f, c, kh, kw]
// with phases[n, c, h, p, x] = input[n, c, h, x * s + p]. The input is padded on the right
// (zeros) so that every vector read, up to a whole vector past the last output position, stays
// inside its row.
//
// The transposed direct convolution runs the other way round: the filters along the vectors
// (packed at compile time into groups of vectors), each output position's input element
// broadcast from the input read in place, and each register block transposed before its one
// store, so the result is NCHW as well. Its generic is the named convolution's own:
//   out[n, f, oh, ow] += input[n, c, oh * sh + kh * dh, ow * sw + kw * dw] * w[f, c, kh, kw]
#ifndef DLC_TARGETS_CPU_TRANSFORMS_DIRECTCONVOLUTION_H
#define DLC_TARGETS_CPU_TRANSFORMS_DIRECTCONVOLUTION_H

#include "targets/CPU/Transforms/DotInstructions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace dlc::directconv {

/// The iteration space (n, f, oh, ow, c, kh, kw) to the input's phases [N, C, H, s, W / s],
/// the filters [F, C, KH, KW] and the result [N, F, OH, OW]; c, kh and kw are reductions.
/// `strides` and `dilations` are (height, width).
inline llvm::SmallVector<mlir::AffineMap, 3> maps(mlir::MLIRContext *ctx,
                                                   llvm::ArrayRef<int64_t> strides,
                                                   llvm::ArrayRef<int64_t> dilations) {
  auto d = [&](unsigned i) { return mlir::getAffineDimExpr(i, ctx); };
  mlir::AffineExpr column = d(6) * dilations[1];
  return {mlir::AffineMap::get(7, 0,
                               {d(0), d(4), d(2) * strides[0] + d(5) * dilations[0],
                                column % strides[1], d(3) + column.floorDiv(strides[1])},
                               ctx),
          mlir::AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, ctx),
          mlir::AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
}

/// The phase width a direct convolution reads: `vectorPositions` output positions (the row's
/// positions rounded up to whole vectors) from the last tap's offset.
inline int64_t phaseWidth(int64_t vectorPositions, int64_t kernelWidth, int64_t stride,
                          int64_t dilation) {
  return vectorPositions + (kernelWidth - 1) * dilation / stride;
}

/// The maps of the transposed direct convolution: the iteration space (n, f, oh, ow, c, kh, kw)
/// to the (padded) input [N, C, H, W], the filters [F, C, KH, KW] and the result [N, F, OH, OW].
inline llvm::SmallVector<mlir::AffineMap, 3>
transposedMaps(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> strides,
               llvm::ArrayRef<int64_t> dilations) {
  auto d = [&](unsigned i) { return mlir::getAffineDimExpr(i, ctx); };
  return {mlir::AffineMap::get(7, 0,
                               {d(0), d(4), d(2) * strides[0] + d(5) * dilations[0],
                                d(3) * strides[1] + d(6) * dilations[1]},
                               ctx),
          mlir::AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, ctx),
          mlir::AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx)};
}

/// The value of `expr` where dimension `dim` is 1 and the others 0, when it is a constant: a
/// stride or a dilation read back from a map.
inline std::optional<int64_t> valueAtUnit(mlir::AffineExpr expr, unsigned dim,
                                          unsigned numDims) {
  mlir::MLIRContext *ctx = expr.getContext();
  llvm::SmallVector<mlir::AffineExpr> values(numDims, mlir::getAffineConstantExpr(0, ctx));
  values[dim] = mlir::getAffineConstantExpr(1, ctx);
  auto constant = llvm::dyn_cast<mlir::AffineConstantExpr>(
      mlir::simplifyAffineExpr(expr.replaceDims(values), numDims, 0));
  if (!constant)
    return std::nullopt;
  return constant.getValue();
}

/// Whether `op`'s body is `out + x * y` of f32 values.
inline bool hasMultiplyAdd(mlir::linalg::GenericOp op) {
  mlir::Block &body = *op.getBody();
  mlir::Value yielded =
      llvm::cast<mlir::linalg::YieldOp>(body.getTerminator()).getOperand(0);
  auto add = yielded.getDefiningOp<mlir::arith::AddFOp>();
  if (!add || !llvm::is_contained(add->getOperands(), body.getArgument(2)))
    return false;
  mlir::Value other = add.getLhs() == body.getArgument(2) ? add.getRhs() : add.getLhs();
  auto mul = other.getDefiningOp<mlir::arith::MulFOp>();
  return mul && llvm::is_contained(mul->getOperands(), body.getArgument(0)) &&
         llvm::is_contained(mul->getOperands(), body.getArgument(1)) &&
         body.getOperations().size() == 3;
}

/// What both direct kernels know of the convolution they rewrite: its generic, the constant
/// filters, strides and dilations (height, width), and the elementwise ops run on the
/// registers.
struct Kernel {
  mlir::linalg::GenericOp op;
  mlir::DenseElementsAttr weights; ///< [F, C, KH, KW]
  int64_t strides[2], dilations[2];
  mlir::Operation *prologue = nullptr; ///< a linalg.fill or an elementwise generic, the init
  mlir::linalg::GenericOp epilogue;    ///< the result's elementwise consumer

  // Op handles are not const-correct in MLIR: the accessors take `this` non-const.
  mlir::RankedTensorType resultType() {
    return llvm::cast<mlir::RankedTensorType>(op->getResult(0).getType());
  }
  int64_t filters() { return resultType().getDimSize(1); }
  int64_t channels() { return weights.getType().getDimSize(1); }
  int64_t kernelHeight() { return weights.getType().getDimSize(2); }
  int64_t kernelWidth() { return weights.getType().getDimSize(3); }
  int64_t taps() { return channels() * kernelHeight() * kernelWidth(); }

  /// The last op the kernel replaces (the epilogue, if any), before which it is built.
  mlir::Operation *last() {
    return epilogue ? epilogue.getOperation() : op.getOperation();
  }
  /// Where the kernel writes its blocks: the epilogue's destination, else the prologue's (the
  /// prologue itself is not built), else the init.
  mlir::Value destination() {
    if (epilogue)
      return epilogue.getDpsInits()[0];
    if (prologue)
      return llvm::cast<mlir::DestinationStyleOpInterface>(prologue).getDpsInits()[0];
    return op.getDpsInits()[0];
  }
  /// Replaces the convolution (and its epilogue) by the kernel's `result`, and erases the
  /// prologue the kernel computed on its registers.
  void replaceWith(mlir::RewriterBase &rewriter, mlir::Value result) {
    dlc::cpu::replaceWithKernel(rewriter, op, epilogue, result);
    if (prologue && prologue->use_empty())
      rewriter.eraseOp(prologue);
  }
};

/// The filters `weights` [F, C, KH, KW] (f32) as one flat constant in groups of `group`
/// filters (the last group what remains), each group's filters interleaved: filter f0 + i's
/// tap q (= (c * KH + kh) * KW + kw) at f0 * taps + q * group_f0 + i. A step of a direct
/// convolution reads a group's values for one tap from one contiguous run: the broadcasts of
/// the direct convolution, the filter vectors of the transposed one.
inline mlir::DenseElementsAttr interleavedFilters(mlir::DenseElementsAttr weights,
                                                  int64_t group) {
  llvm::SmallVector<float> values = llvm::to_vector(weights.getValues<float>());
  llvm::SmallVector<float> packed(values.size());
  int64_t filters = weights.getType().getDimSize(0);
  int64_t taps = int64_t(values.size()) / filters;
  for (int64_t f0 = 0; f0 < filters; f0 += group) {
    int64_t width = std::min(group, filters - f0);
    for (int64_t i = 0; i < width; ++i)
      for (int64_t q = 0; q < taps; ++q)
        packed[f0 * taps + q * width + i] = values[(f0 + i) * taps + q];
  }
  auto type = mlir::RankedTensorType::get({int64_t(packed.size())},
                                          mlir::Float32Type::get(weights.getContext()));
  return mlir::DenseElementsAttr::get(type, llvm::ArrayRef<float>(packed));
}

} // namespace dlc::directconv

#endif
