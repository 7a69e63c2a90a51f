// The dlc-cpu-prefetch-panels pass: the register blocks of a product prefetch the next panel of
// its packed constant right-hand side, spread evenly over the blocks that read the current one
// (see Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_PREFETCHPANELSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

constexpr int64_t kCacheLineBytes = 64;
/// Row blocks per panel above which nothing is prefetched: the first block's read of a new
/// panel is then a small part of the panel's time, the hardware prefetcher keeps up, and the
/// prefetch instructions would only take load slots.
constexpr int64_t kMaxBlocksPerPanel = 32;

std::optional<int64_t> staticTripCount(scf::ForOp loop) {
  if (std::optional<APInt> trips = loop.getStaticTripCount())
    return trips->getSExtValue();
  return std::nullopt;
}

/// A read of one row of a packed panel: its base is a constant global [.., panels, K, NR], read
/// in `kLoop` at a panel index fixed in that loop and a row index that moves with it.
struct PanelRead {
  vector::TransferReadOp read;
  scf::ForOp kLoop;
};

std::optional<PanelRead> matchPanelRead(vector::TransferReadOp read) {
  auto type = dyn_cast<MemRefType>(read.getBase().getType());
  auto kLoop = read->getParentOfType<scf::ForOp>();
  if (!read.getBase().getDefiningOp<memref::GetGlobalOp>() || !kLoop || !type ||
      type.getRank() < 3 || !type.hasStaticShape())
    return std::nullopt;
  int64_t rank = type.getRank();
  ValueRange indices = read.getIndices();
  if (!kLoop.isDefinedOutsideOfLoop(indices[rank - 3]) ||
      kLoop.isDefinedOutsideOfLoop(indices[rank - 2]))
    return std::nullopt;
  auto rowLoop = kLoop->getParentOfType<scf::ForOp>();
  std::optional<int64_t> blocks = rowLoop ? staticTripCount(rowLoop) : std::nullopt;
  if (blocks && *blocks > kMaxBlocksPerPanel)
    return std::nullopt;
  return PanelRead{read, kLoop};
}

/// The row of the next panel that step k of row block r (of R) prefetches: the rows of the
/// k loop's range are dealt out in order over the R blocks, R steps per row, so the next panel
/// arrives at an even rate while the whole current one is used. Without an enclosing row loop
/// (or with one block), step k prefetches its own row of the next panel.
Value prefetchRow(OpBuilder &b, Location loc, PanelRead match, Value panel, Value row) {
  scf::ForOp kLoop = match.kLoop;
  auto rowLoop = kLoop->getParentOfType<scf::ForOp>();
  std::optional<int64_t> steps = staticTripCount(kLoop);
  std::optional<int64_t> blocks = rowLoop ? staticTripCount(rowLoop) : std::nullopt;
  if (!steps || !blocks || *blocks < 2 || !rowLoop.isDefinedOutsideOfLoop(panel) ||
      getConstantIntValue(kLoop.getStep()) != 1)
    return row;
  // first = (block index) * steps, computed once per block.
  OpBuilder outer(kLoop);
  Value block = arith::DivUIOp::create(
      outer, loc,
      arith::SubIOp::create(outer, loc, rowLoop.getInductionVar(), rowLoop.getLowerBound()),
      rowLoop.getStep());
  Value first = arith::MulIOp::create(outer, loc, block,
                                      arith::ConstantIndexOp::create(outer, loc, *steps));
  // row - k + (first + k) / R
  Value k = arith::SubIOp::create(b, loc, kLoop.getInductionVar(), kLoop.getLowerBound());
  Value dealt = arith::DivUIOp::create(b, loc, arith::AddIOp::create(b, loc, first, k),
                                       arith::ConstantIndexOp::create(b, loc, *blocks));
  return arith::AddIOp::create(b, loc, arith::SubIOp::create(b, loc, row, k), dealt);
}

void prefetchNextPanel(PanelRead match) {
  vector::TransferReadOp read = match.read;
  auto type = cast<MemRefType>(read.getBase().getType());
  int64_t rank = type.getRank();
  OpBuilder b(read);
  Location loc = read.getLoc();
  SmallVector<Value> indices(read.getIndices());
  // A read may span several panels (the blocks of a matrix-vector product): the next ones
  // are as many further on; the last prefetches itself.
  int64_t span = 1;
  if (std::optional<unsigned> position = read.getPermutationMap().getResultPosition(
          getAffineDimExpr(rank - 3, read.getContext())))
    span = read.getVectorType().getDimSize(*position);
  Value panel = indices[rank - 3], row;
  int64_t elementBytes = std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
  int64_t perLine = kCacheLineBytes / elementBytes;
  for (int64_t step = span; step < 2 * span; ++step) {
    Value next = arith::AddIOp::create(b, loc, panel,
                                       arith::ConstantIndexOp::create(b, loc, step));
    indices[rank - 3] = arith::MinUIOp::create(
        b, loc, next, arith::ConstantIndexOp::create(b, loc, type.getDimSize(rank - 3) - 1));
    if (!row)
      row = prefetchRow(b, loc, match, panel, indices[rank - 2]);
    indices[rank - 2] = row;
    for (int64_t column = 0; column < type.getDimSize(rank - 1); column += perLine) {
      indices[rank - 1] = arith::ConstantIndexOp::create(b, loc, column);
      memref::PrefetchOp::create(b, loc, read.getBase(), indices, /*isWrite=*/false,
                                 /*localityHint=*/3, /*isDataCache=*/true);
    }
  }
}

struct PrefetchPanelsPass : impl::PrefetchPanelsPassBase<PrefetchPanelsPass> {
  void runOnOperation() override {
    SmallVector<PanelRead> matches;
    getOperation().walk([&](vector::TransferReadOp read) {
      if (std::optional<PanelRead> match = matchPanelRead(read))
        matches.push_back(*match);
    });
    for (PanelRead match : matches)
      prefetchNextPanel(match);
  }
};

} // namespace
} // namespace dlc::cpu
