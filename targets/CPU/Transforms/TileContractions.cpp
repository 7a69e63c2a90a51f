// The dlc-cpu-tile-contractions pass: bf16 and int8 matrix products with constant weights,
// and the products of bf16 and int8 convolutions over their packed columns, become blocks of
// AMX tiles, accumulators kept in tile registers through the reduction (see Passes.td for the
// loop nests and the layouts).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/DotConvolution.h"
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

/// The most rows of a tile, and the most 32-bit lanes of a tile row (64 bytes).
constexpr int64_t kTileRows = 16, kTileLanes = 16;
/// The fewest rows and columns of the accumulator tiles, and bytes of an A tile row, that a
/// product takes to tiles. (None of these thresholds is measured yet: below them AVX-512's
/// dot products are assumed faster.)
constexpr int64_t kMinTileRows = 8, kMinTileColumns = 4, kMinRowBytes = 32;
/// The most accumulator tiles of a block along rows and along columns: 2 x 2 of the 8 tile
/// registers, beside 2 A tiles and 2 B tiles.
constexpr int64_t kBlockTiles = 2;

/// The largest divisor of `n` that is at most `most`.
int64_t largestDivisor(int64_t n, int64_t most) {
  for (int64_t d = std::min(n, most);; --d)
    if (n % d == 0)
      return d;
}

/// How a product C[rows, columns] += A[rows, depth] B[depth, columns] is cut into tiles: A
/// tiles of tileRows x step elements, B tiles of step/g rows of tileColumns groups of g (the
/// VNNI layout), accumulator tiles of tileRows x tileColumns, blocks of rowTiles x
/// columnTiles accumulators.
struct TileShape {
  DotKind kind;
  int64_t rows, columns, depth;
  int64_t tileRows, tileColumns, step, rowTiles, columnTiles;

  TileShape(DotKind kind, int64_t rows, int64_t columns, int64_t depth)
      : kind(kind), rows(rows), columns(columns), depth(depth) {
    int64_t g = dotGroup(kind);
    // Rows and columns of a tile: the most, up to 16, that divide the product's, so that one
    // tile shape serves every block.
    tileRows = largestDivisor(rows, kTileRows);
    tileColumns = largestDivisor(columns, kTileLanes);
    // The longest step of whole groups, at most a 64-byte row, that divides the depth.
    step = 0;
    for (int64_t s = kTileLanes * g; s > 0 && !step; s -= g)
      if (depth % s == 0)
        step = s;
    rowTiles = rows % (kBlockTiles * tileRows) == 0 ? kBlockTiles : 1;
    columnTiles = columns % (kBlockTiles * tileColumns) == 0 ? kBlockTiles : 1;
  }

  int64_t group() const { return dotGroup(kind); }
  int64_t elementBytes() const { return kind == DotKind::BF16 ? 2 : 1; }
  int64_t blockRows() const { return rowTiles * tileRows; }
  int64_t blockColumns() const { return columnTiles * tileColumns; }

  /// Why the product cannot run on tiles, or empty when it can.
  std::string misfit() const {
    if (tileRows < kMinTileRows)
      return "its " + std::to_string(rows) + " rows give tiles of fewer than " +
             std::to_string(kMinTileRows) + " rows";
    if (tileColumns < kMinTileColumns)
      return "its " + std::to_string(columns) + " columns give tiles of fewer than " +
             std::to_string(kMinTileColumns) + " columns";
    if (step * elementBytes() < kMinRowBytes)
      return "its reduction of " + std::to_string(depth) + " gives tile rows of fewer than " +
             std::to_string(kMinRowBytes) + " bytes";
    return "";
  }

  /// How --stats describes the kernel.
  std::string describe() const {
    return std::string(kind == DotKind::BF16 ? "bf16" : "int8") + " tiles of " +
           std::to_string(tileRows) + "x" + std::to_string(tileColumns) + ", " +
           std::to_string(rowTiles) + "x" + std::to_string(columnTiles) + " accumulator tiles";
  }

  amx::TileType accumulatorTile(MLIRContext *ctx) const {
    return amx::TileType::get({tileRows, tileColumns}, dotSum(ctx, kind));
  }
  amx::TileType aTile(MLIRContext *ctx) const {
    return amx::TileType::get({tileRows, step}, dotElement(ctx, kind));
  }
  amx::TileType bTile(MLIRContext *ctx) const {
    return amx::TileType::get({step / group(), tileColumns * group()}, dotElement(ctx, kind));
  }
};

/// `tensor` (read-only) as a buffer of rank 2 that tile loads read in place: its leading
/// dimensions collapsed into rows.
Value rowsInMemory(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getRank() > 2) {
    ReassociationIndices outer;
    for (int64_t d = 0; d + 1 < type.getRank(); ++d)
      outer.push_back(d);
    tensor = tensor::CollapseShapeOp::create(
        b, loc, tensor, SmallVector<ReassociationIndices>{outer, {type.getRank() - 1}});
    type = cast<RankedTensorType>(tensor.getType());
  }
  auto dynamic = ShapedType::kDynamic;
  return bufferization::ToBufferOp::create(
      b, loc,
      MemRefType::get(type.getShape(), type.getElementType(),
                      StridedLayoutAttr::get(b.getContext(), dynamic, {dynamic, 1})),
      tensor, /*read_only=*/true);
}

/// A kernel's blocks: what the product and the convolution kernels share once they know where
/// their A and B tiles come from and where their results go.
struct TileBlocks {
  TileShape shape;
  linalg::GenericOp op, epilogue;
  KernelStart start;
  bool zeroExtendA = false, zeroExtendB = false;
  /// Where a block's sums go from the tiles, for its rows to be read back into vectors.
  Value scratch, zeroSum, fillRow;

  /// Sets up the scratch block and the start value at the builder's point.
  void prepare(OpBuilder &b, Location loc) {
    Type sum = dotSum(op.getContext(), shape.kind);
    scratch = memref::AllocaOp::create(
        b, loc, MemRefType::get({shape.blockRows(), shape.blockColumns()}, sum));
    zeroSum = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(sum)));
    bool startsAtZero = start.fillValue && (matchPattern(start.fillValue, m_AnyZeroFloat()) ||
                                            matchPattern(start.fillValue, m_Zero()));
    if (start.fillValue && !startsAtZero)
      fillRow = vector::BroadcastOp::create(b, loc, rowType(), start.fillValue);
  }

  VectorType rowType() {
    return VectorType::get({shape.tileColumns}, dotSum(op.getContext(), shape.kind));
  }

  /// The block of rows from `row0` and columns from `column0` into `result`: `loadA(b, i, t)`
  /// and `loadB(b, j, t)` give the i-th A tile and the j-th B tile of reduction step t, and
  /// `at(row, column)` the result's indices of an element of the block.
  Value emit(OpBuilder &b, Location loc, Value row0, Value column0, Value result,
             function_ref<Value(OpBuilder &, int64_t, Value)> loadA,
             function_ref<Value(OpBuilder &, int64_t, Value)> loadB,
             function_ref<SmallVector<Value>(OpBuilder &, Value, Value)> at) {
    int64_t rt = shape.rowTiles, ct = shape.columnTiles;
    MLIRContext *ctx = op.getContext();
    amx::TileType accTile = shape.accumulatorTile(ctx);
    SmallVector<Value> accs;
    for (int64_t i = 0; i < rt * ct; ++i)
      accs.push_back(amx::TileZeroOp::create(b, loc, accTile));
    accs = SmallVector<Value>(
        forLoop(b, loc, shape.depth / shape.step, 1, accs,
                [&](OpBuilder &kb, Value t, ValueRange carried) {
                  SmallVector<Value> next(carried), a, w;
                  for (int64_t i = 0; i < rt; ++i)
                    a.push_back(loadA(kb, i, t));
                  for (int64_t j = 0; j < ct; ++j)
                    w.push_back(loadB(kb, j, t));
                  for (int64_t i = 0; i < rt; ++i)
                    for (int64_t j = 0; j < ct; ++j) {
                      Value &acc = next[i * ct + j];
                      // tdpbf16ps, or tdpb[su][su]d by the signs of the operands.
                      acc = shape.kind == DotKind::BF16
                                ? amx::TileMulFOp::create(kb, loc, accTile, a[i], w[j], acc)
                                      .getResult()
                                : amx::TileMulIOp::create(kb, loc, accTile, a[i], w[j], acc,
                                                          zeroExtendA, zeroExtendB)
                                      .getResult();
                    }
                  return next;
                })
            .getResults());
    for (int64_t i = 0; i < rt; ++i)
      for (int64_t j = 0; j < ct; ++j)
        amx::TileStoreOp::create(b, loc, scratch,
                                 ValueRange{indexConstant(b, loc, i * shape.tileRows),
                                            indexConstant(b, loc, j * shape.tileColumns)},
                                 accs[i * ct + j]);
    // The block's rows, from the scratch block through the start and the epilogue.
    return forLoop(b, loc, shape.blockRows(), 1, result,
                   [&](OpBuilder &rb, Value r, ValueRange carried) -> SmallVector<Value> {
                     return {storeRow(rb, loc, r, arith::AddIOp::create(rb, loc, row0, r),
                                      column0, carried[0], at)};
                   })
        .getResult(0);
  }

  /// Row `r` of the scratch block, the result's row `row`, into `out`.
  Value storeRow(OpBuilder &b, Location loc, Value r, Value row, Value column0, Value out,
                 function_ref<SmallVector<Value>(OpBuilder &, Value, Value)> at) {
    int64_t tc = shape.tileColumns;
    for (int64_t j = 0; j < shape.columnTiles; ++j) {
      SmallVector<Value> indices = at(b, row, addIndex(b, loc, column0, j * tc));
      Value value = vector::TransferReadOp::create(
          b, loc, rowType(), scratch, ValueRange{r, indexConstant(b, loc, j * tc)}, zeroSum,
          ArrayRef<bool>{true});
      Value init = fillRow;
      if (!start.fillValue)
        init = vector::TransferReadOp::create(b, loc, rowType(), epilogue ? start.init : out,
                                              indices, zeroSum, ArrayRef<bool>{true});
      if (init && shape.kind == DotKind::BF16)
        value = arith::AddFOp::create(b, loc, init, value);
      else if (init)
        value = arith::AddIOp::create(b, loc, init, value);
      if (epilogue)
        value = ElementwiseStage{epilogue, /*contract=*/true}.emit(b, loc, indices, tc,
                                                                   op.getResult(0), value);
      out = vector::TransferWriteOp::create(b, loc, value, out, indices, ArrayRef<bool>{true})
                .getResult();
    }
    return out;
  }
};

/// A matrix product (DotProducts.h) on tiles: A the lhs rows read in place, B the constant
/// weights packed into tiles at compile time.
struct TileProduct : DotProduct {
  TileShape shape;

  explicit TileProduct(DotProduct product)
      : DotProduct(std::move(product)),
        shape(kind, rows(), columns(), depth()) {}

  /// The weights [K, N] as tiles [N/c][K/step][step/g][c g], c the tile's columns: row r of
  /// tile (j, t) holds, for each of the c columns from c j, the g consecutive k from
  /// t step + r g.
  DenseElementsAttr packedTiles() {
    int64_t g = group(), step = shape.step, groupRows = step / g, width = shape.tileColumns;
    int64_t columnTiles = columns() / width, depthTiles = depth() / step;
    size_t bytes = rhs.getElementType().getIntOrFloatBitWidth() / 8;
    // A splat holds one element; any other constant every element, row-major.
    ArrayRef<char> raw = rhs.getRawData();
    std::vector<char> out(columns() * depth() * bytes);
    for (int64_t j = 0; j < columnTiles; ++j)
      for (int64_t t = 0; t < depthTiles; ++t)
        for (int64_t r = 0; r < groupRows; ++r)
          for (int64_t c = 0; c < width; ++c)
            for (int64_t e = 0; e < g; ++e) {
              int64_t row = t * step + r * g + e, column = j * width + c;
              int64_t at = (((j * depthTiles + t) * groupRows + r) * width + c) * g + e;
              std::memcpy(out.data() + at * bytes,
                          raw.data() + (rhs.isSplat() ? 0 : (row * columns() + column) * bytes),
                          bytes);
            }
    auto type =
        RankedTensorType::get({columnTiles, depthTiles, groupRows, width * g}, element());
    return DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(out));
  }

  /// Replaces the product (and its epilogue) by the loop nest.
  void rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    TileBlocks blocks{shape, op, epilogue, KernelStart::of(rewriter, op, epilogue),
                      !lhsSigned, !rhsSigned};
    OpBuilder &b = rewriter;
    MLIRContext *ctx = op.getContext();
    Value lhs = rowsInMemory(b, loc, op.getDpsInputs()[0]);
    Value packed = arith::ConstantOp::create(b, loc, packedTiles());
    Value weights = bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(cast<RankedTensorType>(packed.getType()).getShape(), element()),
        packed, /*read_only=*/true);
    blocks.prepare(b, loc);

    SmallVector<Value> batchIvs;
    // The lhs row of the product's row `row` of the current batch element.
    auto lhsRow = [&](OpBuilder &nb, Value row) {
      Value linear = indexConstant(nb, loc, 0);
      for (auto [dim, iv] : llvm::zip(batchDims, batchIvs))
        linear = arith::AddIOp::create(nb, loc, mulIndex(nb, loc, linear, ranges[dim]), iv);
      return arith::AddIOp::create(nb, loc, mulIndex(nb, loc, linear, rows()), row).getResult();
    };
    int64_t tr = shape.tileRows;
    // Batch loops outermost, then the panels of column tiles (one panel of weights serves
    // every row block), then the row blocks.
    Value result = batchLoops(b, loc, blocks.start.dest, batchIvs, [&](OpBuilder &nb,
                                                                       Value result) {
      return forLoop(
                 nb, loc, columns() / shape.tileColumns, shape.columnTiles, result,
                 [&](OpBuilder &pb, Value tile0, ValueRange panel) -> SmallVector<Value> {
                   auto block = [&](OpBuilder &rb, Value row0,
                                    ValueRange inner) -> SmallVector<Value> {
                     Value firstRow = lhsRow(rb, row0), zero = indexConstant(rb, loc, 0);
                     auto loadA = [&](OpBuilder &kb, int64_t i, Value t) -> Value {
                       return amx::TileLoadOp::create(
                           kb, loc, shape.aTile(ctx), lhs,
                           ValueRange{addIndex(kb, loc, firstRow, i * tr),
                                      mulIndex(kb, loc, t, shape.step)});
                     };
                     auto loadB = [&](OpBuilder &kb, int64_t j, Value t) -> Value {
                       return amx::TileLoadOp::create(
                           kb, loc, shape.bTile(ctx), weights,
                           ValueRange{addIndex(kb, loc, tile0, j), t, zero, zero});
                     };
                     auto at = [&](OpBuilder &, Value row, Value column) {
                       SmallVector<Value> indices(batchIvs);
                       indices.append({row, column});
                       return indices;
                     };
                     return {blocks.emit(rb, loc, row0,
                                         mulIndex(rb, loc, tile0, shape.tileColumns),
                                         inner[0], loadA, loadB, at)};
                   };
                   return {forLoop(pb, loc, rows(), shape.blockRows(), panel[0], block)
                               .getResult(0)};
                 })
          .getResult(0);
    });
    replaceWithKernel(rewriter, op, epilogue, result);
  }
};

/// The product of a bf16 or int8 convolution over its packed columns (DotConvolution.h),
/// out[n, f, p] += w[f, q, j] * col[n, q, p, j], on tiles: A the constant filters [F, Q g] as
/// they are, B the columns, already in the VNNI layout, read in place. The result stays NCHW.
struct TileConvolution {
  linalg::GenericOp op, epilogue;
  DotKind kind;
  DenseElementsAttr weights;
  bool weightsSigned = true, columnsSigned = true;
  int64_t batch = 0, filters = 0, positions = 0, groups = 0;

  static std::optional<TileConvolution> match(linalg::GenericOp op) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op.getIndexingMapsArray() != ArrayRef(dotconv::productMaps(op.getContext())) ||
        op.getNumReductionLoops() != 2)
      return std::nullopt;
    RankedTensorType colType = cast<RankedTensorType>(op.getDpsInputs()[1].getType());
    Type element = colType.getElementType();
    if (!colType.hasStaticShape() || dotconv::groupOf(element) != colType.getDimSize(3))
      return std::nullopt;
    TileConvolution conv{op, {}, element.isBF16() ? DotKind::BF16 : DotKind::Int8, {}};
    Attribute constant;
    if (!matchPattern(op.getDpsInputs()[0], m_Constant(&constant)) ||
        getElementTypeOrSelf(op.getResult(0)) != dotSum(op.getContext(), conv.kind))
      return std::nullopt;
    conv.weights = dyn_cast<DenseElementsAttr>(constant);
    std::optional<std::pair<bool, bool>> signs = widenedSigns(op);
    if (!conv.weights || !signs)
      return std::nullopt;
    std::tie(conv.weightsSigned, conv.columnsSigned) = *signs;
    conv.batch = colType.getDimSize(0);
    conv.groups = colType.getDimSize(1);
    conv.positions = colType.getDimSize(2);
    conv.filters = conv.weights.getType().getDimSize(0);
    conv.epilogue = epilogueOf(op.getResult(0), 3);
    return conv;
  }

  TileShape shape() const {
    return TileShape(kind, filters, positions, groups * dotGroup(kind));
  }

  void rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    TileShape shape = this->shape();
    TileBlocks blocks{shape, op, epilogue, KernelStart::of(rewriter, op, epilogue),
                      !weightsSigned, !columnsSigned};
    OpBuilder &b = rewriter;
    MLIRContext *ctx = op.getContext();
    int64_t g = dotGroup(kind), tr = shape.tileRows, tc = shape.tileColumns;
    // The filters [F, Q g] and the columns [N Q, P g], rows of each in memory.
    auto flat = RankedTensorType::get({filters, groups * g}, weights.getElementType());
    Value filterRows = rowsInMemory(
        b, loc, arith::ConstantOp::create(b, loc, weights.reshape(flat)).getResult());
    Value col = op.getDpsInputs()[1];
    Value columns = rowsInMemory(
        b, loc,
        tensor::CollapseShapeOp::create(b, loc, col,
                                        SmallVector<ReassociationIndices>{{0, 1}, {2, 3}}));
    blocks.prepare(b, loc);

    // Batch elements outermost, then blocks of positions (whose columns stay in L2 while
    // every block of filters reads them), then blocks of filters.
    Value result = forLoop(
                       b, loc, batch, 1, blocks.start.dest,
                       [&](OpBuilder &nb, Value n, ValueRange image) -> SmallVector<Value> {
      Value firstGroup = mulIndex(nb, loc, n, groups);
      auto positionBlock = [&](OpBuilder &pb, Value p0, ValueRange carried) {
        auto filterBlock = [&](OpBuilder &fb, Value f0,
                               ValueRange inner) -> SmallVector<Value> {
          auto loadA = [&](OpBuilder &kb, int64_t i, Value t) -> Value {
            return amx::TileLoadOp::create(kb, loc, shape.aTile(ctx), filterRows,
                                           ValueRange{addIndex(kb, loc, f0, i * tr),
                                                      mulIndex(kb, loc, t, shape.step)});
          };
          auto loadB = [&](OpBuilder &kb, int64_t j, Value t) -> Value {
            Value row = arith::AddIOp::create(kb, loc, firstGroup,
                                              mulIndex(kb, loc, t, shape.step / g));
            Value position = addIndex(kb, loc, p0, j * tc);
            return amx::TileLoadOp::create(kb, loc, shape.bTile(ctx), columns,
                                           ValueRange{row, mulIndex(kb, loc, position, g)});
          };
          auto at = [&](OpBuilder &, Value filter, Value position) {
            return SmallVector<Value>{n, filter, position};
          };
          return {blocks.emit(fb, loc, f0, p0, inner[0], loadA, loadB, at)};
        };
        return SmallVector<Value>{
            forLoop(pb, loc, filters, shape.blockRows(), carried[0], filterBlock)
                .getResult(0)};
      };
      return {forLoop(nb, loc, positions, shape.blockColumns(), image[0], positionBlock)
                  .getResult(0)};
    }).getResult(0);
    replaceWithKernel(rewriter, op, epilogue, result);
  }
};

/// Records how `op` computes, on tiles of `shape` or not, and returns whether on tiles.
bool chooseTiles(linalg::GenericOp op, const TileShape &shape) {
  std::string misfit = shape.misfit();
  recordStrategy(op, misfit.empty() ? "amx" : "avx512",
                 misfit.empty() ? shape.describe() : "not on AMX tiles: " + misfit);
  return misfit.empty();
}

struct TileContractionsPass : impl::TileContractionsPassBase<TileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<TileProduct> products;
    SmallVector<TileConvolution> convolutions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<TileConvolution> conv = TileConvolution::match(op)) {
        if (chooseTiles(op, conv->shape()))
          convolutions.push_back(std::move(*conv));
      } else if (std::optional<DotProduct> product = DotProduct::match(
                     op, /*int8=*/true, /*bf16=*/true, /*signedWeightsOnly=*/false)) {
        TileProduct kernel(std::move(*product));
        if (chooseTiles(op, kernel.shape))
          products.push_back(std::move(kernel));
      }
    });
    // An elementwise op that reads two products is the epilogue of the first; the second
    // stores its result for it.
    keepEpiloguesOnce(products);
    keepEpiloguesOnce(convolutions);
    IRRewriter rewriter(&getContext());
    for (TileProduct &kernel : products)
      kernel.rewrite(rewriter);
    for (TileConvolution &kernel : convolutions)
      kernel.rewrite(rewriter);
  }
};

} // namespace
} // namespace dlc::cpu
