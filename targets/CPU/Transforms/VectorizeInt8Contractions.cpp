// The dlc-cpu-vectorize-int8-contractions pass: matrix products of 8-bit integers summed in
// int32, with a constant int8 right-hand side, become AVX512-VNNI register blocks (see
// Passes.td for the loop nest, the packed layout and the signed-activation correction).
#include "targets/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZEINT8CONTRACTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// int32 lanes of one zmm register, and the bytes vpdpbusd multiplies and sums per lane.
constexpr int64_t kLanes = 16, kGroup = 4;
/// The most rows of a register block: 8 rows x 2 vectors are 16 accumulators of the 32 zmm
/// registers, beside the 2 weight vectors and a broadcast row.
constexpr int64_t kMaxRows = 8;

constexpr llvm::StringLiteral kDotIntrinsic = "llvm.x86.avx512.vpdpbusd.512";

/// Whether `value` is block argument `arg` extended from 8 bits: the signedness of the
/// extension (true: sign-extended), or nullopt when it is something else.
std::optional<bool> extensionOf(Value value, BlockArgument arg) {
  Operation *op = value.getDefiningOp();
  if (!op || op->getNumOperands() != 1 || op->getOperand(0) != arg ||
      !arg.getType().isInteger(8))
    return std::nullopt;
  if (isa<arith::ExtSIOp>(op))
    return true;
  if (isa<arith::ExtUIOp>(op))
    return false;
  return std::nullopt;
}

/// A product this pass computes: out[b.., m, n] += ext(lhs[b.., m, k]) * sext(rhs[k, n]) in
/// int32, rhs a constant.
struct Int8Product {
  linalg::GenericOp op;
  SmallVector<unsigned> batchDims;
  unsigned m = 0, n = 0, k = 0;
  SmallVector<int64_t> ranges;
  bool lhsSigned = false;
  DenseElementsAttr rhs;

  static std::optional<Int8Product> match(linalg::GenericOp op) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
      return std::nullopt;
    FailureOr<linalg::ContractionDimensions> dims = linalg::inferContractionDims(op);
    if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 || dims->k.size() != 1)
      return std::nullopt;
    Int8Product product;
    product.op = op;
    product.m = dims->m[0], product.n = dims->n[0], product.k = dims->k[0];
    product.ranges = op.getStaticLoopRanges();
    if (llvm::any_of(product.ranges, ShapedType::isDynamic) ||
        product.ranges[product.n] % kLanes != 0)
      return std::nullopt;
    // Batch dimensions index the lhs and the result only: the weights are one matrix.
    MLIRContext *ctx = op.getContext();
    AffineMap lhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
    AffineMap rhsMap = op.getMatchingIndexingMap(op.getDpsInputOperand(1));
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    SmallVector<AffineExpr> batch;
    for (unsigned d : dims->batch) {
      product.batchDims.push_back(d);
      batch.push_back(getAffineDimExpr(d, ctx));
    }
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx); };
    SmallVector<AffineExpr> lhsWant(batch), outWant(batch);
    lhsWant.append({dim(product.m), dim(product.k)});
    outWant.append({dim(product.m), dim(product.n)});
    if (lhsMap.getResults() != ArrayRef(lhsWant) || outMap.getResults() != ArrayRef(outWant) ||
        rhsMap.getResults() != ArrayRef<AffineExpr>{dim(product.k), dim(product.n)})
      return std::nullopt;
    // The body: out + ext(lhs) * sext(rhs), in int32.
    Block &body = *op.getBody();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    auto add = yield.getOperand(0).getDefiningOp<arith::AddIOp>();
    if (!add || !add.getType().isInteger(32))
      return std::nullopt;
    BlockArgument out = body.getArgument(2);
    Value mulValue = add.getLhs() == out ? add.getRhs() : add.getLhs();
    auto mul = mulValue.getDefiningOp<arith::MulIOp>();
    if (!mul || (add.getLhs() != out && add.getRhs() != out))
      return std::nullopt;
    BlockArgument lhsArg = body.getArgument(0), rhsArg = body.getArgument(1);
    std::optional<bool> lhsSign = extensionOf(mul.getLhs(), lhsArg);
    std::optional<bool> rhsSign = extensionOf(mul.getRhs(), rhsArg);
    if (!lhsSign || !rhsSign) {
      lhsSign = extensionOf(mul.getRhs(), lhsArg);
      rhsSign = extensionOf(mul.getLhs(), rhsArg);
    }
    // vpdpbusd multiplies unsigned bytes by signed ones: the weights must be the signed side.
    if (!lhsSign || !rhsSign || !*rhsSign)
      return std::nullopt;
    product.lhsSigned = *lhsSign;
    Attribute constant;
    if (!matchPattern(op.getDpsInputs()[1], m_Constant(&constant)))
      return std::nullopt;
    product.rhs = dyn_cast<DenseElementsAttr>(constant);
    if (!product.rhs)
      return std::nullopt;
    return product;
  }

  int64_t rows() { return ranges[m]; }
  int64_t columns() { return ranges[n]; }
  int64_t depth() { return ranges[k]; }
  int64_t groups() { return llvm::divideCeil(depth(), kGroup); }
  /// Columns of one register block: 32 (two vectors) when they divide the columns, else 16.
  int64_t blockColumns() { return columns() % (2 * kLanes) == 0 ? 2 * kLanes : kLanes; }
  int64_t blockRows() {
    for (int64_t candidate : {kMaxRows, int64_t(6), int64_t(4), int64_t(2)})
      if (rows() % candidate == 0)
        return candidate;
    return 1;
  }

  /// The weights [K, N] as panels of blockColumns() columns, each [K/4][columns][4]: one
  /// 64-byte row of a panel holds 4 consecutive k of 16 columns, what vpdpbusd multiplies with
  /// one broadcast group of 4 lhs bytes. K is padded to a multiple of 4 with zeros.
  DenseElementsAttr packedWeights() {
    int64_t nr = blockColumns(), panels = columns() / nr;
    SmallVector<int8_t> in = weightValues();
    std::vector<int8_t> out(panels * groups() * nr * kGroup, 0);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t g = 0; g < groups(); ++g)
        for (int64_t c = 0; c < nr; ++c)
          for (int64_t j = 0; j < kGroup && g * kGroup + j < depth(); ++j)
            out[((p * groups() + g) * nr + c) * kGroup + j] =
                in[(g * kGroup + j) * columns() + p * nr + c];
    auto type = RankedTensorType::get({panels, groups(), nr * kGroup},
                                      IntegerType::get(op.getContext(), 8));
    return DenseElementsAttr::get(type, ArrayRef<int8_t>(out));
  }

  /// For signed activations, which vpdpbusd reads as unsigned after adding 128: -128 times
  /// each weight column's sum, the int32 that undoes the shift.
  DenseElementsAttr signCorrection() {
    SmallVector<int8_t> in = weightValues();
    std::vector<int32_t> out(columns(), 0);
    for (int64_t row = 0; row < depth(); ++row)
      for (int64_t c = 0; c < columns(); ++c)
        out[c] -= 128 * int32_t(in[row * columns() + c]);
    auto type = RankedTensorType::get({columns()}, IntegerType::get(op.getContext(), 32));
    return DenseElementsAttr::get(type, ArrayRef<int32_t>(out));
  }

  SmallVector<int8_t> weightValues() { return SmallVector<int8_t>(rhs.getValues<int8_t>()); }

  Value index(OpBuilder &b, Location loc, int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  /// scf.for over [0, upper) by `step`, carrying `carried`.
  scf::ForOp loop(OpBuilder &b, Location loc, int64_t upper, int64_t step, ValueRange carried,
                  function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
    return scf::ForOp::create(
        b, loc, index(b, loc, 0), index(b, loc, upper), index(b, loc, step), carried,
        [&](OpBuilder &nested, Location, Value iv, ValueRange args) {
          scf::YieldOp::create(nested, loc, body(nested, iv, args));
        });
  }

  /// Replaces the product by the loop nest.
  void rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    OpBuilder &b = rewriter;
    auto i8 = b.getI8Type(), i32 = b.getI32Type();
    auto accType = VectorType::get({kLanes}, i32);
    auto bytesType = VectorType::get({kLanes * kGroup}, i8);
    int64_t nr = blockColumns(), mr = blockRows(), vectors = nr / kLanes;
    Value lhs = op.getDpsInputs()[0];
    Value packed = arith::ConstantOp::create(b, loc, packedWeights());
    Value correction =
        lhsSigned ? arith::ConstantOp::create(b, loc, signCorrection()).getResult() : Value();
    // A product that starts from a fill starts its blocks from the fill's value and writes
    // into the fill's destination.
    Value dest = op.getDpsInits()[0];
    Value start;
    if (auto fill = dest.getDefiningOp<linalg::FillOp>()) {
      start = vector::BroadcastOp::create(b, loc, accType, fill.getInputs()[0]);
      dest = fill.getOutputs()[0];
    }
    Value zeroByte = arith::ConstantIntOp::create(b, loc, i8, 0);
    Value flip = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(VectorType::get({kGroup}, i8), b.getI8IntegerAttr(-128)));
    StringAttr dot = b.getStringAttr(kDotIntrinsic);

    // ivs of the batch dimensions, then the block's first row and column.
    SmallVector<Value> batchIvs;
    auto outIndices = [&](Value row, Value column) {
      SmallVector<Value> indices(batchIvs);
      indices.append({row, column});
      return indices;
    };
    auto offset = [&](OpBuilder &nb, Value base, int64_t delta) -> Value {
      return delta == 0 ? base
                        : arith::AddIOp::create(nb, loc, base, index(nb, loc, delta)).getResult();
    };

    // One reduction step: group g of 4 k for every accumulator; `partial` reads the last,
    // shorter group of the lhs rows with zero padding.
    auto step = [&](OpBuilder &nb, Value panel, Value row0, Value g, SmallVector<Value> accs,
                    bool partial) {
      SmallVector<Value> weights;
      for (int64_t j = 0; j < vectors; ++j)
        weights.push_back(vector::TransferReadOp::create(
            nb, loc, bytesType, packed,
            ValueRange{panel, g, index(nb, loc, j * kLanes * kGroup)}, zeroByte,
            ArrayRef<bool>{true}));
      Value k0 = arith::MulIOp::create(nb, loc, g, index(nb, loc, kGroup));
      for (int64_t i = 0; i < mr; ++i) {
        SmallVector<Value> at(batchIvs);
        at.append({offset(nb, row0, i), k0});
        Value group = vector::TransferReadOp::create(nb, loc, VectorType::get({kGroup}, i8),
                                                     lhs, at, zeroByte,
                                                     ArrayRef<bool>{!partial});
        if (lhsSigned)
          group = arith::XOrIOp::create(nb, loc, group, flip);
        Value word = vector::BitCastOp::create(nb, loc, VectorType::get({1}, i32), group);
        Value scalar = vector::ExtractOp::create(nb, loc, word, ArrayRef<int64_t>{0});
        Value spread = vector::BitCastOp::create(
            nb, loc, bytesType, vector::BroadcastOp::create(nb, loc, accType, scalar));
        for (int64_t j = 0; j < vectors; ++j) {
          Value &acc = accs[i * vectors + j];
          acc = LLVM::CallIntrinsicOp::create(nb, loc, accType, dot,
                                              ValueRange{acc, spread, weights[j]})
                    .getResult(0);
        }
      }
      return accs;
    };

    // One block: mr rows from row0, the panel's columns.
    auto block = [&](OpBuilder &nb, Value panel, Value row0, Value result) -> Value {
      Value column0 = arith::MulIOp::create(nb, loc, panel, index(nb, loc, nr));
      SmallVector<Value> accs;
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t j = 0; j < vectors; ++j) {
          Value column = offset(nb, column0, j * kLanes);
          Value acc = start ? start
                            : vector::TransferReadOp::create(
                                  nb, loc, accType, result,
                                  outIndices(offset(nb, row0, i), column),
                                  arith::ConstantIntOp::create(nb, loc, i32, 0),
                                  ArrayRef<bool>{true})
                                  .getResult();
          if (correction)
            acc = arith::AddIOp::create(
                nb, loc, acc,
                vector::TransferReadOp::create(nb, loc, accType, correction, ValueRange{column},
                                               arith::ConstantIntOp::create(nb, loc, i32, 0),
                                               ArrayRef<bool>{true}));
          accs.push_back(acc);
        }
      int64_t whole = depth() / kGroup;
      if (whole > 0)
        accs = SmallVector<Value>(
            loop(nb, loc, whole, 1, accs,
                 [&](OpBuilder &kb, Value g, ValueRange carried) {
                   return step(kb, panel, row0, g, SmallVector<Value>(carried), false);
                 })
                .getResults());
      if (depth() % kGroup != 0)
        accs = step(nb, panel, row0, index(nb, loc, whole), accs, true);
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t j = 0; j < vectors; ++j)
          result = vector::TransferWriteOp::create(
                       nb, loc, accs[i * vectors + j], result,
                       outIndices(offset(nb, row0, i), offset(nb, column0, j * kLanes)),
                       ArrayRef<bool>{true})
                       .getResult();
      return result;
    };

    // Batch loops outermost, then the panels (one panel of weights serves every row block),
    // then the row blocks.
    std::function<Value(OpBuilder &, unsigned, Value)> nest = [&](OpBuilder &nb, unsigned level,
                                                                  Value result) -> Value {
      if (level < batchDims.size())
        return loop(nb, loc, ranges[batchDims[level]], 1, result,
                    [&](OpBuilder &lb, Value iv, ValueRange carried) -> SmallVector<Value> {
                      batchIvs.push_back(iv);
                      Value next = nest(lb, level + 1, carried[0]);
                      batchIvs.pop_back();
                      return {next};
                    })
            .getResult(0);
      return loop(nb, loc, columns() / nr, 1, result,
                  [&](OpBuilder &pb, Value panel, ValueRange carried) -> SmallVector<Value> {
                    return {loop(pb, loc, rows(), mr, carried,
                                 [&](OpBuilder &rb, Value row0,
                                     ValueRange inner) -> SmallVector<Value> {
                                   return {block(rb, panel, row0, inner[0])};
                                 })
                                .getResult(0)};
                  })
          .getResult(0);
    };
    Value result = nest(b, 0, dest);
    rewriter.replaceOp(op, result);
  }
};

struct VectorizeInt8ContractionsPass
    : impl::VectorizeInt8ContractionsPassBase<VectorizeInt8ContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (!vnni)
      return;
    SmallVector<Int8Product> products;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Int8Product> product = Int8Product::match(op))
        products.push_back(*product);
    });
    IRRewriter rewriter(&getContext());
    for (Int8Product &product : products)
      product.rewrite(rewriter);
  }
};

} // namespace
} // namespace dlc::cpu
