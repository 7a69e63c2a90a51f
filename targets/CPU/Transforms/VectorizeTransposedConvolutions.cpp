// The dlc-cpu-vectorize-transposed-convolutions pass: the transposed direct f32 convolutions of
// DirectConvolution.h become register blocks of output positions (each input element
// broadcast) by vectors of filters, transposed in registers before their one store (see
// Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/DirectConvolution.h"
#include "targets/CPU/Transforms/DotInstructions.h"
#include "targets/CPU/Transforms/DotOperands.h"
#include "targets/CPU/Transforms/VectorBody.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZETRANSPOSEDCONVOLUTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// `rows` (at most `lanes` vectors of `lanes` lanes; missing rows are taken as don't-care)
/// transposed: lane k of result j is lane j of row k. log2(lanes) stages swap the off-diagonal
/// halves of ever smaller square blocks, each stage one two-source shuffle per vector (on
/// AVX-512, 64 shuffles for a 16 x 16 block).
SmallVector<Value> transposeBlock(OpBuilder &b, Location loc, ArrayRef<Value> rows,
                                  int64_t lanes) {
  SmallVector<Value> block(rows);
  block.resize(lanes, rows.front());
  for (int64_t width = lanes / 2; width >= 1; width /= 2) {
    SmallVector<int64_t> low(lanes), high(lanes);
    for (int64_t k = 0; k < lanes; ++k) {
      bool first = (k & width) == 0;
      low[k] = first ? k : lanes + k - width;
      high[k] = first ? k + width : lanes + k;
    }
    SmallVector<Value> next(block);
    for (int64_t i = 0; i < lanes; ++i) {
      if (i & width)
        continue;
      next[i] = vector::ShuffleOp::create(b, loc, block[i], block[i + width], low);
      next[i + width] = vector::ShuffleOp::create(b, loc, block[i], block[i + width], high);
    }
    block = std::move(next);
  }
  return block;
}

/// A register block's shape: `positions` consecutive output positions of one row by `vectors`
/// vectors of filters, their product the accumulators, which with the filter vectors and a
/// broadcast must fit the registers (32 on AVX-512, 16 on AVX2), or LLVM spills accumulators
/// inside the reduction: 14 positions by 2 vectors on AVX-512, where 14 divides the rows of
/// ResNet's maps (56, 28, 14), 7 by 3 on a 7x7 map (7 by 4 spilled two); 6 by 2 on AVX2.
struct BlockShape {
  int64_t positions, vectors;

  static BlockShape of(int64_t lanes, int64_t rowPositions, int64_t filterVectors) {
    // A block's positions become the lanes of its transposed vectors: at most one vector.
    int64_t registers = lanes >= 16 ? 32 : 16;
    int64_t most = std::min<int64_t>(lanes >= 16 ? 14 : 6, lanes);
    int64_t positions = std::min(rowPositions, most);
    // A divisor of the row near the most, so no narrow block is left at the row's end.
    for (int64_t candidate = most; candidate > most / 2 && rowPositions > most; --candidate)
      if (rowPositions % candidate == 0) {
        positions = candidate;
        break;
      }
    int64_t vectors = std::clamp<int64_t>((registers - 1) / (positions + 1), 1, 4);
    return {positions, std::min(vectors, filterVectors)};
  }
};

struct TransposedConvolution : directconv::Kernel {
  static std::optional<TransposedConvolution> match(linalg::GenericOp op, int64_t lanes) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op.getNumLoops() != 7 || op.getNumReductionLoops() != 3)
      return std::nullopt;
    auto inputType = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
    auto resultType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
    if (!inputType || !resultType || !inputType.hasStaticShape() ||
        !resultType.hasStaticShape() || !inputType.getElementType().isF32() ||
        !resultType.getElementType().isF32() || inputType.getRank() != 4 ||
        resultType.getRank() != 4 || resultType.getDimSize(1) % lanes != 0)
      return std::nullopt;
    TransposedConvolution conv{{op, {}, {}, {}}};
    AffineMap inputMap = op.getIndexingMapsArray()[0];
    if (inputMap.getNumResults() != 4)
      return std::nullopt;
    for (unsigned axis = 0; axis < 2; ++axis) {
      std::optional<int64_t> stride = directconv::valueAtUnit(inputMap.getResult(2 + axis),
                                                              2 + axis, 7);
      std::optional<int64_t> dilation = directconv::valueAtUnit(inputMap.getResult(2 + axis),
                                                                5 + axis, 7);
      if (!stride || !dilation || *stride < 1 || *dilation < 1)
        return std::nullopt;
      conv.strides[axis] = *stride;
      conv.dilations[axis] = *dilation;
    }
    if (op.getIndexingMapsArray() !=
            ArrayRef(directconv::transposedMaps(op.getContext(), conv.strides, conv.dilations)) ||
        !directconv::hasMultiplyAdd(op))
      return std::nullopt;
    Attribute constant;
    if (!matchPattern(op.getDpsInputs()[1], m_Constant(&constant)))
      return std::nullopt;
    conv.weights = dyn_cast<DenseElementsAttr>(constant);
    if (!conv.weights || !conv.weights.getElementType().isF32())
      return std::nullopt;
    conv.prologue = prologueOf(op.getDpsInits()[0], 4);
    conv.epilogue = epilogueOf(op.getResult(0), 4);
    return conv;
  }

  void rewrite(RewriterBase &rewriter, int64_t lanes, int64_t l2Bytes) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(last());
    OpBuilder &b = rewriter;
    Type f32 = b.getF32Type();
    auto vectorType = VectorType::get({lanes}, f32);
    Value input = op.getDpsInputs()[0];
    Value dest = destination();
    Value init = op.getDpsInits()[0];
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    Value zeros = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vectorType, 0.0f));
    int64_t batch = resultType().getDimSize(0), outH = resultType().getDimSize(2),
            outW = resultType().getDimSize(3);
    int64_t kh = kernelHeight(), kw = kernelWidth();
    BlockShape shape = BlockShape::of(lanes, outW, filters() / lanes);
    int64_t groupWidth = shape.vectors * lanes;
    Value packed =
        arith::ConstantOp::create(b, loc, directconv::interleavedFilters(weights, groupWidth));

    auto offset = [&](OpBuilder &nb, Value base, int64_t delta) {
      return addIndex(nb, loc, base, delta);
    };
    auto scaled = [&](OpBuilder &nb, Value base, int64_t factor) {
      return mulIndex(nb, loc, base, factor);
    };
    // The start of output vector `at` (positions along the lanes): the fill, the prologue's
    // vector or the init's, added after the products (the registers start from zero).
    auto startOf = [&](OpBuilder &nb, ArrayRef<Value> at, bool inBounds) -> Value {
      if (auto fill = dyn_cast_or_null<linalg::FillOp>(prologue)) {
        if (matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
          return {};
        return vector::BroadcastOp::create(nb, loc, vectorType, fill.getInputs()[0]);
      }
      if (auto generic = dyn_cast_or_null<linalg::GenericOp>(prologue))
        return ElementwiseStage{generic}.emit(nb, loc, at, lanes, nullptr, nullptr, inBounds);
      return vector::TransferReadOp::create(nb, loc, vectorType, init, at, zero,
                                            ArrayRef<bool>{inBounds});
    };
    // One register block: `count` positions of row oh from ow0 by the `vectors` filter vectors
    // from f0.
    auto block = [&](OpBuilder &nb, Value n, Value oh, Value ow0, int64_t count, Value f0,
                     int64_t vectors, Value result) -> Value {
      SmallVector<Value> accs(count * vectors, zeros);
      Value rowAt = scaled(nb, oh, strides[0]);
      SmallVector<Value> columnsAt;
      for (int64_t i = 0; i < count; ++i)
        columnsAt.push_back(scaled(nb, offset(nb, ow0, i), strides[1]));
      int64_t width = vectors * lanes;
      Value weightBase = scaled(nb, f0, taps());
      // One step: tap (c, y, x), each a loop of its own. Unrolled over a 7x7 filter's taps,
      // LLVM hoisted the broadcasts of many taps and spilled the accumulators (ResNet-50's stem
      // 1.45x slower).
      auto step = [&](OpBuilder &kb, Value c, Value y, Value x,
                      ValueRange carried) -> SmallVector<Value> {
        SmallVector<Value> next(carried);
        Value tap = arith::AddIOp::create(
            kb, loc, scaled(kb, arith::AddIOp::create(kb, loc, scaled(kb, c, kh), y), kw), x);
        Value tapBase = arith::AddIOp::create(kb, loc, weightBase, scaled(kb, tap, width));
        SmallVector<Value> filterVectors;
        for (int64_t v = 0; v < vectors; ++v)
          filterVectors.push_back(vector::TransferReadOp::create(
              kb, loc, vectorType, packed, ValueRange{offset(kb, tapBase, v * lanes)}, zero,
              ArrayRef<bool>{true}));
        Value row = arith::AddIOp::create(kb, loc, rowAt, scaled(kb, y, dilations[0]));
        Value column = scaled(kb, x, dilations[1]);
        for (int64_t i = 0; i < count; ++i) {
          Value element = tensor::ExtractOp::create(
              kb, loc, input,
              ValueRange{n, c, row, arith::AddIOp::create(kb, loc, columnsAt[i], column)});
          Value spread = vector::BroadcastOp::create(kb, loc, vectorType, element);
          for (int64_t v = 0; v < vectors; ++v) {
            Value &acc = next[i * vectors + v];
            acc = vector::FMAOp::create(kb, loc, spread, filterVectors[v], acc);
          }
        }
        return next;
      };
      auto overTaps = [&](OpBuilder &cb, Value c, ValueRange carried) -> SmallVector<Value> {
        return forLoop(cb, loc, kh, 1, carried,
                       [&](OpBuilder &yb, Value y, ValueRange inner) -> SmallVector<Value> {
                         return forLoop(yb, loc, kw, 1, inner,
                                        [&](OpBuilder &xb, Value x, ValueRange taps) {
                                          return step(xb, c, y, x, taps);
                                        })
                             .getResults();
                       })
            .getResults();
      };
      accs = SmallVector<Value>(forLoop(nb, loc, channels(), 1, accs, overTaps).getResults());
      // A vector of positions from ow0 stays inside the row in every block but a narrow last
      // one, unless the row is shorter than a vector or a block's vector reaches past it; its
      // first `count` lanes are the block's, the ones the mask stores.
      int64_t whole = outW / shape.positions * shape.positions;
      bool inBounds = count == shape.positions && whole - shape.positions + lanes <= outW;
      Value mask = vector::ConstantMaskOp::create(
          nb, loc, VectorType::get({lanes}, nb.getI1Type()),
          nb.getDenseI64ArrayAttr({count}));
      // Each filter vector's accumulators transposed: one vector of positions per filter.
      for (int64_t v = 0; v < vectors; ++v) {
        SmallVector<Value> rows;
        for (int64_t i = 0; i < count; ++i)
          rows.push_back(accs[i * vectors + v]);
        SmallVector<Value> columns = transposeBlock(nb, loc, rows, lanes);
        for (int64_t j = 0; j < lanes; ++j) {
          Value f = offset(nb, f0, v * lanes + j);
          SmallVector<Value> at{n, f, oh, ow0};
          Value value = columns[j];
          if (Value start = startOf(nb, at, inBounds))
            value = arith::AddFOp::create(nb, loc, start, value);
          if (epilogue)
            value = ElementwiseStage{epilogue}.emit(nb, loc, at, lanes, op.getResult(0), value,
                                                    inBounds);
          result = vector::TransferWriteOp::create(
                       nb, loc, value, result, at,
                       AffineMapAttr::get(AffineMap::getMinorIdentityMap(4, 1, nb.getContext())),
                       mask, nb.getBoolArrayAttr({inBounds}))
                       .getResult();
        }
      }
      return result;
    };

    // Every position block of a row, for one filter group; every filter group, for one
    // position block.
    using Body = function_ref<Value(OpBuilder &, Value, int64_t, Value)>;
    auto overRow = [&](OpBuilder &rb, Value result, Body body) -> Value {
      int64_t whole = outW / shape.positions * shape.positions;
      result = forLoop(rb, loc, whole, shape.positions, result,
                       [&](OpBuilder &pb, Value ow0, ValueRange carried) -> SmallVector<Value> {
                         return {body(pb, ow0, shape.positions, carried[0])};
                       })
                   .getResult(0);
      if (whole < outW)
        result = body(rb, indexConstant(rb, loc, whole), outW - whole, result);
      return result;
    };
    auto overFilters = [&](OpBuilder &fb, Value result, Body body) -> Value {
      int64_t whole = filters() / groupWidth * groupWidth;
      result = forLoop(fb, loc, whole, groupWidth, result,
                       [&](OpBuilder &gb, Value f0, ValueRange carried) -> SmallVector<Value> {
                         return {body(gb, f0, shape.vectors, carried[0])};
                       })
                   .getResult(0);
      if (whole < filters())
        result = body(fb, indexConstant(fb, loc, whole), (filters() - whole) / lanes, result);
      return result;
    };
    auto overRows = [&](OpBuilder &hb, Value result,
                        function_ref<Value(OpBuilder &, Value, Value)> body) -> Value {
      return forLoop(hb, loc, outH, 1, result,
                     [&](OpBuilder &rb, Value oh, ValueRange carried) -> SmallVector<Value> {
                       return {body(rb, oh, carried[0])};
                     })
          .getResult(0);
    };

    // An input whose rows the convolution reads fit half of L2 is read by every filter group,
    // and the filters once, a group at a time (filters outside); a larger one a block at a
    // time, each block meeting all the filters (positions outside). A stride taller than the
    // filter skips rows (a 1x1 stride-2 convolution reads half of them).
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rowsRead = std::min(
        inputType.getDimSize(2),
        outH * std::min(strides[0], (kh - 1) * dilations[0] + 1));
    int64_t inputBytes = inputType.getNumElements() / inputType.getDimSize(2) * rowsRead * 4;
    bool positionsOutside = inputBytes > l2Bytes / 2;
    Value result = forLoop(
        b, loc, batch, 1, dest,
        [&](OpBuilder &ib, Value n, ValueRange carried) -> SmallVector<Value> {
          if (positionsOutside)
            return {overRows(ib, carried[0], [&](OpBuilder &rb, Value oh, Value image) {
              return overRow(rb, image, [&](OpBuilder &pb, Value ow0, int64_t count, Value row) {
                return overFilters(pb, row,
                                   [&](OpBuilder &gb, Value f0, int64_t vectors, Value inner) {
                                     return block(gb, n, oh, ow0, count, f0, vectors, inner);
                                   });
              });
            })};
          return {overFilters(
              ib, carried[0], [&](OpBuilder &gb, Value f0, int64_t vectors, Value image) {
                return overRows(gb, image, [&](OpBuilder &rb, Value oh, Value rows) {
                  return overRow(rb, rows,
                                 [&](OpBuilder &pb, Value ow0, int64_t count, Value inner) {
                                   return block(pb, n, oh, ow0, count, f0, vectors, inner);
                                 });
                });
              })};
        })
        .getResult(0);
    replaceWith(rewriter, result);
  }
};

struct VectorizeTransposedConvolutionsPass
    : impl::VectorizeTransposedConvolutionsPassBase<VectorizeTransposedConvolutionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 4 || !llvm::isPowerOf2_64(lanes)) {
      getOperation().emitError(
          "dlc-cpu-vectorize-transposed-convolutions needs lanes a power of 2, at least 4");
      return signalPassFailure();
    }
    SmallVector<TransposedConvolution> convolutions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<TransposedConvolution> conv = TransposedConvolution::match(op, lanes))
        convolutions.push_back(*conv);
    });
    keepEpiloguesOnce(convolutions);
    IRRewriter rewriter(&getContext());
    for (TransposedConvolution &conv : convolutions)
      conv.rewrite(rewriter, lanes, l2Bytes);
  }
};

} // namespace
} // namespace dlc::cpu
