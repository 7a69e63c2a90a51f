// The dlc-cpu-vectorize-contractions pass: register-block tiling and vectorization of matrix
// products (see Passes.td for the loop nest it builds and its preconditions).
#include "targets/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZECONTRACTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// The first of `candidates` that divides `size`, or 0.
int64_t firstDivisor(int64_t size, ArrayRef<int64_t> candidates) {
  for (int64_t candidate : candidates)
    if (size % candidate == 0)
      return candidate;
  return 0;
}

/// Tile sizes of the register block, or failure when the op does not qualify: batch dims 1,
/// M by MR, N by NR, K untiled (the second tiling splits it by 1).
FailureOr<SmallVector<int64_t>> blockTileSizes(linalg::LinalgOp op,
                                               const linalg::ContractionDimensions &dims) {
  if (dims.m.size() != 1 || dims.n.size() != 1 || dims.k.size() != 1)
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  int64_t nr = firstDivisor(ranges[dims.n[0]], {32, 16});
  int64_t mr = firstDivisor(ranges[dims.m[0]], {8, 6, 4, 2, 1});
  if (!nr || !mr)
    return failure();
  // N must be the innermost dimension of the result, so NR columns are contiguous.
  AffineMap result = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (result.getResults().back() != getAffineDimExpr(dims.n[0], op.getContext()))
    return failure();
  SmallVector<int64_t> sizes(ranges.size(), 0);
  for (unsigned b : dims.batch)
    sizes[b] = 1;
  sizes[dims.m[0]] = mr;
  sizes[dims.n[0]] = nr;
  return sizes;
}

FailureOr<Operation *> tile(RewriterBase &rewriter, TilingInterface op, ArrayRef<int64_t> sizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(rewriter, op, options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.back();
}

struct VectorizeContractionsPass
    : impl::VectorizeContractionsPassBase<VectorizeContractionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.hasPureTensorSemantics() && linalg::isaContractionOpInterface(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
      if (failed(dims))
        continue;
      FailureOr<SmallVector<int64_t>> sizes = blockTileSizes(op, *dims);
      if (failed(sizes))
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<Operation *> block = tile(rewriter, cast<TilingInterface>(op.getOperation()), *sizes);
      if (failed(block))
        continue;
      SmallVector<int64_t> reductionSizes(sizes->size(), 0);
      reductionSizes[dims->k[0]] = 1;
      rewriter.setInsertionPoint(*block);
      FailureOr<Operation *> step =
          tile(rewriter, cast<TilingInterface>(*block), reductionSizes);
      if (failed(step))
        continue;
      rewriter.setInsertionPoint(*step);
      FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(rewriter, *step);
      if (succeeded(vectorized))
        rewriter.replaceOp(*step, vectorized->replacements);
    }
  }
};

} // namespace
} // namespace dlc::cpu
