// The dlc-cpu-tile-contractions pass: bf16 and int8 matrix products with constant weights
// become blocks of AMX tiles, accumulators kept in tile registers through the reduction (see Passes.td for
// the loop nest and the packed layout).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/DotOperands.h"
#include "targets/CPU/Transforms/DotProducts.h"
#include "targets/CPU/Transforms/Strategies.h"
#include "targets/CPU/Transforms/VectorBody.h"

#include "mlir/IR/Matchers.h"

#include <cstring>

namespace dlc::cpu {

#define GEN_PASS_DEF_TILECONTRACTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// The most rows of a tile, and 32-bit lanes of a tile row (64 bytes).
constexpr int64_t kTileRows = 16, kTileLanes = 16;
/// The fewest rows of the lhs and accumulator tiles, and bytes of an lhs tile row, that a
/// product takes to tiles. (Neither threshold is measured yet: below them AVX-512's dot
/// products are assumed faster.)
constexpr int64_t kMinTileRows = 8, kMinRowBytes = 32;
/// The most accumulator tiles of a block along rows and along columns: 2 x 2 of the 8 tile
/// registers, beside 2 lhs tiles and 2 weight tiles.
constexpr int64_t kBlockTiles = 2;

/// A product on tiles (DotProducts.h), with its blocks.
struct TileKernel : DotProduct {
  explicit TileKernel(DotProduct product) : DotProduct(std::move(product)) {}

  /// Elements of one lhs tile row, the k one tile multiply reduces: the most whole groups of
  /// a 64-byte row that divide K (K = 96 of int8 takes two steps of 48).
  int64_t depthStep() const {
    for (int64_t step = kTileLanes * group(); step > 0; step -= group())
      if (depth() % step == 0)
        return step;
    return 0;
  }
  /// Rows of a weight tile: the groups of a step.
  int64_t groupRows() const { return depthStep() / group(); }
  /// Rows of the lhs and accumulator tiles: the most, up to 16, that divide M.
  int64_t tileRows() const {
    for (int64_t rows = kTileRows;; --rows)
      if (this->rows() % rows == 0)
        return rows;
  }

  /// Why the product cannot run on tiles, or empty when it can.
  std::string misfit() const {
    int64_t width = kind == DotKind::BF16 ? 2 : 1; // bytes of an operand element
    if (tileRows() < kMinTileRows)
      return "its " + std::to_string(rows()) + " rows give tiles of fewer than " +
             std::to_string(kMinTileRows) + " rows";
    if (columns() % kTileLanes != 0)
      return "its " + std::to_string(columns()) + " columns are not whole tiles of 16";
    if (depthStep() * width < kMinRowBytes)
      return "its reduction of " + std::to_string(depth()) + " gives tile rows of fewer than " +
             std::to_string(kMinRowBytes) + " bytes";
    return "";
  }

  /// Accumulator tiles of a block along rows and along columns.
  int64_t rowTiles() const {
    return rows() % (kBlockTiles * tileRows()) == 0 ? kBlockTiles : 1;
  }
  int64_t columnTiles() const {
    return columns() % (kBlockTiles * kTileLanes) == 0 ? kBlockTiles : 1;
  }

  /// The weights [K, N] as tiles [N/16][K/step][step/g][16 g]: row r of tile (j, t) holds,
  /// for each of the 16 columns from 16 j, the g consecutive k from t step + r g.
  DenseElementsAttr packedTiles() {
    int64_t g = group(), step = depthStep(), groupRows = this->groupRows();
    int64_t columnTiles = columns() / kTileLanes, depthTiles = depth() / step;
    size_t width = rhs.getElementType().getIntOrFloatBitWidth() / 8;
    // A splat holds one element; any other constant every element, row-major.
    ArrayRef<char> raw = rhs.getRawData();
    std::vector<char> out(columns() * depth() * width);
    for (int64_t j = 0; j < columnTiles; ++j)
      for (int64_t t = 0; t < depthTiles; ++t)
        for (int64_t r = 0; r < groupRows; ++r)
          for (int64_t c = 0; c < kTileLanes; ++c)
            for (int64_t e = 0; e < g; ++e) {
              int64_t row = t * step + r * g + e, column = j * kTileLanes + c;
              int64_t at = (((j * depthTiles + t) * groupRows + r) * kTileLanes + c) * g + e;
              std::memcpy(out.data() + at * width,
                          raw.data() + (rhs.isSplat() ? 0 : (row * columns() + column) * width),
                          width);
            }
    auto type = RankedTensorType::get({columnTiles, depthTiles, groupRows, kTileLanes * g},
                                      element());
    return DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(out));
  }

  /// Replaces the product (and its epilogue) by the loop nest.
  void rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    KernelStart start = KernelStart::of(rewriter, op, epilogue);
    OpBuilder &b = rewriter;
    MLIRContext *ctx = op.getContext();
    Type narrow = element(), sum = sumType();
    int64_t step = depthStep(), tr = tileRows(), rt = rowTiles(), ct = columnTiles();
    auto accTile = amx::TileType::get({tr, kTileLanes}, sum);
    auto lhsTile = amx::TileType::get({tr, step}, narrow);
    auto weightTile = amx::TileType::get({groupRows(), kTileLanes * group()}, narrow);
    auto rowType = VectorType::get({kTileLanes}, sum);

    // The lhs as rows [outer.. x M, K] in memory, which the tile loads read in place.
    Value lhs = op.getDpsInputs()[0];
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    if (lhsType.getRank() > 2) {
      ReassociationIndices outer;
      for (int64_t d = 0; d + 1 < lhsType.getRank(); ++d)
        outer.push_back(d);
      lhs = tensor::CollapseShapeOp::create(
          b, loc, lhs, SmallVector<ReassociationIndices>{outer, {lhsType.getRank() - 1}});
    }
    auto lhsRows = cast<RankedTensorType>(lhs.getType()).getDimSize(0);
    auto dynamic = ShapedType::kDynamic;
    Value lhsBuffer = bufferization::ToBufferOp::create(
        b, loc,
        MemRefType::get({lhsRows, depth()}, narrow,
                        StridedLayoutAttr::get(ctx, dynamic, {dynamic, 1})),
        lhs, /*read_only=*/true);
    Value packed = arith::ConstantOp::create(b, loc, packedTiles());
    Value weights = bufferization::ToBufferOp::create(
        b, loc,
        MemRefType::get(cast<RankedTensorType>(packed.getType()).getShape(), narrow), packed,
        /*read_only=*/true);
    // Where a block's sums go from the tiles, for its rows to be read back into vectors.
    Value scratch = memref::AllocaOp::create(
        b, loc, MemRefType::get({rt * tr, ct * kTileLanes}, sum));
    Value zeroSum = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(sum)));
    bool startsAtZero = start.fillValue && (matchPattern(start.fillValue, m_AnyZeroFloat()) ||
                                            matchPattern(start.fillValue, m_Zero()));
    Value fillRow = start.fillValue && !startsAtZero
                        ? vector::BroadcastOp::create(b, loc, rowType, start.fillValue)
                        : Value();

    SmallVector<Value> batchIvs;
    auto outIndices = [&](Value row, Value column) {
      SmallVector<Value> indices(batchIvs);
      indices.append({row, column});
      return indices;
    };
    // The lhs row of the product's row `row` of the current batch element.
    auto lhsRow = [&](OpBuilder &nb, Value row) {
      Value linear = indexConstant(nb, loc, 0);
      for (auto [dim, iv] : llvm::zip(batchDims, batchIvs))
        linear = arith::AddIOp::create(nb, loc, mulIndex(nb, loc, linear, ranges[dim]), iv);
      return arith::AddIOp::create(nb, loc, mulIndex(nb, loc, linear, rows()), row).getResult();
    };

    // acc + a w: tdpbf16ps, or tdpb[su][su]d by the signs of the operands.
    auto multiply = [&](OpBuilder &kb, Value a, Value w, Value acc) -> Value {
      if (kind == DotKind::BF16)
        return amx::TileMulFOp::create(kb, loc, accTile, a, w, acc);
      return amx::TileMulIOp::create(kb, loc, accTile, a, w, acc, !lhsSigned, !rhsSigned);
    };

    // One block: rt x ct accumulator tiles from row `row0` and column tile `tile0`.
    auto block = [&](OpBuilder &nb, Value tile0, Value row0, Value result) -> Value {
      SmallVector<Value> accs;
      for (int64_t i = 0; i < rt * ct; ++i)
        accs.push_back(amx::TileZeroOp::create(nb, loc, accTile));
      Value firstRow = lhsRow(nb, row0);
      Value zero = indexConstant(nb, loc, 0);
      accs = SmallVector<Value>(
          forLoop(nb, loc, depth() / step, 1, accs,
                  [&](OpBuilder &kb, Value t, ValueRange carried) {
                    SmallVector<Value> next(carried), a, w;
                    Value k0 = mulIndex(kb, loc, t, step);
                    for (int64_t i = 0; i < rt; ++i)
                      a.push_back(amx::TileLoadOp::create(
                          kb, loc, lhsTile, lhsBuffer,
                          ValueRange{addIndex(kb, loc, firstRow, i * tr), k0}));
                    for (int64_t j = 0; j < ct; ++j)
                      w.push_back(amx::TileLoadOp::create(
                          kb, loc, weightTile, weights,
                          ValueRange{addIndex(kb, loc, tile0, j), t, zero, zero}));
                    for (int64_t i = 0; i < rt; ++i)
                      for (int64_t j = 0; j < ct; ++j)
                        next[i * ct + j] = multiply(kb, a[i], w[j], next[i * ct + j]);
                    return next;
                  })
              .getResults());
      for (int64_t i = 0; i < rt; ++i)
        for (int64_t j = 0; j < ct; ++j)
          amx::TileStoreOp::create(nb, loc, scratch,
                                   ValueRange{indexConstant(nb, loc, i * tr),
                                              indexConstant(nb, loc, j * kTileLanes)},
                                   accs[i * ct + j]);
      // The block's rows, from the scratch block through the start and the epilogue.
      Value column0 = mulIndex(nb, loc, tile0, kTileLanes);
      return forLoop(
                 nb, loc, rt * tr, 1, result,
                 [&](OpBuilder &rb, Value r, ValueRange carried) -> SmallVector<Value> {
                   Value out = carried[0];
                   Value row = arith::AddIOp::create(rb, loc, row0, r);
                   for (int64_t j = 0; j < ct; ++j) {
                     SmallVector<Value> at =
                         outIndices(row, addIndex(rb, loc, column0, j * kTileLanes));
                     Value value = vector::TransferReadOp::create(
                         rb, loc, rowType, scratch,
                         ValueRange{r, indexConstant(rb, loc, j * kTileLanes)}, zeroSum,
                         ArrayRef<bool>{true});
                     Value init = fillRow;
                     if (!start.fillValue)
                       init = vector::TransferReadOp::create(rb, loc, rowType,
                                                             epilogue ? start.init : out, at,
                                                             zeroSum, ArrayRef<bool>{true});
                     if (init && kind == DotKind::BF16)
                       value = arith::AddFOp::create(rb, loc, init, value);
                     else if (init)
                       value = arith::AddIOp::create(rb, loc, init, value);
                     if (epilogue)
                       value = ElementwiseStage{epilogue, /*contract=*/true}.emit(
                           rb, loc, at, kTileLanes, op.getResult(0), value);
                     out = vector::TransferWriteOp::create(rb, loc, value, out, at,
                                                           ArrayRef<bool>{true})
                               .getResult();
                   }
                   return {out};
                 })
          .getResult(0);
    };

    // Batch loops outermost, then the panels of column tiles (one panel of weights serves
    // every row block), then the row blocks.
    Value result = batchLoops(b, loc, start.dest, batchIvs, [&](OpBuilder &nb, Value result) {
      return forLoop(
                 nb, loc, columns() / kTileLanes, ct, result,
                 [&](OpBuilder &pb, Value tile0, ValueRange panel) -> SmallVector<Value> {
                   return {forLoop(pb, loc, rows(), rt * tr, panel[0],
                                   [&](OpBuilder &rb, Value row0,
                                       ValueRange inner) -> SmallVector<Value> {
                                     return {block(rb, tile0, row0, inner[0])};
                                   })
                               .getResult(0)};
                 })
          .getResult(0);
    });
    replaceWithKernel(rewriter, op, epilogue, result);
  }
};

struct TileContractionsPass : impl::TileContractionsPassBase<TileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<TileKernel> kernels;
    getOperation().walk([&](linalg::GenericOp op) {
      std::optional<DotProduct> product =
          DotProduct::match(op, /*int8=*/true, /*bf16=*/true, /*signedWeightsOnly=*/false);
      if (!product)
        return;
      TileKernel kernel(std::move(*product));
      std::string misfit = kernel.misfit();
      recordStrategy(op, misfit.empty() ? "amx" : "avx512",
                     misfit.empty() ? std::string(kernel.kind == DotKind::BF16 ? "bf16" : "int8") +
                                          " tiles of " + std::to_string(kernel.tileRows()) +
                                          " rows, " + std::to_string(kernel.rowTiles()) + "x" +
                                          std::to_string(kernel.columnTiles()) +
                                          " accumulator tiles"
                                    : "not on AMX tiles: " + misfit);
      if (misfit.empty())
        kernels.push_back(std::move(kernel));
    });
    // An elementwise op that reads two products is the epilogue of the first; the second
    // stores its result for it.
    keepEpiloguesOnce(kernels);
    IRRewriter rewriter(&getContext());
    for (TileKernel &kernel : kernels)
      kernel.rewrite(rewriter);
  }
};

} // namespace
} // namespace dlc::cpu
