// The dlc-fuse-elementwise pass: upstream producer/consumer fusion of linalg.generic ops,
// restricted to all-parallel consumers (see Passes.td for why), and the removal of the
// integer round trips fusion brings together.
#include "compiler/Fusion/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::fusion {

#define GEN_PASS_DEF_FUSEELEMENTWISEPASS
#include "compiler/Fusion/Passes.h.inc"

namespace {

using namespace mlir;

/// Whether every loop of `op` is parallel.
bool isAllParallel(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumLoops() == linalgOp.getNumParallelLoops();
}

struct FuseElementwisePass : impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *operand) {
      Operation *producer = operand->get().getDefiningOp();
      auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
      return producer && producer->hasOneUse() && isAllParallel(producer) && consumer &&
             isAllParallel(consumer) &&
             consumer.getMatchingIndexingMap(operand).isProjectedPermutation();
    });
    populateIntegerRoundTripPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace dlc::fusion
