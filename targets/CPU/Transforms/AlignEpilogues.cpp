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

/// Whether `value` is the result of a linalg op with reductions.
bool isReduction(Value value) {
  auto producer = value.getDefiningOp<linalg::LinalgOp>();
  return producer && producer.getNumReductionLoops() > 0;
}

/// Whether `operand` of an all-parallel linalg.generic is a reshape, used only there, of the
/// result of a linalg op with reductions, and no other operand is a reduction's result in
/// another shape (read directly, or through the other kind of reshape: the select between a
/// grouped convolution's [N, G, F/G, ..] and a depthwise product's [N, C, ..]), which moving
/// the reshape would take out of its kernel's shape, and the opposite fold would move back.
bool isReshapedReduction(OpOperand *operand) {
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  if (!consumer || consumer.getNumLoops() != consumer.getNumParallelLoops())
    return false;
  Operation *reshape = operand->get().getDefiningOp();
  if (!reshape || !isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(reshape) ||
      !reshape->hasOneUse())
    return false;
  auto producer = reshape->getOperand(0).getDefiningOp<linalg::LinalgOp>();
  if (!producer || producer.getNumReductionLoops() == 0 || !producer->hasOneUse())
    return false;
  for (OpOperand &other : consumer->getOpOperands()) {
    if (&other == operand)
      continue;
    Operation *otherReshape = other.get().getDefiningOp();
    if (isReduction(other.get()) ||
        (otherReshape && isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(otherReshape) &&
         otherReshape->getName() != reshape->getName() &&
         isReduction(otherReshape->getOperand(0))))
      return false;
  }
  return true;
}

struct AlignEpiloguesPass : impl::AlignEpiloguesPassBase<AlignEpiloguesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, isReshapedReduction);
    linalg::populateFoldReshapeOpsByCollapsingPatterns(patterns, isReshapedReduction);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns)))) {
      getOperation().emitError("dlc-cpu-align-epilogues: moving reshapes past their "
                               "consumers did not converge");
      signalPassFailure();
    }
  }
};

} // namespace
} // namespace dlc::cpu
