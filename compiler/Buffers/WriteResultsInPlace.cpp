// The dlc-write-results-in-place pass: a result that is a reshape of a fresh buffer is computed in
// the caller's output buffer, viewed in the buffer's shape, instead of being copied there at the
// end (see Passes.td).
#include "compiler/Buffers/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace dlc::buffers {

#define GEN_PASS_DEF_WRITERESULTSINPLACEPASS
#include "compiler/Buffers/Passes.h.inc"

namespace {

using namespace mlir;

bool isPlainStatic(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getLayout().isIdentity();
}

/// The allocation `value` reshapes, and the reshapes from it to `value` (the one applied to the
/// allocation first); nullopt when `value` is not such a chain of ops in `block`.
std::optional<std::pair<memref::AllocOp, SmallVector<Operation *>>> reshapeChain(Value value,
                                                                               Block &block) {
  SmallVector<Operation *> chain;
  while (true) {
    Operation *op = value.getDefiningOp();
    if (!op || op->getBlock() != &block || !isPlainStatic(value.getType()))
      return std::nullopt;
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      if (!alloc.getDynamicSizes().empty() || !alloc.getSymbolOperands().empty())
        return std::nullopt;
      std::reverse(chain.begin(), chain.end());
      return std::make_pair(alloc, chain);
    }
    if (!isa<memref::CollapseShapeOp, memref::ExpandShapeOp>(op))
      return std::nullopt;
    chain.push_back(op);
    value = op->getOperand(0);
  }
}

/// Whether any user of `alloc`, or of a view of it, comes after `copy` in the block.
bool usedAfter(memref::AllocOp alloc, memref::CopyOp copy) {
  SmallVector<Value> worklist = {alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      Operation *top = copy->getBlock()->findAncestorOpInBlock(*user);
      if (user != copy && top && copy->isBeforeInBlock(top))
        return true;
      if (isa<ViewLikeOpInterface>(user))
        worklist.append(user->result_begin(), user->result_end());
    }
  }
  return false;
}

/// `output` viewed as `alloc`'s buffer: the inverse of each reshape of `chain`, last first.
Value viewAsAllocation(OpBuilder &b, Value output, ArrayRef<Operation *> chain,
                       memref::AllocOp alloc) {
  Value value = output;
  for (Operation *op : llvm::reverse(chain)) {
    Type sourceType = op->getOperand(0).getType();
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(op))
      value = memref::ExpandShapeOp::create(b, op->getLoc(), sourceType, value,
                                            collapse.getReassociationIndices());
    else
      value = memref::CollapseShapeOp::create(
          b, op->getLoc(), sourceType, value,
          cast<memref::ExpandShapeOp>(op).getReassociationIndices());
  }
  assert(value.getType() == alloc.getType() && "a reshape chain ends in its source's type");
  return value;
}

struct WriteResultsInPlacePass : impl::WriteResultsInPlacePassBase<WriteResultsInPlacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    for (BlockArgument output : func.getArguments()) {
      if (!output.hasOneUse() || !isPlainStatic(output.getType()))
        continue;
      auto copy = dyn_cast<memref::CopyOp>(*output.getUsers().begin());
      if (!copy || copy.getTarget() != output || copy->getBlock() != &entry)
        continue;
      auto chain = reshapeChain(copy.getSource(), entry);
      if (!chain || usedAfter(chain->first, copy))
        continue;
      auto b = OpBuilder::atBlockBegin(&entry);
      Value view = viewAsAllocation(b, output, chain->second, chain->first);
      chain->first.replaceAllUsesWith(view);
      copy.erase();
      for (Operation *op : llvm::reverse(chain->second))
        if (op->use_empty())
          op->erase();
      chain->first.erase();
    }
  }
};

} // namespace
} // namespace dlc::buffers
