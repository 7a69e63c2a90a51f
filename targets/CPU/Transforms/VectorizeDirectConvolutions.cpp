// The dlc-cpu-vectorize-direct-convolutions pass: the direct f32 convolutions of
// DirectConvolution.h become register blocks of broadcast filters by vectors of output
// positions read from the input in place (see Passes.td).
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

#define GEN_PASS_DEF_VECTORIZEDIRECTCONVOLUTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

using directconv::hasMultiplyAdd;
using directconv::valueAtUnit;

RankedTensorType tensorType(Value value) { return cast<RankedTensorType>(value.getType()); }

/// One vector of a register block: output row `row` of the block, positions from `column`,
/// `full` when all `lanes` lie inside the row (the last of a row may be partly past it).
struct Span {
  int64_t row, column;
  bool full;
};

struct DirectConvolution : directconv::Kernel {
  static std::optional<DirectConvolution> match(linalg::GenericOp op) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op.getNumLoops() != 7 || op.getNumReductionLoops() != 3)
      return std::nullopt;
    Value input = op.getDpsInputs()[0], filter = op.getDpsInputs()[1];
    auto inputType = dyn_cast<RankedTensorType>(input.getType());
    auto resultType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
    if (!inputType || !resultType || !inputType.hasStaticShape() ||
        !resultType.hasStaticShape() || !inputType.getElementType().isF32() ||
        !resultType.getElementType().isF32() || resultType.getRank() != 4)
      return std::nullopt;
    DirectConvolution conv{{op, {}, {}, {}}};
    AffineMap inputMap = op.getIndexingMapsArray()[0];
    if (inputType.getRank() != 5 || inputMap.getNumResults() != 5)
      return std::nullopt;
    // Strides and dilations: the height's from its index, the width's from the phase count and
    // the column the first tap of the next filter column reads (phase + s * offset).
    std::optional<int64_t> stride = valueAtUnit(inputMap.getResult(2), 2, 7);
    std::optional<int64_t> dilation = valueAtUnit(inputMap.getResult(2), 5, 7);
    std::optional<int64_t> phase = valueAtUnit(inputMap.getResult(3), 6, 7);
    std::optional<int64_t> shift = valueAtUnit(inputMap.getResult(4), 6, 7);
    if (!stride || !dilation || !phase || !shift || *stride < 1 || *dilation < 1)
      return std::nullopt;
    conv.strides[0] = *stride;
    conv.dilations[0] = *dilation;
    conv.strides[1] = inputType.getDimSize(3);
    conv.dilations[1] = *phase + conv.strides[1] * *shift;
    if (conv.dilations[1] < 1)
      return std::nullopt;
    if (op.getIndexingMapsArray() !=
            ArrayRef(directconv::maps(op.getContext(), conv.strides, conv.dilations)) ||
        !hasMultiplyAdd(op))
      return std::nullopt;
    Attribute constant;
    if (!matchPattern(filter, m_Constant(&constant)))
      return std::nullopt;
    conv.weights = dyn_cast<DenseElementsAttr>(constant);
    if (!conv.weights || !conv.weights.getElementType().isF32())
      return std::nullopt;
    conv.prologue = prologueOf(op.getDpsInits()[0], 4);
    conv.epilogue = epilogueOf(op.getResult(0), 4);
    return conv;
  }

  void rewrite(RewriterBase &rewriter, int64_t lanes, int64_t maxRows, int64_t l2Bytes) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(last());
    OpBuilder &b = rewriter;
    Type f32 = b.getF32Type();
    auto vectorType = VectorType::get({lanes}, f32);
    Value input = op.getDpsInputs()[0];
    Value dest = destination();
    Value init = op.getDpsInits()[0];
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    int64_t rows = std::min(maxRows, filters());
    Value packed = arith::ConstantOp::create(b, loc, directconv::interleavedFilters(weights, rows));
    int64_t batch = resultType().getDimSize(0), outH = resultType().getDimSize(2),
            outW = resultType().getDimSize(3);
    int64_t s = strides[1], kh = kernelHeight(), kw = kernelWidth();
    SmallVector<Value> phaseOf;
    for (int64_t x = 0; x < kw; ++x)
      phaseOf.push_back(indexConstant(b, loc, x * dilations[1] % s));

    auto offset = [&](OpBuilder &nb, Value base, int64_t delta) {
      return addIndex(nb, loc, base, delta);
    };
    auto scaled = [&](OpBuilder &nb, Value base, int64_t factor) {
      return mulIndex(nb, loc, base, factor);
    };
    // One register block: filters f0 .. f0 + mr by the spans from output position (oh0, ow0).
    auto block = [&](OpBuilder &nb, Value n, Value f0, int64_t mr, Value oh0, Value ow0,
                     ArrayRef<Span> spans, Value result) -> Value {
      auto resultAt = [&](int64_t i, const Span &span) -> SmallVector<Value> {
        return {n, offset(nb, f0, i), offset(nb, oh0, span.row), offset(nb, ow0, span.column)};
      };
      SmallVector<Value> accs;
      for (int64_t i = 0; i < mr; ++i)
        for (const Span &span : spans) {
          SmallVector<Value> at = resultAt(i, span);
          Value acc;
          if (auto fill = dyn_cast_or_null<linalg::FillOp>(prologue))
            acc = vector::BroadcastOp::create(nb, loc, vectorType, fill.getInputs()[0]);
          else if (auto generic = dyn_cast_or_null<linalg::GenericOp>(prologue))
            acc = ElementwiseStage{generic}.emit(nb, loc, at, lanes, nullptr, nullptr,
                                                 span.full);
          else
            acc = vector::TransferReadOp::create(nb, loc, vectorType, init, at, zero,
                                                 ArrayRef<bool>{span.full});
          accs.push_back(acc);
        }
      // The input row and column each span starts from, at kernel tap (0, 0).
      SmallVector<Value> rowsAt, columnsAt;
      for (const Span &span : spans) {
        rowsAt.push_back(scaled(nb, offset(nb, oh0, span.row), strides[0]));
        columnsAt.push_back(offset(nb, ow0, span.column));
      }
      Value weightBase = scaled(nb, f0, taps());
      auto step = [&](OpBuilder &kb, Value c, ValueRange carried) -> SmallVector<Value> {
        SmallVector<Value> next(carried);
        Value channelBase = arith::AddIOp::create(kb, loc, weightBase,
                                                  scaled(kb, c, kh * kw * mr));
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x) {
            SmallVector<Value> positions;
            for (size_t v = 0; v < spans.size(); ++v)
              positions.push_back(vector::TransferReadOp::create(
                  kb, loc, vectorType, input,
                  ValueRange{n, c, offset(kb, rowsAt[v], y * dilations[0]), phaseOf[x],
                             offset(kb, columnsAt[v], x * dilations[1] / s)},
                  zero, ArrayRef<bool>{true}));
            for (int64_t i = 0; i < mr; ++i) {
              Value weight = tensor::ExtractOp::create(
                  kb, loc, packed, ValueRange{offset(kb, channelBase, (y * kw + x) * mr + i)});
              Value spread = vector::BroadcastOp::create(kb, loc, vectorType, weight);
              for (size_t v = 0; v < spans.size(); ++v) {
                Value &acc = next[i * spans.size() + v];
                acc = vector::FMAOp::create(kb, loc, spread, positions[v], acc);
              }
            }
          }
        return next;
      };
      accs = SmallVector<Value>(forLoop(nb, loc, channels(), 1, accs, step).getResults());
      for (int64_t i = 0; i < mr; ++i)
        for (auto [v, span] : llvm::enumerate(spans)) {
          SmallVector<Value> at = resultAt(i, span);
          Value value = accs[i * spans.size() + v];
          if (epilogue)
            value = ElementwiseStage{epilogue}.emit(nb, loc, at, lanes, op.getResult(0), value,
                                                    span.full);
          result = vector::TransferWriteOp::create(nb, loc, value, result, at,
                                                   ArrayRef<bool>{span.full})
                       .getResult();
        }
      return result;
    };

    // The spans of a block: along a row, pairs of vectors, then what remains of the row (one
    // or two vectors, the last partly past the row); a row of at most one vector, two rows.
    auto rowSpans = [&](int64_t count) {
      SmallVector<Span> spans;
      for (int64_t column = 0; column < count; column += lanes)
        spans.push_back({0, column, count - column >= lanes});
      return spans;
    };
    int64_t pairWidth = 2 * lanes;
    int64_t pairs = outW > lanes ? outW / pairWidth : 0;
    int64_t rest = outW - pairs * pairWidth;
    int64_t groupRows = outW <= lanes && outH >= 2 ? 2 : 1;
    auto withRows = [&](ArrayRef<Span> columns, int64_t count) {
      SmallVector<Span> spans;
      for (int64_t r = 0; r < count; ++r)
        for (Span span : columns)
          spans.push_back({r, span.column, span.full});
      return spans;
    };
    SmallVector<Span> pairColumns = rowSpans(pairWidth), restColumns = rowSpans(rest);

    // Every position block of a row group (oh0, `count` rows), for one filter block.
    using BlockBody =
        function_ref<Value(OpBuilder &, Value oh0, Value ow0, ArrayRef<Span>, Value)>;
    auto overRowGroup = [&](OpBuilder &rb, Value oh0, int64_t count, Value result,
                            BlockBody body) -> Value {
      if (pairs > 0) {
        SmallVector<Span> spans = withRows(pairColumns, count);
        result = forLoop(rb, loc, pairs * pairWidth, pairWidth, result,
                         [&](OpBuilder &cb, Value ow0, ValueRange carried) -> SmallVector<Value> {
                           return {body(cb, oh0, ow0, spans, carried[0])};
                         })
                     .getResult(0);
      }
      if (rest > 0)
        result = body(rb, oh0, indexConstant(rb, loc, pairs * pairWidth),
                      withRows(restColumns, count), result);
      return result;
    };
    auto overPositions = [&](OpBuilder &pb, Value result, BlockBody body) -> Value {
      int64_t whole = outH / groupRows * groupRows;
      result = forLoop(pb, loc, whole, groupRows, result,
                       [&](OpBuilder &gb, Value oh0, ValueRange carried) -> SmallVector<Value> {
                         return {overRowGroup(gb, oh0, groupRows, carried[0], body)};
                       })
                   .getResult(0);
      if (whole < outH)
        result = overRowGroup(pb, indexConstant(pb, loc, whole), outH - whole, result, body);
      return result;
    };
    auto overFilters = [&](OpBuilder &fb, Value result,
                           function_ref<Value(OpBuilder &, Value, int64_t, Value)> body) -> Value {
      int64_t whole = filters() / rows * rows;
      result = forLoop(fb, loc, whole, rows, result,
                       [&](OpBuilder &bb, Value f0, ValueRange carried) -> SmallVector<Value> {
                         return {body(bb, f0, rows, carried[0])};
                       })
                   .getResult(0);
      if (whole < filters())
        result = body(fb, indexConstant(fb, loc, whole), filters() - whole, result);
      return result;
    };

    // Filters that fit half of L2 are read by every position block (positions outside, the
    // input rows a block reads stay in L1 while all filters pass); larger ones are read once,
    // a block of filters at a time, by every position block (filters outside).
    int64_t filterBytes = filters() * taps() * 4;
    bool positionsOutside = filterBytes <= l2Bytes / 2;
    Value result =
        forLoop(b, loc, batch, 1, dest,
                [&](OpBuilder &ib, Value n, ValueRange carried) -> SmallVector<Value> {
                  if (positionsOutside)
                    return {overPositions(
                        ib, carried[0],
                        [&](OpBuilder &pb, Value oh0, Value ow0, ArrayRef<Span> spans,
                            Value image) -> Value {
                          return overFilters(pb, image,
                                             [&](OpBuilder &bb, Value f0, int64_t mr,
                                                 Value inner) -> Value {
                                               return block(bb, n, f0, mr, oh0, ow0, spans,
                                                            inner);
                                             });
                        })};
                  return {overFilters(
                      ib, carried[0],
                      [&](OpBuilder &fb, Value f0, int64_t mr, Value image) -> Value {
                        return overPositions(fb, image,
                                             [&](OpBuilder &pb, Value oh0, Value ow0,
                                                 ArrayRef<Span> spans, Value inner) -> Value {
                                               return block(pb, n, f0, mr, oh0, ow0, spans,
                                                            inner);
                                             });
                      })};
                })
            .getResult(0);
    replaceWith(rewriter, result);
  }
};

struct VectorizeDirectConvolutionsPass
    : impl::VectorizeDirectConvolutionsPassBase<VectorizeDirectConvolutionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (lanes < 4 || blockRows < 1) {
      getOperation().emitError(
          "dlc-cpu-vectorize-direct-convolutions needs lanes >= 4 and block-rows >= 1");
      return signalPassFailure();
    }
    SmallVector<DirectConvolution> convolutions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<DirectConvolution> conv = DirectConvolution::match(op))
        convolutions.push_back(*conv);
    });
    // An elementwise op that reads two convolutions (a residual add of two branches) is the
    // epilogue of the first; the second stores its result for it.
    keepEpiloguesOnce(convolutions);
    IRRewriter rewriter(&getContext());
    for (DirectConvolution &conv : convolutions)
      conv.rewrite(rewriter, lanes, blockRows, l2Bytes);
  }
};

} // namespace
} // namespace dlc::cpu
