// The dlc-plan-workspace pass: liveness-based placement of all intermediate buffers in one
// workspace argument (see Passes.td for the rewrite and its preconditions).
#include "compiler/MemoryPlanning/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <functional>
#include <limits>
#include <random>

namespace dlc::memory {

#define GEN_PASS_DEF_PLANWORKSPACEPASS
#include "compiler/MemoryPlanning/Passes.h.inc"

namespace {

using namespace mlir;

/// One buffer to place: its alloc, size, live range in entry-block op positions, and offset.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0;
  int64_t offset = 0;
};

int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// The position of the last entry-block op that uses `root` or any view derived from it.
int64_t lastUse(Value root, Block &block, const DenseMap<Operation *, int64_t> &position) {
  int64_t last = position.lookup(block.findAncestorOpInBlock(*root.getDefiningOp()));
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      Operation *top = block.findAncestorOpInBlock(*user);
      if (top)
        last = std::max(last, position.lookup(top));
      if (auto view = dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          llvm::append_range(worklist, user->getResults());
      // A buffer a loop starts from (its init) is the buffer its iterations update in place
      // (bufferization makes each iteration's value equivalent to its argument) and lives on
      // as the loop's result.
      if (isa<LoopLikeOpInterface>(user))
        llvm::append_range(worklist, user->getResults());
      // A buffer yielded from a branch of scf.if lives on as the if's result.
      if (isa<RegionBranchTerminatorOpInterface>(user) && user->getParentOp() &&
          user->getParentOp()->getBlock() && !isa<func::FuncOp>(user->getParentOp()))
        llvm::append_range(worklist, user->getParentOp()->getResults());
    }
  }
  return last;
}

/// The byte ranges, sorted, that the buffers of `placed` live at the same time as `buffer`
/// occupy.
SmallVector<std::pair<int64_t, int64_t>> occupied(const Buffer &buffer,
                                                  ArrayRef<Buffer *> placed) {
  SmallVector<std::pair<int64_t, int64_t>> taken;
  for (Buffer *other : placed)
    if (other->first <= buffer.last && buffer.first <= other->last)
      taken.push_back({other->offset, other->offset + alignUp(other->bytes, kBufferAlignment)});
  llvm::sort(taken);
  return taken;
}

SmallVector<int64_t> offsetsOf(ArrayRef<Buffer> buffers) {
  return llvm::map_to_vector(buffers, [](const Buffer &b) { return b.offset; });
}

void setOffsets(MutableArrayRef<Buffer> buffers, ArrayRef<int64_t> offsets) {
  for (auto [buffer, offset] : llvm::zip(buffers, offsets))
    buffer.offset = offset;
}

/// Places the buffers in `order`, each at the lowest offset free during its live range;
/// returns the workspace size.
int64_t placeInOrder(ArrayRef<Buffer *> order) {
  SmallVector<Buffer *> placed;
  int64_t size = 0;
  for (Buffer *buffer : order) {
    int64_t offset = 0;
    for (auto [begin, end] : occupied(*buffer, placed)) {
      if (offset + buffer->bytes <= begin)
        break;
      offset = std::max(offset, end);
    }
    buffer->offset = offset;
    size = std::max(size, alignUp(offset + buffer->bytes, kBufferAlignment));
    placed.push_back(buffer);
  }
  return size;
}

/// Perturbed orders tried after the fixed ones, and the seed that makes them reproducible.
constexpr int kPlanAttempts = 64;
constexpr unsigned kPlanSeed = 20261122;

/// Lowest-offset placement in the best of a few orders (largest first, longest-lived first,
/// largest size x lifetime first, first used first); returns the workspace size. Which order
/// packs best depends on the model, and each try is cheap.
int64_t place(MutableArrayRef<Buffer> buffers) {
  auto lifetime = [](const Buffer *b) { return b->last - b->first + 1; };
  SmallVector<std::function<bool(Buffer *, Buffer *)>> orders = {
      [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; },
      [&](Buffer *a, Buffer *b) { return lifetime(a) > lifetime(b); },
      [&](Buffer *a, Buffer *b) { return a->bytes * lifetime(a) > b->bytes * lifetime(b); },
      [](Buffer *a, Buffer *b) { return a->first < b->first; },
  };
  int64_t best = std::numeric_limits<int64_t>::max();
  SmallVector<int64_t> bestOffsets;
  auto tryOrder = [&](ArrayRef<Buffer *> order) {
    int64_t size = placeInOrder(order);
    if (size < best) {
      best = size;
      bestOffsets = offsetsOf(buffers);
    }
  };
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  for (const auto &before : orders) {
    llvm::stable_sort(order, before);
    tryOrder(order);
  }
  // Then a few perturbations of the largest-first order, with a fixed seed so the plan is
  // the same on every compile: neighbours of similar size swapped at random.
  std::mt19937 random(kPlanSeed);
  for (int attempt = 0; attempt < kPlanAttempts; ++attempt) {
    llvm::stable_sort(order, orders.front());
    for (size_t i = 0; i + 1 < order.size(); ++i)
      if (random() % 3 == 0)
        std::swap(order[i], order[i + 1]);
    tryOrder(order);
  }
  setOffsets(buffers, bestOffsets);
  return best;
}

/// The offsets where `buffer` fits within `size` bytes, given the buffers `placed` so far: the
/// bottom and the top of every free gap among those live at the same time, bottom first.
SmallVector<int64_t> gapEnds(const Buffer &buffer, ArrayRef<Buffer *> placed, int64_t size) {
  SmallVector<std::pair<int64_t, int64_t>> taken = occupied(buffer, placed);
  taken.push_back({size, size});
  int64_t need = alignUp(buffer.bytes, kBufferAlignment);
  SmallVector<int64_t> offsets;
  int64_t free = 0;
  for (auto [begin, end] : taken) {
    if (begin - free >= need) {
      offsets.push_back(free);
      int64_t top = (begin - need) / kBufferAlignment * kBufferAlignment;
      if (top != free)
        offsets.push_back(top);
    }
    free = std::max(free, end);
  }
  return offsets;
}

/// Search steps (buffer placements) allowed per workspace size tried.
constexpr int64_t kSearchSteps = 20000;

/// Tries to place every buffer within `size` bytes: in order of first use, each at the bottom
/// or the top of a free gap, backtracking over those choices for at most kSearchSteps
/// placements. Choosing the top lets a long-lived buffer born into the space of a large
/// short-lived one (a residual input next to an im2col buffer) leave that space whole for the
/// next large one, which lowest-offset placement cannot. Returns whether it succeeded.
bool placeWithin(MutableArrayRef<Buffer> buffers, int64_t size) {
  if (buffers.empty())
    return true;
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::stable_sort(order, [](Buffer *a, Buffer *b) {
    return a->first != b->first ? a->first < b->first : a->bytes > b->bytes;
  });
  // One level per placed buffer: its candidate offsets and the next one to try.
  SmallVector<std::pair<SmallVector<int64_t>, size_t>> levels;
  levels.push_back({gapEnds(*order[0], {}, size), 0});
  for (int64_t steps = 0; steps < kSearchSteps && !levels.empty(); ++steps) {
    auto &[offsets, next] = levels.back();
    if (next == offsets.size()) {
      levels.pop_back();
      continue;
    }
    size_t depth = levels.size() - 1;
    order[depth]->offset = offsets[next++];
    if (depth + 1 == order.size())
      return true;
    levels.push_back({gapEnds(*order[depth + 1], ArrayRef(order).take_front(depth + 1), size), 0});
  }
  return false;
}

/// The smallest plan found: lowest-offset placement in several orders, then placements within
/// sizes from the lower bound up, 1% apart, below that plan's size.
int64_t plan(MutableArrayRef<Buffer> buffers, int64_t bound) {
  int64_t best = place(buffers);
  SmallVector<int64_t> bestOffsets = offsetsOf(buffers);
  for (int64_t percent = 100; percent <= 110; ++percent) {
    int64_t size = alignUp(bound * percent / 100, kBufferAlignment);
    if (size >= best)
      break;
    if (placeWithin(buffers, size))
      return size;
  }
  setOffsets(buffers, bestOffsets);
  return best;
}

/// The largest total of bytes live at one position.
int64_t lowerBound(ArrayRef<Buffer> buffers) {
  int64_t best = 0;
  for (const Buffer &at : buffers) {
    int64_t live = 0;
    for (const Buffer &other : buffers)
      if (other.first <= at.first && at.first <= other.last)
        live += other.bytes;
    best = std::max(best, live);
  }
  return best;
}

struct PlanWorkspacePass : impl::PlanWorkspacePassBase<PlanWorkspacePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(planFunction(func)))
        return signalPassFailure();
  }

  LogicalResult planFunction(func::FuncOp func) {
    Block &entry = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(entry))
      position[&op] = i;

    SmallVector<Buffer> buffers;
    WalkResult walk = func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return alloc.emitOpError("needs a static shape and identity layout to be planned"),
               WalkResult::interrupt();
      // A buffer of a branch (scf.if) or of a loop's body lives while the whole if or loop
      // does. A loop's body cannot hand one of its buffers to the next iteration: one-shot
      // bufferization, not allowed to return allocations from loops, makes each iteration
      // update the loop's arguments in place, so one place serves every iteration.
      Operation *top = entry.findAncestorOpInBlock(*alloc);
      Buffer buffer;
      buffer.alloc = alloc;
      buffer.bytes = std::max<int64_t>(
          1, type.getNumElements() * int64_t(llvm::divideCeil(type.getElementTypeBitWidth(), 8)));
      buffer.first = position.lookup(top);
      buffer.last = lastUse(alloc.getResult(), entry, position);
      buffers.push_back(buffer);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return failure();

    int64_t bound = lowerBound(buffers);
    int64_t size = std::max<int64_t>(plan(buffers, bound), kBufferAlignment);
    OpBuilder builder(func.getContext());
    auto workspaceType = MemRefType::get({size}, builder.getI8Type());
    if (failed(func.insertArgument(func.getNumArguments(), workspaceType, {}, func.getLoc())))
      return failure();
    Value workspace = func.getArgument(func.getNumArguments() - 1);

    for (Buffer &buffer : buffers) {
      builder.setInsertionPoint(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value offset = arith::ConstantIndexOp::create(builder, loc, buffer.offset);
      Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(), workspace,
                                          offset, ValueRange{});
      for (Operation *user : llvm::make_early_inc_range(buffer.alloc->getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      buffer.alloc.replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    func->setAttr(kWorkspaceSizeAttr, builder.getI64IntegerAttr(size));
    func->setAttr(kWorkspaceLowerBoundAttr, builder.getI64IntegerAttr(bound));
    return success();
  }
};

} // namespace
} // namespace dlc::memory
