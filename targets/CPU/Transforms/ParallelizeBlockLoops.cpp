// The dlc-cpu-parallelize-block-loops pass: outlines the outer block loops of vectorized
// products into task functions dispatched on the runtime's thread pool (see Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_PARALLELIZEBLOCKLOOPSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// Whether `read` reads a constant global (weights, a bias), which nothing writes: hoisted out of
/// a block loop (a bias vector every column block starts from), it can be read again in a task.
bool readsConstantGlobal(vector::TransferReadOp read) {
  auto address = read.getBase().getDefiningOp<memref::GetGlobalOp>();
  auto module = read->getParentOfType<ModuleOp>();
  auto global = address && module
                    ? module.lookupSymbol<memref::GlobalOp>(address.getNameAttr())
                    : memref::GlobalOp();
  return global && global.getConstant() && !read.getMask();
}

/// Whether `value` is a block's scratch buffer: a stack buffer of static shape that a kernel
/// allocates once before its block loops and each block writes before it reads (the AMX
/// kernels' tile sums). A task gets its own, so iterations on different threads do not share it.
bool isScratch(Value value) {
  auto alloca = value.getDefiningOp<memref::AllocaOp>();
  return alloca && alloca.getType().hasStaticShape() && alloca->getNumOperands() == 0;
}

/// Whether `value` can be re-created inside a task from the function's arguments alone: an
/// argument, or a side-effect-free op (constant, view, global address, index arithmetic, a
/// vector mask such as a block's store mask hoisted out of the loop, a read of a constant
/// global) whose operands can be re-created too. Collects the ops to clone in `slice`,
/// operands first.
bool rematerializable(Value value, func::FuncOp func, SetVector<Operation *> &slice) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return arg.getOwner() == &func.getBody().front();
  Operation *op = value.getDefiningOp();
  if (slice.contains(op))
    return true;
  auto read = dyn_cast<vector::TransferReadOp>(op);
  bool cheap = op->hasTrait<OpTrait::ConstantLike>() || isa<ViewLikeOpInterface>(op) ||
               isa<memref::GetGlobalOp>(op) || (read && readsConstantGlobal(read)) ||
               (isa<arith::ArithDialect, vector::VectorDialect>(op->getDialect()) &&
                isMemoryEffectFree(op));
  if (!cheap || op->getNumRegions() != 0)
    return false;
  for (Value operand : op->getOperands())
    if (!rematerializable(operand, func, slice))
      return false;
  slice.insert(op);
  return true;
}

/// Whether every write in `loop` addresses memory through its induction variable, so that
/// iterations write apart (block loops write their own block). The loop over the chunks of a
/// long reduction writes the same blocks in every iteration and must stay sequential.
bool iterationsWriteApart(scf::ForOp loop) {
  // The values computed from the induction variable, in the order the body defines them.
  DenseSet<Value> derived{loop.getInductionVar()};
  auto isDerived = [&](Value value) { return derived.contains(value); };
  loop.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (llvm::any_of(op->getOperands(), isDerived))
      derived.insert(op->result_begin(), op->result_end());
  });
  WalkResult result = loop.getBody()->walk([&](Operation *op) {
    auto effects = dyn_cast<MemoryEffectOpInterface>(op);
    // An intrinsic on vectors and immediates (vpdpbusd, vcvtps2dq with its rounding) computes
    // registers from registers.
    if (auto intrinsic = dyn_cast<LLVM::CallIntrinsicOp>(op);
        intrinsic && llvm::all_of(op->getOperandTypes(), [](Type type) {
          return isa<VectorType>(type) || type.isSignlessInteger();
        }))
      return WalkResult::advance();
    // AMX's tile loads and zeroing write tile registers (their write effect keeps each in a
    // register of its own), not memory.
    if (isa<amx::TileZeroOp, amx::TileLoadOp>(op))
      return WalkResult::advance();
    // Unknown effects (a call) may write anywhere; nested regions are walked.
    if (!effects)
      return op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ||
                     op->hasTrait<OpTrait::IsTerminator>()
                 ? WalkResult::advance()
                 : WalkResult::interrupt();
    if (!effects.hasEffect<MemoryEffects::Write>())
      return WalkResult::advance();
    // The written address: every operand but a stored value. A block's scratch buffer is
    // each task's own.
    for (OpOperand &operand : op->getOpOperands()) {
      bool storedValue = isa<vector::TransferWriteOp, memref::StoreOp>(op) &&
                         operand.getOperandNumber() == 0;
      if (!storedValue && (isDerived(operand.get()) || isScratch(operand.get())))
        return WalkResult::advance();
    }
    return WalkResult::interrupt();
  });
  return !result.wasInterrupted();
}

/// Whether `loop` iterates a constant range of at least 2 iterations, has no results and
/// contains vector code: a loop over blocks (or over chunks of blocks).
bool isBlockLoopNest(scf::ForOp loop) {
  if (loop.getNumResults() != 0)
    return false;
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0 || (*ub - *lb + *step - 1) / *step < 2)
    return false;
  bool vectorCode = false;
  loop.walk([&](vector::TransferWriteOp) { vectorCode = true; });
  return vectorCode;
}

/// Loop iterations below which a structured op is not worth splitting across threads.
constexpr int64_t kMinParallelWork = 1 << 15;
/// Pieces a split op is cut into (enough for the pool to balance a few threads).
constexpr int64_t kPieces = 32;

/// Splits the outermost parallel dimension (of at least 2 iterations) of a large structured op
/// on buffers into a loop over pieces; returns that loop, or null when the op is small or has
/// no such dimension. The pieces write disjoint parts of the outputs, so they run in parallel.
scf::ForOp splitOuterLoop(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics())
    return {};
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return {};
  int64_t work = 1;
  for (int64_t range : ranges)
    work *= range;
  if (work < kMinParallelWork)
    return {};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  // The dimension must index every output, so that pieces write disjoint elements.
  auto indexesEveryOutput = [&](unsigned d) {
    return llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
      return op.getMatchingIndexingMap(&init).isFunctionOfDim(d);
    });
  };
  std::optional<unsigned> dim;
  for (auto [d, type] : llvm::enumerate(iterators))
    if (type == utils::IteratorType::parallel && ranges[d] >= 2 && indexesEveryOutput(d)) {
      dim = d;
      break;
    }
  if (!dim)
    return {};
  SmallVector<int64_t> sizes(ranges.size(), 0);
  sizes[*dim] = llvm::divideCeil(ranges[*dim], std::min(ranges[*dim], kPieces));
  IRRewriter rewriter(op.getContext());
  rewriter.setInsertionPoint(op);
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(op.getContext(), sizes));
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled) || tiled->loops.size() != 1)
    return {};
  rewriter.eraseOp(op);
  return cast<scf::ForOp>(tiled->loops.front().getOperation());
}

struct ParallelizeBlockLoopsPass
    : impl::ParallelizeBlockLoopsPassBase<ParallelizeBlockLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs)
      if (!func.isExternal())
        parallelize(func);
  }

  void parallelize(func::FuncOp func) {
    SmallVector<scf::ForOp> loops;
    for (Operation &op : llvm::make_early_inc_range(func.getBody().front())) {
      if (auto loop = dyn_cast<scf::ForOp>(op); loop && isBlockLoopNest(loop)) {
        if (iterationsWriteApart(loop)) {
          loops.push_back(loop);
          continue;
        }
        // A sequential loop (over reduction chunks): the block loops inside it run in
        // parallel, once per iteration.
        for (auto inner : loop.getBody()->getOps<scf::ForOp>())
          if (isBlockLoopNest(inner) && iterationsWriteApart(inner))
            loops.push_back(inner);
      } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
        if (scf::ForOp loop = splitOuterLoop(linalgOp))
          loops.push_back(loop);
      }
    }
    int index = 0;
    for (scf::ForOp loop : loops) {
      SetVector<Value> captured;
      getUsedValuesDefinedAbove(loop.getRegion(), captured);
      SetVector<Operation *> slice;
      SmallVector<Value> passed;
      bool outlinable = llvm::all_of(captured, [&](Value v) {
        if (rematerializable(v, func, slice))
          return true;
        // A scratch buffer the loop's blocks write: each task gets its own. (One the loop only
        // reads holds what was written before it.)
        if (isScratch(v)) {
          bool written = llvm::any_of(v.getUsers(), [&](Operation *user) {
            return loop->isAncestor(user) && hasEffect<MemoryEffects::Write>(user, v);
          });
          if (written)
            slice.insert(v.getDefiningOp());
          return written;
        }
        // An index computed by an enclosing loop (its induction variable) is passed.
        passed.push_back(v);
        return v.getType().isIndex();
      });
      if (outlinable)
        outline(func, loop, slice, passed, index++);
    }
  }

  /// Outlines `loop` into task `index`: the task takes the function's arguments, then the
  /// `passed` index values, then its range of iterations.
  void outline(func::FuncOp func, scf::ForOp loop, const SetVector<Operation *> &slice,
               ArrayRef<Value> passed, int index) {
    MLIRContext *ctx = func.getContext();
    Location loc = loop.getLoc();
    OpBuilder builder(ctx);
    SmallVector<Type> argTypes(func.getArgumentTypes());
    Type indexType = builder.getIndexType();
    std::string prefix = func.getSymName().str();

    // The task: (function arguments..., passed indices..., begin, end) runs iterations
    // [begin, end).
    for (Value value : passed)
      argTypes.push_back(value.getType());
    SmallVector<Type> taskTypes(argTypes);
    taskTypes.append({indexType, indexType});
    builder.setInsertionPointAfter(func);
    auto task = func::FuncOp::create(builder, loc, prefix + "_task" + std::to_string(index),
                                     builder.getFunctionType(taskTypes, {}));
    task.setPrivate();
    Block *body = task.addEntryBlock();
    builder.setInsertionPointToStart(body);
    IRMapping mapping;
    SmallVector<Value> operands(func.getArguments());
    llvm::append_range(operands, passed);
    for (auto [operand, taskArg] : llvm::zip(operands, body->getArguments()))
      mapping.map(operand, taskArg);
    // The slice holds each op after its operands (rematerializable inserts them so); its ops
    // may lie in different blocks (a read hoisted into an enclosing loop's body), where no
    // order by position exists.
    for (Operation *op : slice)
      builder.clone(*op, mapping);
    Value begin = body->getArgument(argTypes.size()), end = body->getArgument(argTypes.size() + 1);
    Value one = arith::ConstantIndexOp::create(builder, loc, 1);
    auto taskLoop = scf::ForOp::create(builder, loc, begin, end, one);
    builder.setInsertionPointToStart(taskLoop.getBody());
    int64_t lb = *getConstantIntValue(loop.getLowerBound());
    int64_t step = *getConstantIntValue(loop.getStep());
    Value scaled = arith::MulIOp::create(builder, loc, taskLoop.getInductionVar(),
                                         arith::ConstantIndexOp::create(builder, loc, step));
    Value iv = arith::AddIOp::create(builder, loc, scaled,
                                     arith::ConstantIndexOp::create(builder, loc, lb));
    mapping.map(loop.getInductionVar(), iv);
    for (Operation &op : loop.getBody()->without_terminator())
      builder.clone(op, mapping);
    builder.setInsertionPointToEnd(body);
    func::ReturnOp::create(builder, loc);

    // The dispatch: declared here, defined by code generation around dlc_rt_parallel_for.
    SmallVector<Type> dispatchTypes(argTypes);
    dispatchTypes.push_back(indexType);
    builder.setInsertionPointAfter(task);
    auto dispatch = func::FuncOp::create(builder, loc,
                                         prefix + "_dispatch" + std::to_string(index),
                                         builder.getFunctionType(dispatchTypes, {}));
    dispatch.setPrivate();

    int64_t ub = *getConstantIntValue(loop.getUpperBound());
    builder.setInsertionPoint(loop);
    operands.push_back(arith::ConstantIndexOp::create(builder, loc, (ub - lb + step - 1) / step));
    func::CallOp::create(builder, loc, dispatch, operands);
    loop.erase();
  }
};

} // namespace
} // namespace dlc::cpu
