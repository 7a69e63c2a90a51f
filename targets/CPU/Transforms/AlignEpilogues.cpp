// The dlc-cpu-align-epilogues pass: a reshape between a reduction (a product, a convolution) and its
// elementwise consumer moves after the consumer, so code generation can fuse the two.
#include "targets/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_ALIGNEPILOGUESPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// Whether `operand` of an all-parallel linalg.generic is a reshape, used only there, of the
/// result of a linalg op with reductions.
bool isReshapedReduction(OpOperand *operand) {
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  if (!consumer || consumer.getNumLoops() != consumer.getNumParallelLoops())
    return false;
  Operation *reshape = operand->get().getDefiningOp();
  if (!reshape || !isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(reshape) ||
      !reshape->hasOneUse())
    return false;
  auto producer = reshape->getOperand(0).getDefiningOp<linalg::LinalgOp>();
  return producer && producer.getNumReductionLoops() > 0 && producer->hasOneUse();
}

struct AlignEpiloguesPass : impl::AlignEpiloguesPassBase<AlignEpiloguesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, isReshapedReduction);
    linalg::populateFoldReshapeOpsByCollapsingPatterns(patterns, isReshapedReduction);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace dlc::cpu
