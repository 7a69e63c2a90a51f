// The dlc-fuse-elementwise pass: upstream producer/consumer fusion of linalg.generic ops,
// restricted to all-parallel consumers (see Passes.td for why), and the removal of the
// integer round trips fusion brings together.
#include "compiler/Fusion/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
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

/// The one read of `value` among the ops that stay (fusion leaves the ops it merged for the
/// rewrite driver to erase); null when there are more or none.
OpOperand *onlyRead(Value value) {
  OpOperand *read = nullptr;
  for (OpOperand &use : value.getUses()) {
    if (isOpTriviallyDead(use.getOwner()))
      continue;
    if (read)
      return nullptr;
    read = &use;
  }
  return read;
}

/// Whether `operand` would be fused: its producer has this one use, the consumer is all
/// parallel and reads it through a projected permutation.
bool isFusable(OpOperand *operand) {
  Operation *producer = operand->get().getDefiningOp();
  auto consumer = dyn_cast<linalg::LinalgOp>(operand->getOwner());
  return producer && producer->hasOneUse() && isAllParallel(producer) && consumer &&
         isAllParallel(consumer) &&
         consumer.getMatchingIndexingMap(operand).isProjectedPermutation();
}

/// The reductions (products, convolutions) whose results `value` is computed from through
/// reshapes and all-parallel linalg ops that fusion merges (results read once); values read
/// more than once are stored whatever fusion does, and end the walk.
void collectReductions(Value value, llvm::SmallPtrSetImpl<Operation *> &found) {
  if (!onlyRead(value))
    return;
  if (auto expand = value.getDefiningOp<tensor::ExpandShapeOp>())
    return collectReductions(expand.getSrc(), found);
  if (auto collapse = value.getDefiningOp<tensor::CollapseShapeOp>())
    return collectReductions(collapse.getSrc(), found);
  auto linalgOp = value.getDefiningOp<linalg::LinalgOp>();
  if (!linalgOp)
    return;
  if (!isAllParallel(linalgOp)) {
    found.insert(linalgOp);
    return;
  }
  for (Value input : linalgOp.getDpsInputs())
    collectReductions(input, found);
}

/// The width in bits of `type`'s elements; 0 for other than integers and floats.
unsigned elementBits(Type type) {
  Type element = getElementTypeOrSelf(type);
  return element.isIntOrFloat() ? element.getIntOrFloatBitWidth() : 0;
}

/// Whether fusing `operand`'s producer into its consumer would store a reduction's wide
/// result instead of the producer's narrower one. The producer narrows (a quantization of a
/// product's int32 sums to int8, say), and the consumer, through the chain fusion makes of it,
/// also reads an earlier reduction's result (the residual add of two convolutions): that chain
/// becomes the earlier kernel's epilogue (targets give an op that reads two products to the
/// first), and this producer's reduction would then store its wide sums for it. Unfused, the
/// producer is its own reduction's epilogue and stores its narrow result.
bool narrowsForAnotherKernel(OpOperand *operand) {
  auto producer = operand->get().getDefiningOp<linalg::LinalgOp>();
  unsigned widest = 0;
  for (Value input : producer.getDpsInputs())
    widest = std::max(widest, elementBits(input.getType()));
  if (elementBits(operand->get().getType()) >= widest)
    return false;
  llvm::SmallPtrSet<Operation *, 4> own, others;
  for (Value input : producer.getDpsInputs())
    collectReductions(input, own);
  if (own.empty())
    return false;
  for (OpOperand *edge = operand; edge;) {
    auto consumer = cast<linalg::LinalgOp>(edge->getOwner());
    for (OpOperand *input : consumer.getDpsInputOperands())
      if (input != edge)
        collectReductions(input->get(), others);
    edge = consumer->getNumResults() == 1 ? onlyRead(consumer->getResult(0)) : nullptr;
    if (edge && !isFusable(edge))
      edge = nullptr;
  }
  return llvm::any_of(others, [&](Operation *other) {
    return llvm::all_of(own, [&](Operation *mine) {
      return other->getBlock() == mine->getBlock() && other->isBeforeInBlock(mine);
    });
  });
}

struct FuseElementwisePass : impl::FuseElementwisePassBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *operand) {
      return isFusable(operand) && !narrowsForAnotherKernel(operand);
    });
    populateIntegerRoundTripPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace dlc::fusion
