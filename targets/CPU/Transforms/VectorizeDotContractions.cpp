// The dlc-cpu-vectorize-dot-contractions pass: matrix products whose narrow operands a dot
// product instruction multiplies in groups (8-bit integers summed in int32 with AVX512-VNNI's
// vpdpbusd, bf16 summed in f32 with AVX512-BF16's vdpbf16ps), with a constant right-hand side,
// become register blocks of that instruction (see Passes.td for the loop nest, the packed
// layout and the signed-activation correction).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/DotInstructions.h"
#include "targets/CPU/Transforms/DotProducts.h"
#include "targets/CPU/Transforms/DotOperands.h"
#include "targets/CPU/Transforms/VectorBody.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/Matchers.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZEDOTCONTRACTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

constexpr int64_t kLanes = kDotLanes;
/// The most rows of a register block: 8 rows x 2 vectors are 16 accumulators of the 32 zmm
/// registers, beside the 2 weight vectors and a broadcast row.
constexpr int64_t kMaxRows = 8;

/// A product this pass computes (DotProducts.h), with its register blocks.
struct DotKernel : DotProduct {
  explicit DotKernel(DotProduct product) : DotProduct(std::move(product)) {}

  /// Columns of one register block: 32 (two vectors) when they divide the columns, else 16.
  int64_t blockColumns() { return columns() % (2 * kLanes) == 0 ? 2 * kLanes : kLanes; }
  /// Panels of blockColumns() columns; the last one is partial (zero weights, masked stores)
  /// when they do not divide the columns.
  int64_t panels() { return llvm::divideCeil(columns(), blockColumns()); }
  int64_t blockRows() {
    for (int64_t candidate : {kMaxRows, int64_t(6), int64_t(4), int64_t(2)})
      if (rows() % candidate == 0)
        return candidate;
    return 1;
  }

  /// The weights [K, N] as panels of blockColumns() columns, each [K/g][columns][g] for the
  /// instruction's group g: one 64-byte row of a panel holds g consecutive k of 16 columns,
  /// what one instruction multiplies with one broadcast group of the lhs. K is padded to a
  /// multiple of g with zeros.
  DenseElementsAttr packedWeights() {
    int64_t nr = blockColumns(), panels = this->panels(), g = group();
    size_t width = rhs.getElementType().getIntOrFloatBitWidth() / 8;
    // A splat holds one element; any other constant every element, row-major.
    ArrayRef<char> raw = rhs.getRawData();
    auto source = [&](int64_t row, int64_t column) {
      return raw.data() + (rhs.isSplat() ? 0 : (row * columns() + column) * width);
    };
    std::vector<char> out(panels * groups() * nr * g * width, 0);
    for (int64_t p = 0; p < panels; ++p)
      for (int64_t q = 0; q < groups(); ++q)
        for (int64_t c = 0; c < nr && p * nr + c < columns(); ++c)
          for (int64_t j = 0; j < g && q * g + j < depth(); ++j)
            std::memcpy(out.data() + (((p * groups() + q) * nr + c) * g + j) * width,
                        source(q * g + j, p * nr + c), width);
    auto type = RankedTensorType::get({panels, groups(), nr * g}, element());
    return DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(out));
  }

  /// For signed activations, which vpdpbusd reads as unsigned after adding 128: -128 times
  /// each weight column's sum, the int32 that undoes the shift.
  DenseElementsAttr signCorrection() {
    SmallVector<int8_t> in(rhs.isSplat() ? SmallVector<int8_t>(depth() * columns(),
                                                             rhs.getSplatValue<int8_t>())
                                         : SmallVector<int8_t>(rhs.getValues<int8_t>()));
    // Padded to whole panels, so that the last one reads it in bounds.
    int64_t padded = panels() * blockColumns();
    std::vector<int32_t> out(padded, 0);
    for (int64_t row = 0; row < depth(); ++row)
      for (int64_t c = 0; c < columns(); ++c)
        out[c] -= 128 * int32_t(in[row * columns() + c]);
    auto type = RankedTensorType::get({padded}, IntegerType::get(op.getContext(), 32));
    return DenseElementsAttr::get(type, ArrayRef<int32_t>(out));
  }


  Value index(OpBuilder &b, Location loc, int64_t value) { return indexConstant(b, loc, value); }

  /// Replaces the product by the loop nest.
  void rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    OpBuilder &b = rewriter;
    Type narrow = element(), sum = sumType(), i32 = b.getI32Type();
    int64_t g = group();
    auto accType = VectorType::get({kLanes}, sum);
    auto bytesType = VectorType::get({kLanes * g}, narrow);
    int64_t nr = blockColumns(), mr = blockRows(), vectors = nr / kLanes;
    Value lhs = op.getDpsInputs()[0];
    Value packed = arith::ConstantOp::create(b, loc, packedWeights());
    Value correction =
        lhsSigned ? arith::ConstantOp::create(b, loc, signCorrection()).getResult() : Value();
    // A product that starts from a fill starts its blocks from the fill's value and writes
    // into the fill's destination; with an epilogue, blocks are written into the epilogue's.
    Value init = op.getDpsInits()[0], dest = init;
    Value start;
    if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
      start = vector::BroadcastOp::create(b, loc, accType, fill.getInputs()[0]);
      dest = fill.getOutputs()[0];
    }
    if (epilogue) {
      rewriter.setInsertionPoint(epilogue);
      dest = epilogue.getDpsInits()[0];
    }
    Value zeroByte = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(narrow)));
    Value zeroSum = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(sum)));
    Value flip = lhsSigned ? arith::ConstantOp::create(
                                 b, loc, DenseElementsAttr::get(VectorType::get({g}, narrow),
                                                                b.getI8IntegerAttr(-128)))
                                 .getResult()
                           : Value();
    auto dot = [&](OpBuilder &nb, Value acc, Value spread, Value weights) -> Value {
      return emitDot(nb, loc, kind, acc, spread, weights);
    };

    // ivs of the batch dimensions, then the block's first row and column.
    SmallVector<Value> batchIvs;
    auto outIndices = [&](Value row, Value column) {
      SmallVector<Value> indices(batchIvs);
      indices.append({row, column});
      return indices;
    };
    auto offset = [&](OpBuilder &nb, Value base, int64_t delta) {
      return addIndex(nb, loc, base, delta);
    };

    // One reduction step: group g of 4 k for every accumulator; `partial` reads the last,
    // shorter group of the lhs rows with zero padding.
    auto step = [&](OpBuilder &nb, Value panel, Value row0, Value q, SmallVector<Value> accs,
                    bool partial) {
      SmallVector<Value> weights;
      for (int64_t j = 0; j < vectors; ++j)
        weights.push_back(vector::TransferReadOp::create(
            nb, loc, bytesType, packed,
            ValueRange{panel, q, index(nb, loc, j * kLanes * g)}, zeroByte,
            ArrayRef<bool>{true}));
      Value k0 = arith::MulIOp::create(nb, loc, q, index(nb, loc, g));
      for (int64_t i = 0; i < mr; ++i) {
        SmallVector<Value> at(batchIvs);
        at.append({offset(nb, row0, i), k0});
        Value group = vector::TransferReadOp::create(nb, loc, VectorType::get({g}, narrow),
                                                     lhs, at, zeroByte,
                                                     ArrayRef<bool>{!partial});
        if (lhsSigned)
          group = arith::XOrIOp::create(nb, loc, group, flip);
        Value word = vector::BitCastOp::create(nb, loc, VectorType::get({1}, i32), group);
        Value scalar = vector::ExtractOp::create(nb, loc, word, ArrayRef<int64_t>{0});
        Value spread = vector::BitCastOp::create(
            nb, loc, bytesType,
            vector::BroadcastOp::create(nb, loc, VectorType::get({kLanes}, i32), scalar));
        for (int64_t j = 0; j < vectors; ++j) {
          Value &acc = accs[i * vectors + j];
          acc = dot(nb, acc, spread, weights[j]);
        }
      }
      return accs;
    };

    // One block: mr rows from row0, the panel's columns (masked past the last column unless
    // `inBounds`).
    auto block = [&](OpBuilder &nb, Value panel, Value row0, Value result,
                     bool inBounds) -> Value {
      Value column0 = arith::MulIOp::create(nb, loc, panel, index(nb, loc, nr));
      SmallVector<Value> accs;
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t j = 0; j < vectors; ++j) {
          Value column = offset(nb, column0, j * kLanes);
          Value acc = start ? start
                            : vector::TransferReadOp::create(
                                  nb, loc, accType, epilogue ? init : result,
                                  outIndices(offset(nb, row0, i), column),
                                  zeroSum, ArrayRef<bool>{inBounds})
                                  .getResult();
          if (correction)
            acc = arith::AddIOp::create(
                nb, loc, acc,
                vector::TransferReadOp::create(nb, loc, accType, correction, ValueRange{column},
                                               arith::ConstantIntOp::create(nb, loc, i32, 0),
                                               ArrayRef<bool>{true}));
          accs.push_back(acc);
        }
      int64_t whole = depth() / g;
      if (whole > 0)
        accs = SmallVector<Value>(
            forLoop(nb, loc, whole, 1, accs,
                 [&](OpBuilder &kb, Value q, ValueRange carried) {
                   return step(kb, panel, row0, q, SmallVector<Value>(carried), false);
                 })
                .getResults());
      if (depth() % g != 0)
        accs = step(nb, panel, row0, index(nb, loc, whole), accs, true);
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t j = 0; j < vectors; ++j) {
          SmallVector<Value> at = outIndices(offset(nb, row0, i), offset(nb, column0, j * kLanes));
          Value value = accs[i * vectors + j];
          if (epilogue)
            value = ElementwiseStage{epilogue, /*contract=*/true}.emit(
                nb, loc, at, kLanes, op.getResult(0), value, inBounds);
          result = vector::TransferWriteOp::create(nb, loc, value, result, at,
                                                   ArrayRef<bool>{inBounds})
                       .getResult();
        }
      return result;
    };

    // Batch loops outermost, then the panels (one panel of weights serves every row block),
    // then the row blocks.
    Value result = batchLoops(b, loc, dest, batchIvs, [&](OpBuilder &nb, Value result) {
      auto rowBlocks = [&](OpBuilder &pb, Value panel, Value carried, bool inBounds) {
        return forLoop(pb, loc, rows(), mr, carried,
                       [&](OpBuilder &rb, Value row0, ValueRange inner) -> SmallVector<Value> {
                         return {block(rb, panel, row0, inner[0], inBounds)};
                       })
            .getResult(0);
      };
      int64_t whole = columns() / nr;
      if (whole > 0)
        result = forLoop(nb, loc, whole, 1, result,
                         [&](OpBuilder &pb, Value panel,
                             ValueRange carried) -> SmallVector<Value> {
                           return {rowBlocks(pb, panel, carried[0], true)};
                         })
                     .getResult(0);
      if (whole < panels())
        result = rowBlocks(nb, index(nb, loc, whole), result, false);
      return result;
    });
    replaceWithKernel(rewriter, op, epilogue, result);
  }
};

struct VectorizeDotContractionsPass
    : impl::VectorizeDotContractionsPassBase<VectorizeDotContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (!vnni && !bf16)
      return;
    SmallVector<DotKernel> products;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<DotProduct> product = DotProduct::match(op, vnni, bf16))
        products.push_back(DotKernel(std::move(*product)));
    });
    // An elementwise op that reads two products is the epilogue of the first; the second
    // stores its result for it.
    keepEpiloguesOnce(products);
    IRRewriter rewriter(&getContext());
    for (DotKernel &product : products)
      product.rewrite(rewriter);
  }
};

} // namespace
} // namespace dlc::cpu
