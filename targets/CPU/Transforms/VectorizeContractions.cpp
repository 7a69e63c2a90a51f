// The dlc-cpu-vectorize-contractions pass: register-block tiling and vectorization of matrix
// products (see Passes.td for the loop nest it builds and its preconditions).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/Contractions.h"
#include "targets/CPU/Transforms/VectorBody.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZECONTRACTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// The target's register blocks: vectors of `lanes` fp32 lanes (16 on AVX-512, 8 on AVX2), at
/// most `rows` rows by two vectors (8x32 on AVX-512's 32 registers, 6x16 on AVX2's 16), and the
/// L2 cache a long reduction's chunks are sized for, and the L3 a split product reads its
/// right-hand side from again.
struct Blocking {
  int64_t lanes = 16;
  int64_t rows = 8;
  int64_t l1Bytes = 48 << 10;
  int64_t l2Bytes = 1 << 20;
  int64_t l3Bytes = 32 << 20;
};

/// The register block width for `columns` columns (of a product, or of one part of a split
/// one): two vectors or one when that divides them, the columns themselves when fewer than one
/// vector; 0 when that many columns would need splitting first.
int64_t blockColumns(const Blocking &blocking, int64_t columns) {
  if (columns % (2 * blocking.lanes) == 0)
    return 2 * blocking.lanes;
  if (columns % blocking.lanes == 0)
    return blocking.lanes;
  return columns < blocking.lanes ? columns : 0;
}

/// The register block height for `rows` rows: all of them when they fit in one block, else the
/// first of 8, 7, 6, 4, 2, 1 that divides them and is at most the target's block rows (7: the
/// 49 positions of a 7x7 map).
int64_t blockRows(const Blocking &blocking, int64_t rows) {
  if (rows <= blocking.rows)
    return rows;
  for (int64_t mr : {8, 7, 6, 4, 2, 1})
    if (mr <= blocking.rows && rows % mr == 0)
      return mr;
  return 1;
}

/// Where to split `rows` rows so that most of them run in blocks of the target's full height,
/// or 0: when the best divisor is at most half that height plus one (64 rows on AVX2, whose
/// blocks are 6 high: 16 blocks of 4, or 10 of 6 and one of 4; 6x16 blocks ran a 1x1
/// convolution of 96 filters 1.27x faster than 4x16 ones on a Zen 3). The rest is left a
/// multiple of 4 where it can be (128 = 120 + 8, not 126 + 2: blocks of 2 rows hold too few
/// accumulators to hide the FMA latency); rows that 4 divides but no such split leaves (8 =
/// 6 + 2) stay whole, in blocks of 4.
int64_t rowSplit(const Blocking &blocking, int64_t rows) {
  if (rows <= blocking.rows || blockRows(blocking, rows) > blocking.rows / 2 + 1)
    return 0;
  int64_t split = rows / blocking.rows * blocking.rows;
  for (int64_t candidate = split; candidate > 0; candidate -= blocking.rows)
    if ((rows - candidate) % 4 == 0)
      return candidate;
  return rows % 4 == 0 ? 0 : split;
}

/// Whether the result is indexed [.., column, row]: the vector dimension second-innermost.
bool isTransposedResult(linalg::LinalgOp op, const linalg::ContractionDimensions &dims) {
  ArrayRef<AffineExpr> results =
      op.getMatchingIndexingMap(op.getDpsInitOperand(0)).getResults();
  MLIRContext *ctx = op.getContext();
  return results.size() >= 2 && results.back() == getAffineDimExpr(dims.m.back(), ctx) &&
         results[results.size() - 2] == getAffineDimExpr(dims.n.back(), ctx);
}

/// Tile sizes of the register block (NR = `columnBlock` when given), or failure when the op
/// does not qualify. The row dimension is the innermost M dimension (tiled by MR), the vector
/// dimension the innermost N dimension, which must be the result's innermost (tiled by NR,
/// contiguous); every other parallel dimension (batch, outer M or N dimensions such as a
/// broadcast batch of 1) is tiled by 1. Reductions stay whole: the second tiling splits them
/// by 1.
FailureOr<SmallVector<int64_t>> blockTileSizes(const Blocking &blocking, linalg::LinalgOp op,
                                               const linalg::ContractionDimensions &dims,
                                               int64_t columnBlock = 0) {
  if (dims.m.empty() || dims.n.empty() || dims.k.empty())
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  unsigned row = dims.m.back(), column = dims.n.back();
  // The vector dimension must be the innermost dimension of the result, so NR columns are
  // contiguous in memory, or the result is transposed ([.., column, row]): its blocks are
  // then read and written through a transposing map, once each, outside the reduction.
  if (!isTransposedResult(op, dims) &&
      op.getMatchingIndexingMap(op.getDpsInitOperand(0)).getResults().back() !=
          getAffineDimExpr(column, op.getContext()))
    return failure();
  int64_t columns = ranges[column];
  int64_t nr = columnBlock ? columnBlock : blockColumns(blocking, columns);
  int64_t mr = blockRows(blocking, ranges[row]);
  if (!nr)
    return failure();
  SmallVector<int64_t> sizes(ranges.size(), 0);
  for (auto [dim, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if (type == utils::IteratorType::parallel)
      sizes[dim] = 1;
  sizes[row] = mr;
  sizes[column] = nr;
  // A block of the only row or two (a matrix-vector product) holds too few accumulators to
  // hide the FMA latency. Where the columns come in packed panels (the rhs indexed [.., panel,
  // k, column]), such a block spans several panels, up to 8 accumulators (MobileNetV2's
  // classifier, 1 x 1280 x 1000: 1x48 blocks instead of 1x16).
  AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  int64_t accumulators = mr * std::max<int64_t>(nr / blocking.lanes, 1);
  if (ranges[row] == mr && accumulators < 8 && dims.n.size() >= 2 &&
      rhsMap.getNumResults() >= 3) {
    unsigned panels = dims.n[dims.n.size() - 2];
    if (rhsMap.getResult(rhsMap.getNumResults() - 3) ==
        getAffineDimExpr(panels, op.getContext()))
      for (int64_t group = 8 / accumulators; group > 1; --group)
        if (ranges[panels] % group == 0) {
          sizes[panels] = group;
          break;
        }
  }
  return sizes;
}

FailureOr<Operation *> tile(RewriterBase &rewriter, TilingInterface op, ArrayRef<int64_t> sizes,
                           ArrayRef<int64_t> interchange = {}) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setInterchange(interchange);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(rewriter, op, options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.back();
}

/// `consumer` tiled by `sizes` and `interchange` (in its own loops) with the producers in
/// `fusable` (nulls ignored) fused into each tile: its results are replaced, and the ops of
/// `erase` that are then unused are erased. Returns the tiled contraction (the op with
/// reductions); `stages` receives the other tiled ops, to vectorize.
FailureOr<Operation *> tileAndFuse(RewriterBase &rewriter, Operation *consumer,
                                   ArrayRef<int64_t> sizes, ArrayRef<int64_t> interchange,
                                   ArrayRef<Operation *> fusable, ArrayRef<Operation *> erase,
                                   SmallVectorImpl<Operation *> &stages) {
  scf::SCFTileAndFuseOptions options;
  // A split epilogue reads a slice of the product; slices of slices merge, so the product's
  // block is fused through both.
  RewritePatternSet cleanup(rewriter.getContext());
  tensor::populateMergeConsecutiveInsertExtractSlicePatterns(cleanup);
  options.cleanupPatterns = FrozenRewritePatternSet(std::move(cleanup));
  options.tilingOptions.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.tilingOptions.setInterchange(interchange);
  // Only these producers: fusing those of other operands (a residual input, say) would
  // recompute them per block.
  options.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer,
          bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (llvm::is_contained(fusable, producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  FailureOr<scf::SCFTileAndFuseResult> fused = scf::tileConsumerAndFuseProducersUsingSCF(
      rewriter, cast<TilingInterface>(consumer), options);
  if (failed(fused))
    return failure();
  // Without the product among the tiled ops the original ops stay in use (the tiled loops,
  // unused, are cleaned up later), so a caller can still compute them another way.
  Operation *contraction = nullptr;
  SmallVector<Operation *> tiledStages;
  for (Operation *tiled : fused->tiledAndFusedOps) {
    auto linalgOp = dyn_cast<linalg::LinalgOp>(tiled);
    if (linalgOp && linalgOp.getNumReductionLoops() > 0)
      contraction = tiled;
    else
      tiledStages.push_back(tiled);
  }
  if (!contraction)
    return failure();
  stages.append(tiledStages);
  for (OpResult result : consumer->getResults())
    rewriter.replaceAllUsesWith(result, fused->replacements.lookup(result));
  for (Operation *dead : erase)
    if (dead && dead->use_empty())
      rewriter.eraseOp(dead);
  return contraction;
}

/// `op` tiled by `sizes` with the op computing its initial value (a bias broadcast, a fill) fused
/// into each tile where only `op` reads it: blocks then start from the bias rather than from a
/// buffer filled with it in a pass of its own (the 7x7 stem's 3 MiB result written twice).
/// Returns the tiled `op`; `stages` receives the tiled init, to vectorize.
FailureOr<Operation *> tileWithInit(RewriterBase &rewriter, linalg::LinalgOp op,
                                    ArrayRef<int64_t> sizes, ArrayRef<int64_t> interchange,
                                    SmallVectorImpl<Operation *> &stages) {
  Operation *init = op.getDpsInits()[0].getDefiningOp();
  if (!init || !isa<linalg::LinalgOp>(init) ||
      llvm::any_of(init->getUsers(), [&](Operation *user) { return user != op.getOperation(); }))
    return tile(rewriter, cast<TilingInterface>(op.getOperation()), sizes, interchange);
  return tileAndFuse(rewriter, op, sizes, interchange, {init}, {op.getOperation(), init},
                     stages);
}

/// The elementwise op applied to the contraction's result, if it can run on each register block:
/// an all-parallel linalg.generic that is the result's only user and reads it with an identity
/// map in the result's own shape (dlc-cpu-align-epilogues moves reshapes out of the way).
linalg::GenericOp findEpilogue(linalg::LinalgOp op) {
  Value result = op->getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  OpOperand &use = *result.getUses().begin();
  auto consumer = dyn_cast<linalg::GenericOp>(use.getOwner());
  if (!consumer || !consumer.hasPureTensorSemantics() || consumer.getNumDpsInits() != 1 ||
      consumer.isDpsInit(&use) || consumer.getNumLoops() != consumer.getNumParallelLoops() ||
      !consumer.getMatchingIndexingMap(&use).isIdentity() ||
      !consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0)).isIdentity() ||
      hasBoolOperand(consumer) || failed(linalg::vectorizeOpPrecondition(consumer)))
    return nullptr;
  return consumer;
}

/// Tiles `epilogue` into the register blocks `sizes` (given in `op`'s loops) and fuses `op`, and
/// the op computing its initial value, into each block. Returns the tiled contraction; `stages`
/// receives the tiled elementwise ops, to vectorize.
FailureOr<Operation *> tileWithEpilogue(RewriterBase &rewriter, linalg::LinalgOp op,
                                        linalg::GenericOp epilogue, ArrayRef<int64_t> sizes,
                                        ArrayRef<int64_t> interchange,
                                        SmallVectorImpl<Operation *> &stages) {
  // The epilogue's loops are the contraction's result dimensions.
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  SmallVector<int64_t> epilogueSizes, epilogueInterchange;
  for (unsigned r = 0; r < out.getNumResults(); ++r)
    epilogueSizes.push_back(sizes[out.getDimPosition(r)]);
  for (int64_t dim : interchange)
    if (std::optional<unsigned> r = out.getResultPosition(getAffineDimExpr(dim, op.getContext())))
      epilogueInterchange.push_back(*r);
  // The init is fused too when only the product reads it, or slices left by fusing it into
  // the blocks of another part of a split product.
  Operation *init = op.getDpsInits()[0].getDefiningOp();
  if (init && !(isa<linalg::LinalgOp>(init) &&
                llvm::all_of(init->getUsers(), [&](Operation *user) {
                  return user == op.getOperation() || isa<tensor::ExtractSliceOp>(user);
                })))
    init = nullptr;

  return tileAndFuse(rewriter, epilogue, epilogueSizes, epilogueInterchange,
                     {op.getOperation(), init}, {epilogue.getOperation(), op.getOperation(), init},
                     stages);
}

/// The order of the block loops: column blocks outside row blocks, so one panel of the
/// right-hand side (K x NR) stays in cache while every row block uses it, and the left-hand side
/// is the operand read again per panel (M*K*N/NR elements rather than K*N*M/MR the other way
/// round). With only a few column blocks the right-hand side is small anyway, and the row loop
/// goes outside instead, so the outer loop has enough iterations to share among threads.
SmallVector<int64_t> blockInterchange(linalg::LinalgOp op,
                                      const linalg::ContractionDimensions &dims,
                                      ArrayRef<int64_t> sizes) {
  unsigned row = dims.m.back(), column = dims.n.back();
  // Blocks along all column dimensions (a packed product splits them into panels x columns).
  int64_t columnBlocks = 1;
  for (unsigned n : dims.n)
    columnBlocks *= op.getStaticLoopRanges()[n];
  columnBlocks /= sizes[column];
  SmallVector<int64_t> interchange;
  if (columnBlocks >= 4) {
    for (int64_t d = 0; d < int64_t(sizes.size()); ++d)
      if (d != row)
        interchange.push_back(d);
    interchange.insert(llvm::find(interchange, column) + 1, row);
  }
  return interchange;
}

/// Vectorizes the tiled elementwise `stages` (an epilogue, an init) where they qualify.
void vectorizeStages(RewriterBase &rewriter, ArrayRef<Operation *> stages) {
  for (Operation *stage : stages) {
    rewriter.setInsertionPoint(stage);
    FailureOr<linalg::VectorizationResult> vectorizedStage = linalg::vectorize(rewriter, stage);
    if (succeeded(vectorizedStage))
      rewriter.replaceOp(stage, vectorizedStage->replacements);
  }
}

/// Vectorizes the tiled elementwise `stages`, then tiles the register block `block` by 1 along
/// the reductions and vectorizes that step.
void vectorizeBlock(RewriterBase &rewriter, FailureOr<Operation *> block,
                    ArrayRef<Operation *> stages, const linalg::ContractionDimensions &dims) {
  vectorizeStages(rewriter, stages);
  if (failed(block))
    return;
  SmallVector<int64_t> reductionSizes(cast<linalg::LinalgOp>(*block).getNumLoops(), 0);
  for (unsigned k : dims.k)
    reductionSizes[k] = 1;
  rewriter.setInsertionPoint(*block);
  FailureOr<Operation *> step = tile(rewriter, cast<TilingInterface>(*block), reductionSizes);
  if (failed(step))
    return;
  rewriter.setInsertionPoint(*step);
  FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(rewriter, *step);
  if (failed(vectorized))
    return;
  rewriter.replaceOp(*step, vectorized->replacements);
}

/// Rows of a dot-product block (on AVX-512; half as many with 16 registers).
constexpr int64_t kDotRows = 4;

/// Computes a product with fewer columns than a vector's L lanes as dot products along the
/// reduction: the narrow part left by a column split (196 positions = 192 + 4 on AVX-512). As
/// register blocks, 4 columns would need one broadcast per row and k for 4 multiply-adds, as
/// costly per step as 16 or 32 columns. Here the rhs columns are transposed into rows ([.., N,
/// K], N x K elements) and each block of 4 rows (2 on AVX2) x N columns keeps a vector of
/// partial sums per row and column over L consecutive k, reading the lhs rows and the
/// transposed rhs rows L contiguous elements at a time; the L partial sums are added up once
/// per block (s3 3x3 convolution of ResNet-50, 256 filters, 196 positions, AVX-512: 1.00 ->
/// 0.96 ms). Applies (fitsDotProducts) with one reduction dimension, the lhs and the rhs
/// indexed [.., row, k] and [.., k, column], L dividing K and 4 the rows.
bool fitsDotProducts(const Blocking &blocking, linalg::LinalgOp op,
                     const linalg::ContractionDimensions &dims, int64_t columns) {
  if (dims.k.size() != 1 || op.getNumDpsInputs() != 2 || !isa<linalg::GenericOp>(op))
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned k = dims.k[0], row = dims.m.back(), column = dims.n.back();
  if (ShapedType::isDynamic(ranges[k]) || ranges[k] % blocking.lanes != 0 ||
      ranges[row] % kDotRows != 0 || columns >= blocking.lanes)
    return false;
  MLIRContext *ctx = op.getContext();
  AffineMap lhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  int64_t rhsRank = rhsMap.getNumResults();
  return lhsMap.isProjectedPermutation() && rhsMap.isProjectedPermutation() && rhsRank >= 2 &&
         lhsMap.getResults().back() == getAffineDimExpr(k, ctx) &&
         rhsMap.getResult(rhsRank - 1) == getAffineDimExpr(column, ctx) &&
         rhsMap.getResult(rhsRank - 2) == getAffineDimExpr(k, ctx);
}

void vectorizeAsDotProducts(const Blocking &blocking, RewriterBase &rewriter,
                            linalg::GenericOp op, const linalg::ContractionDimensions &dims) {
  MLIRContext *ctx = op.getContext();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned k = dims.k[0], row = dims.m.back(), column = dims.n.back();
  AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
  auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
  int64_t rhsRank = rhsMap.getNumResults();

  // rhsT[.., column, k] = rhs[.., k, column].
  rewriter.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value rhs = op.getDpsInputOperand(1)->get();
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  SmallVector<int64_t> permutation = llvm::to_vector(llvm::seq<int64_t>(0, rhsRank));
  std::swap(permutation[rhsRank - 1], permutation[rhsRank - 2]);
  SmallVector<int64_t> transposedShape(rhsType.getShape());
  std::swap(transposedShape[rhsRank - 1], transposedShape[rhsRank - 2]);
  Value empty = tensor::EmptyOp::create(rewriter, loc, transposedShape,
                                        rhsType.getElementType());
  Value rhsT =
      linalg::TransposeOp::create(rewriter, loc, rhs, empty, permutation).getResult()[0];
  SmallVector<AffineExpr> rhsTExprs(rhsMap.getResults());
  std::swap(rhsTExprs[rhsRank - 1], rhsTExprs[rhsRank - 2]);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps[1] = AffineMap::get(op.getNumLoops(), 0, rhsTExprs, ctx);
  // The reduction becomes the innermost loop, so that vectors run along it.
  unsigned numLoops = op.getNumLoops();
  SmallVector<unsigned> position(numLoops);
  SmallVector<utils::IteratorType> iterators;
  SmallVector<utils::IteratorType> oldIterators = op.getIteratorTypesArray();
  for (unsigned d = 0, next = 0; d < numLoops; ++d)
    if (d != k) {
      position[d] = next++;
      iterators.push_back(oldIterators[d]);
    }
  position[k] = numLoops - 1;
  iterators.push_back(utils::IteratorType::reduction);
  SmallVector<AffineExpr> oldInNew;
  for (unsigned d = 0; d < numLoops; ++d)
    oldInNew.push_back(dim(position[d]));
  AffineMap reorder = AffineMap::get(numLoops, 0, oldInNew, ctx);
  for (AffineMap &map : maps)
    map = map.compose(reorder);
  row = position[row];
  column = position[column];
  k = position[k];
  SmallVector<int64_t> oldRanges = ranges;
  for (unsigned d = 0; d < numLoops; ++d)
    ranges[position[d]] = oldRanges[d];
  auto dot = linalg::GenericOp::create(rewriter, loc, op.getResultTypes(),
                                       ValueRange{op.getDpsInputOperand(0)->get(), rhsT},
                                       op.getDpsInits(), maps, iterators);
  rewriter.inlineRegionBefore(op.getRegion(), dot.getRegion(), dot.getRegion().end());
  rewriter.replaceOp(op, dot.getResults());

  // Blocks of kDotRows rows (half on AVX2) and every column, then the reduction in steps of
  // one vector whose partial sums stay apart until the block is done.
  SmallVector<int64_t> blockSizes(ranges.size(), 0);
  for (auto [d, type] : llvm::enumerate(dot.getIteratorTypesArray()))
    if (type == utils::IteratorType::parallel)
      blockSizes[d] = 1;
  blockSizes[row] = blocking.lanes >= 16 ? kDotRows : kDotRows / 2;
  blockSizes[column] = ranges[column];
  FailureOr<Operation *> block = tile(rewriter, cast<TilingInterface>(dot.getOperation()),
                                      blockSizes);
  if (failed(block))
    return;
  scf::SCFTilingOptions options;
  SmallVector<int64_t> stepSizes(ranges.size(), 0);
  stepSizes[k] = blocking.lanes;
  options.setTileSizes(getAsIndexOpFoldResult(ctx, stepSizes));
  options.setReductionTilingStrategy(ReductionTilingStrategy::PartialReductionOuterReduction);
  options.setReductionDims({k});
  rewriter.setInsertionPoint(*block);
  FailureOr<scf::SCFTilingResult> steps =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(*block), options);
  if (failed(steps))
    return;
  rewriter.replaceOp(*block, steps->replacements);
  SmallVector<Operation *> toVectorize(steps->tiledOps);
  llvm::append_range(toVectorize, steps->mergeOps);
  for (Value init : steps->initialValues)
    if (Operation *fill = init.getDefiningOp())
      toVectorize.push_back(fill);
  for (Operation *tiled : toVectorize) {
    if (!isa<linalg::LinalgOp>(tiled))
      continue;
    rewriter.setInsertionPoint(tiled);
    FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(rewriter, tiled);
    if (succeeded(vectorized))
      rewriter.replaceOp(tiled, vectorized->replacements);
  }
}

/// Computes the columns of `op` that `part` (a narrow part of its split consumer) reads as dot
/// products of their own; `part` stays a separate elementwise op over those few columns.
LogicalResult dotProductsForPart(const Blocking &blocking, RewriterBase &rewriter,
                                 linalg::LinalgOp op,
                                 const linalg::ContractionDimensions &dims,
                                 TilingInterface part) {
  for (Value input : cast<linalg::LinalgOp>(part.getOperation()).getDpsInputs()) {
    auto slice = input.getDefiningOp<tensor::ExtractSliceOp>();
    if (!slice || slice.getSource() != op->getResult(0))
      continue;
    rewriter.setInsertionPoint(slice);
    FailureOr<TilingResult> columns =
        cast<TilingInterface>(op.getOperation())
            .generateResultTileValue(rewriter, 0, slice.getMixedOffsets(),
                                     slice.getMixedSizes());
    if (failed(columns) || columns->tiledOps.empty())
      return failure();
    rewriter.replaceOp(slice, columns->tiledValues[0]);
    vectorizeAsDotProducts(blocking, rewriter, cast<linalg::GenericOp>(columns->tiledOps.back()),
                           dims);
    return success();
  }
  return failure();
}

/// A product with an elementwise consumer whose columns (or, with `alongRows`, rows) `split`
/// divides the bulk of: the consumer is split at the same column (row), and each part gets the
/// product's matching columns (rows) fused into its register blocks, so the split keeps its
/// epilogue. Fails (changing nothing) when the remaining columns would need another split.
LogicalResult vectorizeSplitWithEpilogue(const Blocking &blocking, RewriterBase &rewriter,
                                         linalg::LinalgOp op,
                                         const linalg::ContractionDimensions &dims,
                                         linalg::GenericOp epilogue, int64_t split,
                                         bool alongRows = false) {
  unsigned dim = alongRows ? dims.m.back() : dims.n.back();
  int64_t extent = op.getStaticLoopRanges()[dim];
  auto blockOf = [&](int64_t width) {
    return alongRows ? blockRows(blocking, width) : blockColumns(blocking, width);
  };
  if (!blockOf(split) || !blockOf(extent - split))
    return failure();
  FailureOr<SmallVector<int64_t>> sizes =
      blockTileSizes(blocking, op, dims, alongRows ? 0 : blockColumns(blocking, split));
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  std::optional<unsigned> epilogueDim =
      out.getResultPosition(getAffineDimExpr(dim, op.getContext()));
  if (failed(sizes) || !epilogueDim)
    return failure();
  SmallVector<int64_t> interchange = blockInterchange(op, dims, *sizes);
  rewriter.setInsertionPoint(epilogue);
  auto [first, second] = linalg::splitOp(rewriter, cast<TilingInterface>(epilogue.getOperation()),
                                         *epilogueDim, rewriter.getIndexAttr(split));
  for (auto [part, width] : {std::pair{first, split}, std::pair{second, extent - split}}) {
    if (!part)
      continue;
    if (!alongRows && fitsDotProducts(blocking, op, dims, width) &&
        succeeded(dotProductsForPart(blocking, rewriter, op, dims, part)))
      continue;
    (*sizes)[dim] = blockOf(width);
    SmallVector<Operation *> stages;
    rewriter.setInsertionPoint(part);
    FailureOr<Operation *> block =
        tileWithEpilogue(rewriter, op, cast<linalg::GenericOp>(part.getOperation()), *sizes,
                         interchange, stages);
    vectorizeBlock(rewriter, block, stages, dims);
  }
  return success();
}

/// The reduction length kc that a long reduction is cut into, or 0 to keep it whole. The
/// chunks run outermost, each register block accumulating kc steps at a time; kc divides K (so
/// blocks keep static shapes) and is at least 64. What must stay in cache across the blocks of
/// a chunk depends on their order (blockInterchange):
/// - column blocks outside row blocks: every row block of a column panel reads that panel's
///   slice (kc x NR), and every panel the left-hand side's slice (M x kc) again. Chunked once
///   the panel (K x NR) exceeds a quarter of L2, kc the largest whose slices (kc x (NR + M))
///   fit half of it;
/// - row blocks outside: each row block reads the right-hand side whole, which must stay in
///   cache while the left-hand side streams past. Chunked once the right-hand side (K x N)
///   exceeds half of L2, kc the largest whose slice (kc x N) and row block (MR x kc) fit 3/4
///   of L1. Sized for L2, the slice's rows (N floats apart) cost more line fills than the
///   FMAs could hide (a 3x3 convolution of 512 filters on 7x7 took 4.8 ms in chunks of 1152,
///   2.9 in chunks of 96, 3% more in chunks of 72, Zen 3); unchunked, 1x1 convolutions of
///   2048 channels to 512 on 7x7 read their 400 KiB input from L3 for every 6 rows (1.24x the
///   time of chunks of 64).
/// Either way a left-hand side larger than L2 is chunked too: the remainder parts of a split
/// product (vectorizeContraction) would read it again from L3 (a 1x1 convolution of 512
/// channels to 2048 on 7x7: its 49th position cost an eighth of the whole). With
/// `columnsOfPart`, the chunk of a part of `op` that many columns wide.
int64_t reductionChunk(const Blocking &blocking, linalg::LinalgOp op,
                       const linalg::ContractionDimensions &dims, int64_t nr,
                       bool rowsOutside, int64_t columnsOfPart = 0) {
  if (dims.k.size() != 1)
    return 0;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t k = ranges[dims.k[0]];
  int64_t rows = 1, columns = 1;
  for (unsigned m : dims.m)
    rows *= ranges[m];
  for (unsigned n : dims.n)
    columns *= ranges[n];
  if (columnsOfPart)
    columns = columnsOfPart;
  int64_t bytes =
      getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType()).getIntOrFloatBitWidth() / 8;
  int64_t limit;
  if (rowsOutside) {
    if (k * columns * bytes <= blocking.l2Bytes / 2 && k * rows * bytes <= blocking.l2Bytes)
      return 0;
    limit = blocking.l1Bytes * 3 / 4 / ((columns + blocking.rows) * bytes);
  } else {
    if (k * nr * bytes <= blocking.l2Bytes / 4 && k * rows * bytes <= blocking.l2Bytes)
      return 0;
    limit = blocking.l2Bytes / 2 / ((nr + rows) * bytes);
  }
  for (int64_t chunk = std::min(std::max<int64_t>(limit, 64), k / 2); chunk >= 64; --chunk)
    if (k % chunk == 0)
      return chunk;
  return 0;
}

/// `op` with its reduction tiled by `chunk`: the chunk loop, carrying the result, around the
/// op over one chunk, which is returned.
FailureOr<Operation *> chunkReduction(RewriterBase &rewriter, linalg::LinalgOp op,
                                      const linalg::ContractionDimensions &dims, int64_t chunk) {
  SmallVector<int64_t> sizes(op.getNumLoops(), 0);
  sizes[dims.k.back()] = chunk;
  rewriter.setInsertionPoint(op);
  return tile(rewriter, cast<TilingInterface>(op.getOperation()), sizes);
}

/// `op` tiled by `sizes` (0: whole), with its elementwise `epilogue` and initial value fused
/// into each tile: the loop over the tiles around the product of one, which is returned with
/// its epilogue still to vectorize.
FailureOr<Operation *> tileOuter(RewriterBase &rewriter, linalg::LinalgOp op,
                                 linalg::GenericOp epilogue, ArrayRef<int64_t> sizes) {
  SmallVector<Operation *> stages;
  if (epilogue) {
    // The init fused here is fused again into the register blocks inside the tile.
    rewriter.setInsertionPoint(epilogue);
    return tileWithEpilogue(rewriter, op, epilogue, sizes, {}, stages);
  }
  // Without an epilogue the blocks read slices of the init, which runs per tile.
  rewriter.setInsertionPoint(op);
  FailureOr<Operation *> block = tileWithInit(rewriter, op, sizes, {}, stages);
  vectorizeStages(rewriter, stages);
  return block;
}

/// `op` tiled into column blocks of `nr` (every column dimension; the others whole): see
/// tileOuter.
FailureOr<Operation *> tileColumnBlocks(RewriterBase &rewriter, linalg::LinalgOp op,
                                        const linalg::ContractionDimensions &dims,
                                        linalg::GenericOp epilogue, int64_t nr) {
  SmallVector<int64_t> sizes(op.getNumLoops(), 0);
  for (unsigned n : dims.n)
    sizes[n] = 1;
  sizes[dims.n.back()] = nr;
  return tileOuter(rewriter, op, epilogue, sizes);
}

/// The rows of the chunks a product with column blocks outside row blocks is cut into, or 0:
/// where its left-hand side exceeds L2 while a column panel (K x NR) fits a quarter of it, the
/// largest multiple of the block height dividing the rows whose slice of the left-hand side
/// fits half of L2 (and holds at least 4 row blocks). Each chunk then reads its rows from L2
/// for every panel, and the panels once per chunk from L3; cutting the reduction instead
/// (reductionChunk) read and wrote the whole result again per chunk (1024x1024x1024 with
/// constant weights: 8 chunks of 128, 60% of the FMA peak on an Intel Xeon, Emerald Rapids).
int64_t rowChunk(const Blocking &blocking, linalg::LinalgOp op,
                 const linalg::ContractionDimensions &dims, int64_t nr) {
  if (dims.k.size() != 1 || op.hasDynamicShape())
    return 0;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t k = ranges[dims.k[0]], rows = ranges[dims.m.back()];
  int64_t bytes =
      getElementTypeOrSelf(op.getDpsInitOperand(0)->get().getType()).getIntOrFloatBitWidth() / 8;
  SmallVector<int64_t> sizes(op.getNumLoops(), 1);
  sizes[dims.n.back()] = nr;
  if (blockInterchange(op, dims, sizes).empty() || k * nr * bytes > blocking.l2Bytes / 4 ||
      k * rows * bytes <= blocking.l2Bytes)
    return 0;
  for (int64_t mc = blocking.l2Bytes / 2 / (k * bytes) / blocking.rows * blocking.rows;
       mc >= 4 * blocking.rows; mc -= blocking.rows)
    if (rows % mc == 0)
      return mc;
  return 0;
}

/// Bytes of the right-hand side of a product (its second input).
int64_t rhsBytes(linalg::LinalgOp op) {
  auto type = cast<ShapedType>(op.getDpsInputOperand(1)->get().getType());
  return type.getNumElements() * type.getElementTypeBitWidth() / 8;
}

/// Tiles one contraction into register blocks and vectorizes the innermost step.
/// When the block width does not divide its columns, it is first split into a part that it
/// divides and the remaining columns, and each part is vectorized on its own (no masking
/// needed).
void vectorizeContraction(const Blocking &blocking, RewriterBase &rewriter, linalg::LinalgOp op) {
  FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
  if (failed(dims) || dims->n.empty())
    return;
  unsigned column = dims->n.back();
  int64_t columns = op.getStaticLoopRanges()[column];
  int64_t wide = 2 * blocking.lanes, narrow = blocking.lanes;
  int64_t split = columns > wide && columns % wide != 0       ? columns / wide * wide
                  : columns > narrow && columns % narrow != 0 ? columns / narrow * narrow
                                                              : 0;
  // A long reduction is cut into chunks. With row blocks outside, the whole product is cut
  // first: the parts it is split into below (a column or row remainder) then run inside each
  // chunk and read the left-hand side's slice that the bulk has just brought into cache (split
  // first, a 1x1 convolution of 2048 channels on 7x7 computed its 49th column from 4 MiB of
  // filters in L3). With column blocks outside, the parts are chunked each (below): the narrow
  // remainder of 196 positions (192 + 4, as dot products) cut into chunks added up its
  // partial sums once per chunk, which cost more than reading the lhs again once.
  bool chunked = false;
  linalg::GenericOp epilogue = findEpilogue(op);
  if (!ShapedType::isDynamic(columns) && !fitsDotProducts(blocking, op, *dims, columns)) {
    int64_t nr = blockColumns(blocking, split ? split : columns);
    // A left-hand side too large for L2 is cut into chunks of rows first, each computed whole.
    if (int64_t mc = rowChunk(blocking, op, *dims, nr ? nr : wide)) {
      SmallVector<int64_t> chunkSizes(op.getNumLoops(), 0);
      for (unsigned m : dims->m)
        chunkSizes[m] = 1;
      chunkSizes[dims->m.back()] = mc;
      rewriter.setInsertionPoint(epilogue ? epilogue.getOperation() : op.getOperation());
      FailureOr<Operation *> rowsOfChunk = tileOuter(rewriter, op, epilogue, chunkSizes);
      if (succeeded(rowsOfChunk))
        return vectorizeContraction(blocking, rewriter, cast<linalg::LinalgOp>(*rowsOfChunk));
      // Not tiled: the product is left as it was and blocked whole below.
    }
    SmallVector<int64_t> sizes(op.getNumLoops(), 1);
    sizes[column] = nr ? nr : wide;
    bool rowsOutside = blockInterchange(op, *dims, sizes).empty();
    int64_t chunk = reductionChunk(blocking, op, *dims, sizes[column], rowsOutside);
    if (chunk && rowsOutside) {
      FailureOr<Operation *> inner = chunkReduction(rewriter, op, *dims, chunk);
      if (succeeded(inner))
        return vectorizeContraction(blocking, rewriter, cast<linalg::LinalgOp>(*inner));
      chunk = 0;
    }
    chunked = chunk != 0;
  }
  // An elementwise consumer (and the op computing the initial value) run on each block too,
  // so the product is written once, after its activation or residual add. Not where the
  // reduction is cut into chunks, though: each chunk leaves its partial sums unfinished, so
  // the consumer runs afterwards, over the finished result (once per element; a split product
  // with its epilogue fused kept its reduction whole: a 3x3 convolution of 512 filters on 7x7
  // and a ReLU read its whole 900 KiB of columns from L3 for every 4 rows, 1.9x the time of
  // the product chunked and the ReLU apart, Zen 3).
  if (chunked)
    epilogue = nullptr;
  if (!ShapedType::isDynamic(columns) && split) {
    if (epilogue &&
        succeeded(vectorizeSplitWithEpilogue(blocking, rewriter, op, *dims, epilogue, split)))
      return;
    rewriter.setInsertionPoint(op);
    auto [whole, rest] = linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                                         column, rewriter.getIndexAttr(split));
    if (whole)
      vectorizeContraction(blocking, rewriter, cast<linalg::LinalgOp>(whole.getOperation()));
    if (rest)
      vectorizeContraction(blocking, rewriter, cast<linalg::LinalgOp>(rest.getOperation()));
    return;
  }
  if (!ShapedType::isDynamic(columns) && fitsDotProducts(blocking, op, *dims, columns)) {
    vectorizeAsDotProducts(blocking, rewriter, cast<linalg::GenericOp>(op.getOperation()), *dims);
    return;
  }
  FailureOr<SmallVector<int64_t>> sizes = blockTileSizes(blocking, op, *dims);
  if (failed(sizes))
    return;
  // Rows that only short blocks divide are split too, the bulk into blocks of full height, where
  // the right-hand side is computed (a convolution's columns: each step of a block reads a row
  // of them far from the last, and taller blocks read fewer; 1x1 convolution of 64 filters on
  // 56x56, Zen 3: 1.25x faster) and small enough to stay in L3 for the second part. A packed
  // constant one is read in contiguous panels already, and there the split parts took 1.6x as
  // long as 4-row blocks alone (128x768x768, Zen 3); but not as long as 1- or 2-row blocks
  // (197 rows, which nothing divides: 197x768x768 3.1x faster split 192 + 5, Zen 3).
  unsigned row = dims->m.back();
  bool computedRhs = !op.getDpsInputOperand(1)->get().getDefiningOp<arith::ConstantOp>();
  int64_t allRows = op.getStaticLoopRanges()[row];
  int64_t rows = (computedRhs && rhsBytes(op) < blocking.l3Bytes / 2) ||
                         blockRows(blocking, allRows) < 4
                     ? rowSplit(blocking, allRows)
                     : 0;
  if (rows && !blockInterchange(op, *dims, *sizes).empty() &&
      !reductionChunk(blocking, op, *dims, (*sizes)[column], /*rowsOutside=*/true,
                      (*sizes)[column])) {
    // Column blocks run outside row blocks: each column block's rows are split inside it, so
    // the remainder rows read the panel the bulk has just read. Split whole, the remainder
    // would read every panel again from L3 (a 1x1 convolution of 512 channels to 2048 on 7x7,
    // 49 rows of positions times packed filters: its 49th row took 0.8 ms of 1.9, Zen 3). Not
    // where a column block's reduction would be cut into chunks: the parts inside the chunk
    // loop made bufferization copy each column block out and back (1024 filters on 14x14).
    FailureOr<Operation *> panel = tileColumnBlocks(rewriter, op, *dims, epilogue,
                                                    (*sizes)[column]);
    if (succeeded(panel))
      vectorizeContraction(blocking, rewriter, cast<linalg::LinalgOp>(*panel));
    return;
  }
  if (rows) {
    if (epilogue &&
        succeeded(vectorizeSplitWithEpilogue(blocking, rewriter, op, *dims, epilogue, rows,
                                             /*alongRows=*/true)))
      return;
    rewriter.setInsertionPoint(op);
    auto [whole, rest] = linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()), row,
                                         rewriter.getIndexAttr(rows));
    if (whole)
      vectorizeContraction(blocking, rewriter, cast<linalg::LinalgOp>(whole.getOperation()));
    if (rest)
      vectorizeContraction(blocking, rewriter, cast<linalg::LinalgOp>(rest.getOperation()));
    return;
  }
  if (int64_t chunk = reductionChunk(blocking, op, *dims, (*sizes)[column],
                                     blockInterchange(op, *dims, *sizes).empty())) {
    FailureOr<Operation *> inner = chunkReduction(rewriter, op, *dims, chunk);
    if (failed(inner))
      return;
    op = cast<linalg::LinalgOp>(*inner);
    epilogue = nullptr;
  }
  SmallVector<int64_t> interchange = blockInterchange(op, *dims, *sizes);
  SmallVector<Operation *> stages;
  rewriter.setInsertionPoint(epilogue ? epilogue.getOperation() : op.getOperation());
  FailureOr<Operation *> block =
      epilogue ? tileWithEpilogue(rewriter, op, epilogue, *sizes, interchange, stages)
               : tileWithInit(rewriter, op, *sizes, interchange, stages);
  vectorizeBlock(rewriter, block, stages, *dims);
}

/// The accumulator block is read and written at the same place in every step of k: after
/// canonicalization (which moves padding constants out of the loops and proves the transfers
/// in bounds), each loop carries such blocks in registers instead. This happens on tensors,
/// before bufferization views (reshapes of packed results) could hide that nothing aliases.
void hoistAccumulators(func::FuncOp func) {
  MLIRContext *ctx = func.getContext();
  RewritePatternSet patterns(ctx);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
  (void)applyPatternsGreedily(func, std::move(patterns));
  IRRewriter rewriter(ctx);
  func.walk([&](scf::ForOp loop) {
    hoistLoopInvariantSubsets(rewriter, cast<LoopLikeOpInterface>(loop.getOperation()));
  });
}

/// A register block's step broadcasts one lhs element per row along the vector lanes. Where the
/// rows' elements are contiguous (the lhs indexed [k, row]), the read of all of them lowers to
/// one short vector load and a shuffle per row, which take registers the block does not have
/// (6x16 blocks on 16 ymm registers spilled their accumulators at every step: 2.6x slower, Zen
/// 3). Read one element per row, each row is one broadcast from memory. Applies to f32 reads
/// that broadcast along a dimension of at least 4 lanes and read along one other, the source's
/// innermost, 2 to 8 elements (rows).
void readRowsApart(func::FuncOp func) {
  SmallVector<vector::TransferReadOp> reads;
  func.walk([&](vector::TransferReadOp read) {
    VectorType type = read.getVectorType();
    AffineMap map = read.getPermutationMap();
    if (read.getMask() || !type.getElementType().isF32())
      return;
    int64_t readDims = 0, rows = 1, lanes = 1;
    bool contiguous = false;
    for (auto [size, expr] : llvm::zip(type.getShape(), map.getResults())) {
      if (isa<AffineConstantExpr>(expr))
        lanes = std::max(lanes, size);
      else if (size > 1) {
        ++readDims;
        rows = size;
        contiguous = cast<AffineDimExpr>(expr).getPosition() == map.getNumDims() - 1;
      }
    }
    if (readDims == 1 && contiguous && rows <= 8 && lanes >= 4)
      reads.push_back(read);
  });
  IRRewriter rewriter(func.getContext());
  for (vector::TransferReadOp read : reads) {
    VectorType type = read.getVectorType();
    AffineMap map = read.getPermutationMap();
    unsigned dim = 0;
    while (!(type.getDimSize(dim) > 1 && isa<AffineDimExpr>(map.getResult(dim))))
      ++dim;
    unsigned sourceDim = map.getDimPosition(dim);
    SmallVector<int64_t> pieceShape(type.getShape());
    pieceShape[dim] = 1;
    auto pieceType = VectorType::get(pieceShape, type.getElementType());
    Location loc = read.getLoc();
    rewriter.setInsertionPoint(read);
    Value result = arith::ConstantOp::create(rewriter, loc, type, rewriter.getZeroAttr(type));
    for (int64_t row = 0; row < type.getDimSize(dim); ++row) {
      SmallVector<Value> indices(read.getIndices());
      indices[sourceDim] = arith::AddIOp::create(
          rewriter, loc, indices[sourceDim], arith::ConstantIndexOp::create(rewriter, loc, row));
      Value piece = vector::TransferReadOp::create(rewriter, loc, pieceType, read.getBase(),
                                                   indices, read.getPermutationMapAttr(),
                                                   read.getPadding(), Value(),
                                                   read.getInBoundsAttr());
      SmallVector<int64_t> offsets(type.getRank(), 0);
      offsets[dim] = row;
      result = vector::InsertStridedSliceOp::create(rewriter, loc, piece, result, offsets,
                                                    SmallVector<int64_t>(type.getRank(), 1));
    }
    rewriter.replaceOp(read, result);
  }
}

struct VectorizeContractionsPass
    : impl::VectorizeContractionsPassBase<VectorizeContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    Blocking blocking{lanes, blockRows, l1Bytes, l2Bytes, l3Bytes};
    if (lanes < 4 || blockRows < 1 || l1Bytes < (8 << 10) || l2Bytes < (64 << 10)) {
      getOperation().emitError("dlc-cpu-vectorize-contractions needs lanes >= 4, block-rows >= 1, "
                               "l1-bytes >= 8192 and l2-bytes >= 65536");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> candidates = tensorContractions(getOperation());
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates)
      vectorizeContraction(blocking, rewriter, op);
    if (candidates.empty())
      return;
    readRowsApart(getOperation());
    hoistAccumulators(getOperation());
  }
};

} // namespace
} // namespace dlc::cpu
