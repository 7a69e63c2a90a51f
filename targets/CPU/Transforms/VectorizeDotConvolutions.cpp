// The dlc-cpu-vectorize-dot-convolutions pass: int8 and bf16 convolutions, as
// dlc-cpu-lower-convolutions writes them (DotConvolution.h), become vector code: the packing of
// the input columns, and register blocks of the CPU's dot-product instruction (see Passes.td).
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/DotConvolution.h"
#include "targets/CPU/Transforms/DotInstructions.h"
#include "targets/CPU/Transforms/DotOperands.h"
#include "targets/CPU/Transforms/VectorBody.h"
#include "targets/CPU/Transforms/WindowReads.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZEDOTCONVOLUTIONSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

constexpr int64_t kLanes = kDotLanes;
/// The most filter rows of a register block: 8 rows x 3 vectors are 24 accumulators of the
/// 32 zmm registers, beside the 3 column vectors and a broadcast filter group.
constexpr int64_t kMaxRows = 8;

RankedTensorType tensorType(Value value) { return cast<RankedTensorType>(value.getType()); }

/// The kind of dot product for operands of `element`, when the pass may use it.
std::optional<DotKind> kindOf(Type element, bool vnni, bool bf16) {
  if (element.isInteger(8) && vnni)
    return DotKind::Int8;
  if (element.isBF16() && bf16)
    return DotKind::BF16;
  return std::nullopt;
}

/// `value` collapsed to rank `groups.size()` by `groups`.
Value collapse(OpBuilder &b, Location loc, Value value, ArrayRef<ReassociationIndices> groups) {
  return tensor::CollapseShapeOp::create(b, loc, value, groups);
}

/// The packing of the input columns:
///   col[n, cq, kh, kw, oh, ow, j] = input[n, cq * g + j, oh * s + kh * d, ow * s + kw * d]
/// Per output row and 16 output columns it reads g input rows of 16 (strided) lanes and
/// interleaves them into 16 groups of g, one 16 g-element store.
struct Packing {
  linalg::GenericOp op;
  int64_t g = 0;
  SmallVector<int64_t> strides, dilations;
  /// Whether the packed int8 columns are stored with their sign bit flipped (x + 128 as
  /// unsigned bytes, what vpdpbusd reads): set when every reader is a product that knows it,
  /// so the flip happens once per column instead of once per filter block.
  bool flipSign = false;
  /// Whether the groups run along the filter's width (DotConvolution.h) instead of the
  /// channels.
  bool alongWidth = false;

  static std::optional<Packing> match(linalg::GenericOp op, bool vnni, bool bf16) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
        op.getNumLoops() != 7 || op.getNumParallelLoops() != 7)
      return std::nullopt;
    RankedTensorType outType = tensorType(op.getResult(0));
    RankedTensorType inType = tensorType(op.getDpsInputs()[0]);
    if (!outType.hasStaticShape() || !inType.hasStaticShape() || inType.getRank() != 4 ||
        !kindOf(outType.getElementType(), vnni, bf16) ||
        dotconv::groupOf(outType.getElementType()) != outType.getDimSize(6))
      return std::nullopt;
    auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
    if (yield.getOperand(0) != op.getBody()->getArgument(0))
      return std::nullopt;
    Packing packing{op, outType.getDimSize(6), {}, {}};
    // The strides and dilations are the map's coefficients of ow, oh and kw, kh.
    AffineMap map = op.getIndexingMapsArray()[0];
    auto coefficient = [&](unsigned dim, unsigned result) {
      SmallVector<int64_t> point(7, 0);
      point[dim] = 1;
      return map.compose(point)[result];
    };
    if (map.getNumResults() != 4 || map.getNumSymbols() != 0)
      return std::nullopt;
    if (!op.getIndexingMapsArray()[1].isIdentity())
      return std::nullopt;
    packing.strides = {coefficient(4, 2), coefficient(5, 3)};
    packing.dilations = {coefficient(2, 2), coefficient(3, 3)};
    if (map == dotconv::packingInputMap(op.getContext(), packing.g, packing.strides,
                                        packing.dilations))
      return packing;
    packing.dilations[1] = coefficient(6, 3);
    packing.alongWidth = true;
    if (map == dotconv::widthPackingInputMap(op.getContext(), packing.g, packing.strides,
                                             packing.dilations))
      return packing;
    return std::nullopt;
  }

  /// The g rows of 16 lanes from `at` (input indices of the first lane), interleaved:
  /// lane l of row j goes to element l * g + j. A strided row is read as 16 s lanes (a whole
  /// register, where 15 s + 1 lanes would make LLVM assemble it byte by byte), then shuffled.
  Value interleaved(OpBuilder &b, Location loc, Value input, ArrayRef<Value> at, bool inBounds) {
    Type element = tensorType(input).getElementType();
    int64_t stride = strides[1];
    SmallVector<Value> rows;
    for (int64_t j = 0; j < g; ++j) {
      SmallVector<Value> indices(at);
      indices[1] = arith::AddIOp::create(b, loc, at[1], indexConstant(b, loc, j));
      Value span = vector::TransferReadOp::create(
          b, loc, VectorType::get({kLanes * stride}, element), input, indices,
          /*padding=*/std::nullopt, ArrayRef<bool>{inBounds});
      rows.push_back(everyStride(b, loc, span, stride, kLanes));
    }
    // Pairs of rows concatenated (for g = 4), then one shuffle that interleaves.
    if (g == 4) {
      SmallVector<int64_t> concat(2 * kLanes);
      std::iota(concat.begin(), concat.end(), 0);
      rows = {vector::ShuffleOp::create(b, loc, rows[0], rows[1], concat),
              vector::ShuffleOp::create(b, loc, rows[2], rows[3], concat)};
    }
    SmallVector<int64_t> mask(g * kLanes);
    for (int64_t l = 0; l < kLanes; ++l)
      for (int64_t j = 0; j < g; ++j)
        mask[l * g + j] = j * kLanes + l;
    return flipped(b, loc, vector::ShuffleOp::create(b, loc, rows[0], rows[1], mask));
  }

  /// The 16 lanes of g taps along the filter's width from `at` (see rowTaps).
  Value alongRow(OpBuilder &b, Location loc, Value input, ArrayRef<Value> at, bool inBounds) {
    return flipped(b, loc, rowTaps(b, loc, input, at, inBounds, g, strides[1], dilations[1]));
  }

  /// The elements alongRow reads.
  int64_t spanOf() { return rowSpan(g, strides[1], dilations[1]); }

  /// `lanes` with the sign bit flipped where the products want it (flipSign).
  Value flipped(OpBuilder &b, Location loc, Value lanes) {
    return flipSign ? flipSigns(b, loc, lanes) : lanes;
  }

  /// Whether the rows of the taps can be cut from one interleaved input row: stride 1 and an
  /// input row that ends where the last tap's does (a padded input), with the shifts between
  /// taps within one vector's width.
  bool shiftsRows() {
    ArrayRef<int64_t> shape = tensorType(op.getResult(0)).getShape();
    ArrayRef<int64_t> input = tensorType(op.getDpsInputs()[0]).getShape();
    int64_t span = (shape[3] - 1) * dilations[1];
    return !alongWidth && strides[0] == 1 && strides[1] == 1 && span <= kLanes &&
           input[3] == shape[5] + span && input[2] == shape[4] + (shape[2] - 1) * dilations[0];
  }

  /// The stride-1 packing by input rows: each row's g channels are read and interleaved once,
  /// as whole vectors of 16 positions, and every tap's row that starts in it (row oh of kernel
  /// row kh reads input row oh + kh d, kernel column kw starts kw d positions in) is cut from
  /// two adjacent vectors: KH KW stores per chunk and one interleave, where packing tap by tap
  /// interleaves for every store.
  Value rewriteByRows(OpBuilder &b, Location loc, Value input, Value flat) {
    ArrayRef<int64_t> shape = tensorType(op.getResult(0)).getShape();
    int64_t inputWidth = tensorType(input).getDimSize(3), width = shape[5];
    int64_t chunks = llvm::divideCeil(width, kLanes);
    int64_t inputChunks = llvm::divideCeil(inputWidth, kLanes);
    auto perImage = [&](OpBuilder &ib, Value n, ValueRange carried) -> SmallVector<Value> {
      auto perGroup = [&](OpBuilder &gb, Value cq, ValueRange carried) -> SmallVector<Value> {
        auto perRow = [&](OpBuilder &rb, Value ih, ValueRange carried) -> SmallVector<Value> {
          Value channel = arith::MulIOp::create(rb, loc, cq, indexConstant(rb, loc, g));
          SmallVector<Value> row;
          for (int64_t c = 0; c < inputChunks; ++c)
            row.push_back(interleaved(rb, loc, input,
                                      {n, channel, ih, indexConstant(rb, loc, c * kLanes)},
                                      (c + 1) * kLanes <= inputWidth));
          Value result = carried[0];
          for (int64_t kh = 0; kh < shape[2]; ++kh) {
            // Output row oh = ih - kh d, where it is one: ih >= kh d (always so for the
            // first kernel row) and ih < OH + kh d (always so for the last).
            Value oh = arith::SubIOp::create(rb, loc, ih,
                                             indexConstant(rb, loc, kh * dilations[0]));
            Value inside;
            auto require = [&](arith::CmpIPredicate predicate, int64_t bound) {
              Value holds = arith::CmpIOp::create(rb, loc, predicate, oh,
                                                  indexConstant(rb, loc, bound));
              inside = inside ? arith::AndIOp::create(rb, loc, inside, holds).getResult() : holds;
            };
            if (kh > 0)
              require(arith::CmpIPredicate::sge, 0);
            if (kh + 1 < shape[2])
              require(arith::CmpIPredicate::slt, shape[4]);
            auto write = [&](OpBuilder &wb, Location) {
              Value written = result;
              for (int64_t kw = 0; kw < shape[3]; ++kw)
                for (int64_t c = 0; c < chunks; ++c) {
                  // Positions c 16 + kw d .. + 16 of the row, from chunks c and c + 1.
                  int64_t shift = kw * dilations[1] * g;
                  Value next = c + 1 < inputChunks ? row[c + 1] : row[c];
                  SmallVector<int64_t> lanes(kLanes * g);
                  std::iota(lanes.begin(), lanes.end(), shift);
                  Value cut = vector::ShuffleOp::create(wb, loc, row[c], next, lanes);
                  Value at = indexConstant(wb, loc, c * kLanes * g);
                  written = vector::TransferWriteOp::create(
                                wb, loc, cut, written,
                                ValueRange{n, cq, indexConstant(wb, loc, kh),
                                           indexConstant(wb, loc, kw), oh, at},
                                ArrayRef<bool>{(c + 1) * kLanes <= width})
                                .getResult();
                }
              if (inside)
                scf::YieldOp::create(wb, loc, written);
              else
                result = written;
            };
            if (!inside) {
              write(rb, loc);
              continue;
            }
            result = scf::IfOp::create(rb, loc, inside, write,
                                       [&](OpBuilder &eb, Location) {
                                         scf::YieldOp::create(eb, loc, result);
                                       })
                         .getResult(0);
          }
          return {result};
        };
        int64_t rows = tensorType(input).getDimSize(2);
        return {forLoop(gb, loc, rows, 1, carried[0], perRow).getResult(0)};
      };
      return {forLoop(ib, loc, shape[1], 1, carried[0], perGroup).getResult(0)};
    };
    return forLoop(b, loc, shape[0], 1, flat, perImage).getResult(0);
  }

  void rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    OpBuilder &b = rewriter;
    Value input = op.getDpsInputs()[0];
    RankedTensorType outType = tensorType(op.getResult(0));
    ArrayRef<int64_t> shape = outType.getShape();
    int64_t width = shape[5];
    // The result written through its [N, CQ, KH, KW, OH, OW * g] view.
    SmallVector<ReassociationIndices> rowGroups{{0}, {1}, {2}, {3}, {4}, {5, 6}};
    Value flat = collapse(b, loc, op.getDpsInits()[0], rowGroups);
    if (shiftsRows()) {
      Value packed = rewriteByRows(b, loc, input, flat);
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, packed, rowGroups);
      return;
    }

    SmallVector<Value> ivs;
    auto chunk = [&](OpBuilder &cb, Value ow0, Value result, bool readInside,
                     bool writeInside) -> Value {
      // input[n, cq * g, oh * s + kh * d, ow0 * s + kw * d], or along the width
      // input[n, c, oh * s + kh * d, ow0 * s + kq * g * d]
      auto term = [&](Value x, int64_t scale) -> Value {
        return arith::MulIOp::create(cb, loc, x, indexConstant(cb, loc, scale));
      };
      auto add = [&](Value x, Value y) -> Value { return arith::AddIOp::create(cb, loc, x, y); };
      int64_t tapStep = alongWidth ? g * dilations[1] : dilations[1];
      SmallVector<Value> at{ivs[0], alongWidth ? ivs[1] : term(ivs[1], g),
                            add(term(ivs[4], strides[0]), term(ivs[2], dilations[0])),
                            add(term(ow0, strides[1]), term(ivs[3], tapStep))};
      Value lanes = alongWidth ? alongRow(cb, loc, input, at, readInside)
                               : interleaved(cb, loc, input, at, readInside);
      SmallVector<Value> to(ivs);
      to.push_back(term(ow0, g));
      return vector::TransferWriteOp::create(cb, loc, lanes, result, to,
                                             ArrayRef<bool>{writeInside})
          .getResult();
    };
    std::function<Value(OpBuilder &, unsigned, Value)> nest = [&](OpBuilder &nb, unsigned level,
                                                                  Value result) -> Value {
      if (level < 5)
        return forLoop(nb, loc, shape[level], 1, result,
                       [&](OpBuilder &lb, Value iv, ValueRange carried) -> SmallVector<Value> {
                         ivs.push_back(iv);
                         Value next = nest(lb, level + 1, carried[0]);
                         ivs.pop_back();
                         return {next};
                       })
            .getResult(0);
      // The leading whole chunks whose reads end inside the input row (at the last tap) read
      // in bounds, in a loop; the other chunks, the partial one last, read masked.
      int64_t whole = width / kLanes * kLanes;
      int64_t inputWidth = tensorType(input).getDimSize(3);
      int64_t lastTap = (shape[3] - 1) * dilations[1] * (alongWidth ? g : 1);
      int64_t readLength = alongWidth ? spanOf() : kLanes * strides[1];
      int64_t inside = 0;
      while (inside < whole && inside * strides[1] + lastTap + readLength <= inputWidth)
        inside += kLanes;
      if (inside > 0)
        result = forLoop(nb, loc, inside, kLanes, result,
                         [&](OpBuilder &cb, Value ow0, ValueRange carried) -> SmallVector<Value> {
                           return {chunk(cb, ow0, carried[0], true, true)};
                         })
                     .getResult(0);
      for (int64_t ow0 = inside; ow0 < width; ow0 += kLanes)
        result = chunk(nb, indexConstant(nb, loc, ow0), result, false, ow0 < whole);
      return result;
    };
    Value packed = nest(b, 0, flat);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, packed, rowGroups);
  }
};

/// The product out[n, f, p] += w[f, q, j] * col[n, q, p, j], w a constant: register blocks of
/// up to 8 filters by 48 positions.
struct Product {
  linalg::GenericOp op;
  DotKind kind = DotKind::Int8;
  DenseElementsAttr weights;
  /// Whether its int8 columns come packed with the sign bit flipped (Packing::flipSign).
  bool columnsFlipped = false;
  /// The product's only user when it is an elementwise op over [N, F, P] (see
  /// dlc-cpu-vectorize-dot-contractions).
  linalg::GenericOp epilogue;
  /// The epilogue's leading per-filter offset, folded into the blocks' start.
  std::optional<ElementwiseStage::RowOffset> rowOffset;

  static std::optional<Product> match(linalg::GenericOp op, bool vnni, bool bf16) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op.getIndexingMapsArray() != ArrayRef(dotconv::productMaps(op.getContext())) ||
        op.getNumReductionLoops() != 2)
      return std::nullopt;
    RankedTensorType colType = tensorType(op.getDpsInputs()[1]);
    std::optional<DotKind> kind = kindOf(colType.getElementType(), vnni, bf16);
    Attribute constant;
    if (!kind || !colType.hasStaticShape() ||
        !matchPattern(op.getDpsInputs()[0], m_Constant(&constant)) ||
        colType.getDimSize(3) != dotGroup(*kind) ||
        getElementTypeOrSelf(op.getResult(0)) != dotSum(op.getContext(), *kind))
      return std::nullopt;
    if (!hasWidenedMultiplyAdd(op))
      return std::nullopt;
    Product product{op, *kind, dyn_cast<DenseElementsAttr>(constant), {}};
    if (!product.weights)
      return std::nullopt;
    product.epilogue = epilogueOf(op.getResult(0), 3);
    return product;
  }

  /// Drops the epilogue (another product's kernel applies it).
  void dropEpilogue() {
    epilogue = {};
    rowOffset.reset();
  }

  int64_t filters() { return tensorType(op.getResult(0)).getDimSize(1); }
  int64_t positions() { return tensorType(op.getResult(0)).getDimSize(2); }
  int64_t depth() { return weights.getType().getDimSize(1); }

  /// The weights [F, Q, g] as one 32-bit word per group, [F, Q]: what a block broadcasts,
  /// and what a transposed tail reads 16 words of a filter at a time.
  DenseElementsAttr groupWords() { return groupWordsOf(weights, filters(), depth()); }

  /// What each filter's blocks start from beyond the init (see rowStartsOf).
  DenseElementsAttr rowStarts() { return rowStartsOf(kind, weights, filters(), rowOffset); }

  int64_t blockRows() {
    for (int64_t candidate : {kMaxRows, int64_t(6), int64_t(4), int64_t(2)})
      if (filters() % candidate == 0)
        return candidate;
    return 1;
  }

  void rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    OpBuilder &b = rewriter;
    MLIRContext *ctx = op.getContext();
    Type narrow = dotElement(ctx, kind), sum = dotSum(ctx, kind), i32 = b.getI32Type();
    int64_t g = dotGroup(kind), mr = blockRows();
    Value words = arith::ConstantOp::create(b, loc, groupWords());
    DenseElementsAttr starts = rowStarts();
    Value correction = starts ? arith::ConstantOp::create(b, loc, starts).getResult() : Value();
    Value flipByte = kind == DotKind::Int8 && !columnsFlipped
                         ? arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(-128)).getResult()
                         : Value();
    // col [N, Q, P, g] read through its [N, Q, P * g] view.
    Value col = collapse(b, loc, op.getDpsInputs()[1], {{0}, {1}, {2, 3}});
    KernelStart kernelStart = KernelStart::of(rewriter, op, epilogue);
    Value init = kernelStart.init, dest = kernelStart.dest, fillValue = kernelStart.fillValue;
    Value zeroSum = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(sum)));
    auto add = [&](OpBuilder &ab, Value x, Value y) -> Value {
      if (isa<FloatType>(x.getType()))
        return arith::AddFOp::create(ab, loc, x, y);
      return arith::AddIOp::create(ab, loc, x, y);
    };

    // One block: filters f0.. f0 + mr by the position vectors `spans` from p0 (each its
    // offset from p0, its lanes, 16 or 8, and whether it lies inside the positions: the last may
    // be masked), then by the `tail` positions after the spans (see tailColumns).
    struct Span {
      int64_t offset, lanes;
      bool inBounds;
    };
    Value tailColumns;
    auto block = [&](OpBuilder &nb, Value n, Value p0, Value f0, ArrayRef<Span> spans,
                     int64_t tail, Value result) -> Value {
      auto offset = [&](Value base, int64_t delta) { return addIndex(nb, loc, base, delta); };
      auto accType = [&](int64_t lanes) { return VectorType::get({lanes}, sum); };
      auto groupsType = [&](int64_t lanes) { return VectorType::get({lanes * g}, narrow); };
      int64_t vectors = spans.size();
      SmallVector<Value> starts;
      for (int64_t i = 0; i < mr; ++i) {
        Value bias = correction ? tensor::ExtractOp::create(nb, loc, correction,
                                                            ValueRange{offset(f0, i)})
                                      .getResult()
                                : Value();
        starts.push_back(bias);
      }
      SmallVector<Value> accs;
      for (int64_t i = 0; i < mr; ++i)
        for (const Span &span : spans) {
          Value acc = fillValue ? vector::BroadcastOp::create(nb, loc, accType(span.lanes),
                                                              fillValue)
                                      .getResult()
                                : vector::TransferReadOp::create(
                                      nb, loc, accType(span.lanes), epilogue ? init : result,
                                      ValueRange{n, offset(f0, i), offset(p0, span.offset)},
                                      zeroSum, ArrayRef<bool>{span.inBounds})
                                      .getResult();
          if (starts[i])
            acc = arith::AddIOp::create(
                nb, loc, acc,
                vector::BroadcastOp::create(nb, loc, accType(span.lanes), starts[i]));
          accs.push_back(acc);
        }
      Value column0 = arith::MulIOp::create(nb, loc, p0, indexConstant(nb, loc, g));
      auto step = [&](OpBuilder &kb, Value q, ValueRange carried) -> SmallVector<Value> {
        SmallVector<Value> next(carried);
        SmallVector<Value> columns;
        for (const Span &span : spans) {
          Value at = arith::AddIOp::create(kb, loc, column0,
                                           indexConstant(kb, loc, span.offset * g));
          Value lanes = vector::TransferReadOp::create(
              kb, loc, groupsType(span.lanes), col, ValueRange{n, q, at},
              arith::ConstantOp::create(kb, loc, cast<TypedAttr>(kb.getZeroAttr(narrow))),
              ArrayRef<bool>{span.inBounds});
          if (flipByte)
            lanes = arith::XOrIOp::create(
                kb, loc, lanes,
                vector::BroadcastOp::create(kb, loc, groupsType(span.lanes), flipByte));
          columns.push_back(lanes);
        }
        for (int64_t i = 0; i < mr; ++i) {
          Value word = tensor::ExtractOp::create(
              kb, loc, words,
              ValueRange{arith::AddIOp::create(kb, loc, f0, indexConstant(kb, loc, i)), q});
          for (auto [v, span] : llvm::enumerate(spans)) {
            Value spread = vector::BitCastOp::create(
                kb, loc, groupsType(span.lanes),
                vector::BroadcastOp::create(kb, loc, VectorType::get({span.lanes}, i32), word));
            next[i * vectors + v] =
                emitDot(kb, loc, kind, next[i * vectors + v], columns[v], spread);
          }
        }
        return next;
      };
      if (!spans.empty())
        accs = SmallVector<Value>(forLoop(nb, loc, depth(), 1, accs, step).getResults());
      auto store = [&](Value value, ArrayRef<Value> at, int64_t lanes, bool inBounds) {
        if (epilogue)
          value = ElementwiseStage{epilogue, /*contract=*/true}.emit(
              nb, loc, at, lanes, op.getResult(0), value, inBounds,
              rowOffset ? rowOffset->op : nullptr);
        result = vector::TransferWriteOp::create(nb, loc, value, result, at,
                                                 ArrayRef<bool>{inBounds})
                     .getResult();
      };
      for (int64_t i = 0; i < mr; ++i)
        for (auto [v, span] : llvm::enumerate(spans))
          store(accs[i * vectors + v], {n, offset(f0, i), offset(p0, span.offset)}, span.lanes,
                span.inBounds);

      // The tail, transposed: each filter's words 16 steps at a time (the rows the loop above
      // just read, in cache) by the tail position's 16 packed groups, summed across the lanes
      // at the end; filters in groups whose accumulators fit 16 registers.
      int64_t tailOffset = spans.empty() ? 0 : spans.back().offset + spans.back().lanes;
      int64_t rowsAtOnce = mr;
      while (rowsAtOnce * tail > 16)
        rowsAtOnce /= 2;
      bool wholeChunks = depth() % kLanes == 0;
      for (int64_t r0 = 0; tail > 0 && r0 < mr; r0 += rowsAtOnce) {
        SmallVector<Value> sums(rowsAtOnce * tail,
                                arith::ConstantOp::create(
                                    nb, loc, cast<TypedAttr>(nb.getZeroAttr(accType(kLanes)))));
        auto chunk = [&](OpBuilder &kb, Value q, ValueRange carried) -> SmallVector<Value> {
          SmallVector<Value> next(carried);
          Value zeroWord = arith::ConstantOp::create(kb, loc, kb.getI32IntegerAttr(0));
          auto wordsAt = [&](Value source, ValueRange at) -> Value {
            return vector::BitCastOp::create(
                kb, loc, groupsType(kLanes),
                vector::TransferReadOp::create(kb, loc, VectorType::get({kLanes}, i32), source,
                                               at, zeroWord, ArrayRef<bool>{wholeChunks}));
          };
          SmallVector<Value> groups;
          for (int64_t t = 0; t < tail; ++t)
            groups.push_back(wordsAt(tailColumns, {n, indexConstant(kb, loc, t), q}));
          for (int64_t r = 0; r < rowsAtOnce; ++r) {
            Value row = wordsAt(words, {offset(f0, r0 + r), q});
            for (int64_t t = 0; t < tail; ++t)
              next[r * tail + t] = emitDot(kb, loc, kind, next[r * tail + t], groups[t], row);
          }
          return next;
        };
        sums = SmallVector<Value>(
            forLoop(nb, loc, llvm::alignTo(depth(), kLanes), kLanes, sums, chunk).getResults());
        for (int64_t r = 0; r < rowsAtOnce; ++r)
          for (int64_t t = 0; t < tail; ++t) {
            SmallVector<Value> at{n, offset(f0, r0 + r), offset(p0, tailOffset + t)};
            Value total = vector::ReductionOp::create(nb, loc, vector::CombiningKind::ADD,
                                                      sums[r * tail + t]);
            total = add(nb, total,
                        fillValue ? fillValue
                                  : tensor::ExtractOp::create(nb, loc, epilogue ? init : result,
                                                              at)
                                        .getResult());
            if (starts[r0 + r])
              total = add(nb, total, starts[r0 + r]);
            store(vector::BroadcastOp::create(nb, loc, accType(1), total), at, 1, true);
          }
      }
      return result;
    };

    // Per image: blocks of 32 or 48 positions (16 when fewer), each over all filter blocks
    // (the block's columns stay in cache while every filter reads them), then one block of the
    // last positions: whole vectors of 16, and what remains either transposed (fewer positions
    // than the block has filters: a 7x7 map's last position takes one instruction per step for
    // all the block's filters, not one per filter), or in one vector of 16 lanes, or of 8
    // (256-bit instructions, half the work) when 8 hold it. Blocks of 48 are taken where they
    // leave fewer positions to the narrower last block: a 7x7 map's 49 positions are then one
    // block and its tail, so the filters, larger than L2 there, stream from memory once.
    auto tailOf = [](int64_t rest) { return rest % kLanes < kLanes / 2 ? rest % kLanes : 0; };
    auto narrowRest = [&](int64_t width) {
      int64_t rest = positions() % width;
      return rest - tailOf(rest);
    };
    int64_t nr = positions() >= 2 * kLanes ? 2 * kLanes : kLanes;
    if (positions() >= 3 * kLanes && narrowRest(3 * kLanes) < narrowRest(nr))
      nr = 3 * kLanes;
    int64_t whole = positions() / nr * nr, rest = positions() - whole;
    int64_t tail = tailOf(rest);
    SmallVector<Span> fullSpans, restSpans;
    for (int64_t offset = 0; offset < nr; offset += kLanes)
      fullSpans.push_back({offset, kLanes, true});
    for (int64_t offset = 0; offset < rest - tail; offset += kLanes) {
      int64_t remaining = rest - tail - offset;
      int64_t lanes = remaining <= kLanes / 2 ? kLanes / 2 : kLanes;
      restSpans.push_back({offset, lanes, remaining >= lanes});
    }
    int64_t batch = tensorType(op.getResult(0)).getDimSize(0);
    // The tail positions' groups side by side, [N, tail, Q] words (with the sign flip the
    // instruction needs), packed once for every filter to read 16 steps at a time.
    if (tail > 0) {
      Value empty = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{batch, tail, depth()}, i32);
      Value flipWord = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(VectorType::get({1}, i32), int32_t(0x80808080u)));
      auto perImage = [&](OpBuilder &ib, Value n, ValueRange carried) -> SmallVector<Value> {
        auto perPosition = [&](OpBuilder &tb, Value t, ValueRange inner) -> SmallVector<Value> {
          auto perStep = [&](OpBuilder &qb, Value q, ValueRange packed) -> SmallVector<Value> {
            Value position =
                arith::AddIOp::create(qb, loc, t, indexConstant(qb, loc, whole + rest - tail));
            Value at = arith::MulIOp::create(qb, loc, position, indexConstant(qb, loc, g));
            Value group = vector::TransferReadOp::create(
                qb, loc, VectorType::get({g}, narrow), col, ValueRange{n, q, at},
                arith::ConstantOp::create(qb, loc, cast<TypedAttr>(qb.getZeroAttr(narrow))),
                ArrayRef<bool>{true});
            Value word = vector::BitCastOp::create(qb, loc, VectorType::get({1}, i32), group);
            if (flipByte)
              word = arith::XOrIOp::create(qb, loc, word, flipWord);
            return {vector::TransferWriteOp::create(qb, loc, word, packed[0],
                                                    ValueRange{n, t, q}, ArrayRef<bool>{true})
                        .getResult()};
          };
          return {forLoop(tb, loc, depth(), 1, inner[0], perStep).getResult(0)};
        };
        return {forLoop(ib, loc, tail, 1, carried[0], perPosition).getResult(0)};
      };
      tailColumns = forLoop(b, loc, batch, 1, empty, perImage).getResult(0);
    }
    auto filterBlocks = [&](OpBuilder &fb, Value n, Value p0, ArrayRef<Span> spans,
                            int64_t tail, Value result) -> Value {
      return forLoop(fb, loc, filters(), mr, result,
                     [&](OpBuilder &bb, Value f0, ValueRange carried) -> SmallVector<Value> {
                       return {block(bb, n, p0, f0, spans, tail, carried[0])};
                     })
          .getResult(0);
    };
    Value result =
        forLoop(b, loc, batch, 1, dest,
                [&](OpBuilder &ib, Value n, ValueRange carried) -> SmallVector<Value> {
                  Value image = carried[0];
                  // A tail alone after one whole block goes with it, which has just read the
                  // filters it reads (after several, the block's code would be emitted twice).
                  bool tailAlone = whole == nr && rest > 0 && rest == tail;
                  int64_t looped = tailAlone ? whole - nr : whole;
                  if (looped > 0)
                    image = forLoop(ib, loc, looped, nr, image,
                                    [&](OpBuilder &pb, Value p0,
                                        ValueRange inner) -> SmallVector<Value> {
                                      return {filterBlocks(pb, n, p0, fullSpans, 0,
                                                           inner[0])};
                                    })
                                .getResult(0);
                  if (tailAlone)
                    image = filterBlocks(ib, n, indexConstant(ib, loc, looped), fullSpans, tail,
                                         image);
                  else if (rest > 0)
                    image = filterBlocks(ib, n, indexConstant(ib, loc, whole), restSpans, tail,
                                         image);
                  return {image};
                })
            .getResult(0);
    replaceWithKernel(rewriter, op, epilogue, result);
  }
};

/// The depthwise product of DotConvolution.h,
///   out[n, c, oh, ow] += w[c, kh, kq, j] * input[n, c, oh s + kh d, ow s + (kq g + j) d],
/// w a constant: per output row, blocks of up to kMaxRowVectors vectors of 16 positions whose
/// taps are read from the input rows in place (rowTaps), each group of taps one dot product
/// with the channel's broadcast group.
struct DepthwiseProduct {
  linalg::GenericOp op;
  DotKind kind = DotKind::Int8;
  DenseElementsAttr weights; ///< [C, KH, KQ, g]
  SmallVector<int64_t> strides, dilations;
  /// The product's only user when it is an elementwise op over [N, C, OH, OW].
  linalg::GenericOp epilogue;
  /// The epilogue's leading per-channel offset, folded into the blocks' start.
  std::optional<ElementwiseStage::RowOffset> rowOffset;

  /// Vectors of a row block: independent accumulators that hide the dot product's latency.
  static constexpr int64_t kMaxRowVectors = 8;

  static std::optional<DepthwiseProduct> match(linalg::GenericOp op, bool vnni, bool bf16) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
        op.getNumLoops() != 7 || op.getNumReductionLoops() != 3)
      return std::nullopt;
    RankedTensorType inType = tensorType(op.getDpsInputs()[0]);
    std::optional<DotKind> kind = kindOf(inType.getElementType(), vnni, bf16);
    DepthwiseProduct product{op, DotKind::Int8, {}, {}, {}, {}, {}};
    if (!kind || !inType.hasStaticShape() || inType.getRank() != 4 ||
        !matchPattern(op.getDpsInputs()[1], m_Constant(&product.weights)) ||
        product.weights.getType().getRank() != 4 ||
        product.weights.getType().getDimSize(3) != dotGroup(*kind) ||
        getElementTypeOrSelf(op.getResult(0)) != dotSum(op.getContext(), *kind) ||
        !hasWidenedMultiplyAdd(op))
      return std::nullopt;
    product.kind = *kind;
    // The strides and dilations are the input map's coefficients of oh, ow and kh, j.
    AffineMap map = op.getIndexingMapsArray()[0];
    if (map.getNumResults() != 4 || map.getNumSymbols() != 0)
      return std::nullopt;
    auto coefficient = [&](unsigned dim, unsigned result) {
      SmallVector<int64_t> point(7, 0);
      point[dim] = 1;
      return map.compose(point)[result];
    };
    product.strides = {coefficient(2, 2), coefficient(3, 3)};
    product.dilations = {coefficient(4, 2), coefficient(6, 3)};
    if (op.getIndexingMapsArray() != ArrayRef(dotconv::depthwiseMaps(op.getContext(),
                                                                      dotGroup(*kind),
                                                                      product.strides,
                                                                      product.dilations)))
      return std::nullopt;
    product.epilogue = epilogueOf(op.getResult(0), 4);
    if (product.epilogue)
      product.rowOffset =
          ElementwiseStage{product.epilogue}.leadingRowOffset(op.getResult(0), 1);
    return product;
  }

  void rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    OpBuilder &b = rewriter;
    MLIRContext *ctx = op.getContext();
    Type narrow = dotElement(ctx, kind), sum = dotSum(ctx, kind), i32 = b.getI32Type();
    int64_t g = dotGroup(kind);
    ArrayRef<int64_t> shape = tensorType(op.getResult(0)).getShape(); // [N, C, OH, OW]
    int64_t channels = shape[1], width = shape[3];
    int64_t kh = weights.getType().getDimSize(1), kq = weights.getType().getDimSize(2);
    Value input = op.getDpsInputs()[0];
    int64_t inputWidth = tensorType(input).getDimSize(3);
    int64_t span = rowSpan(g, strides[1], dilations[1]);
    Value words = arith::ConstantOp::create(b, loc, groupWordsOf(weights, channels, kh * kq));
    DenseElementsAttr startValues = rowStartsOf(kind, weights, channels, rowOffset);
    Value starts =
        startValues ? arith::ConstantOp::create(b, loc, startValues).getResult() : Value();
    KernelStart kernelStart = KernelStart::of(rewriter, op, epilogue);
    Value init = kernelStart.init, dest = kernelStart.dest, fillValue = kernelStart.fillValue;
    Value zeroSum = arith::ConstantOp::create(b, loc, cast<TypedAttr>(b.getZeroAttr(sum)));
    auto accType = VectorType::get({kLanes}, sum);
    auto groupsType = VectorType::get({kLanes * g}, narrow);
    auto add = [&](OpBuilder &ab, Value x, Value y) -> Value {
      return arith::AddIOp::create(ab, loc, x, y);
    };
    auto scaled = [&](OpBuilder &ab, Value x, int64_t factor) -> Value {
      return arith::MulIOp::create(ab, loc, x, indexConstant(ab, loc, factor));
    };

    // Whether the taps of the vector at position `ow` read inside the input row (the last
    // group's span ends in it) and whether its 16 lanes lie inside the output row.
    auto readsInside = [&](int64_t ow) {
      return ow * strides[1] + (kq - 1) * g * dilations[1] + span <= inputWidth;
    };
    // One block: `vectors` vectors of 16 positions from ow0 (static offsets), of `rows` output
    // rows from oh.
    auto block = [&](OpBuilder &nb, Value n, Value c, Value oh, int64_t rows, Value ow0,
                     std::optional<int64_t> staticOw0, int64_t vectors, Value result) -> Value {
      SmallVector<Value> at0(vectors), outRows(rows);
      SmallVector<bool> reads(vectors), stores(vectors);
      for (int64_t v = 0; v < vectors; ++v) {
        at0[v] = add(nb, ow0, indexConstant(nb, loc, v * kLanes));
        // Blocks at a run-time position lie wholly inside the row (see below).
        reads[v] = !staticOw0 || readsInside(*staticOw0 + v * kLanes);
        stores[v] = !staticOw0 || *staticOw0 + (v + 1) * kLanes <= width;
      }
      for (int64_t r = 0; r < rows; ++r)
        outRows[r] = add(nb, oh, indexConstant(nb, loc, r));
      Value start = starts ? vector::BroadcastOp::create(
                                 nb, loc, accType, tensor::ExtractOp::create(nb, loc, starts, c))
                                 .getResult()
                           : Value();
      SmallVector<Value> accs;
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t v = 0; v < vectors; ++v) {
          Value acc =
              fillValue ? vector::BroadcastOp::create(nb, loc, accType, fillValue).getResult()
                        : vector::TransferReadOp::create(
                              nb, loc, accType, epilogue ? init : result,
                              ValueRange{n, c, outRows[r], at0[v]}, zeroSum,
                              ArrayRef<bool>{stores[v]})
                              .getResult();
          accs.push_back(start ? add(nb, acc, start) : acc);
        }
      Value firstColumn = scaled(nb, ow0, strides[1]);
      for (int64_t y = 0; y < kh; ++y) {
        for (int64_t q = 0; q < kq; ++q) {
          Value word = tensor::ExtractOp::create(
              nb, loc, words, ValueRange{c, indexConstant(nb, loc, y * kq + q)});
          Value spread = vector::BitCastOp::create(
              nb, loc, groupsType,
              vector::BroadcastOp::create(nb, loc, VectorType::get({kLanes}, i32), word));
          for (int64_t r = 0; r < rows; ++r) {
            Value row = add(nb, scaled(nb, outRows[r], strides[0]),
                            indexConstant(nb, loc, y * dilations[0]));
            for (int64_t v = 0; v < vectors; ++v) {
              Value column = add(nb, firstColumn,
                                 indexConstant(nb, loc,
                                               v * kLanes * strides[1] + q * g * dilations[1]));
              Value lanes = rowTaps(nb, loc, input, {n, c, row, column}, reads[v], g,
                                    strides[1], dilations[1]);
              if (kind == DotKind::Int8)
                lanes = flipSigns(nb, loc, lanes);
              accs[r * vectors + v] = emitDot(nb, loc, kind, accs[r * vectors + v], lanes, spread);
            }
          }
        }
      }
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t v = 0; v < vectors; ++v) {
          SmallVector<Value> at{n, c, outRows[r], at0[v]};
          Value value = accs[r * vectors + v];
          if (epilogue)
            value = ElementwiseStage{epilogue, /*contract=*/true}.emit(
                nb, loc, at, kLanes, op.getResult(0), value, stores[v],
                rowOffset ? rowOffset->op : nullptr);
          result = vector::TransferWriteOp::create(nb, loc, value, result, at,
                                                   ArrayRef<bool>{stores[v]})
                       .getResult();
        }
      return result;
    };

    // Per row: the leading blocks of kMaxRowVectors vectors that read and write inside the rows
    // in a loop, then the rest in blocks of as equal a size as fit.
    int64_t total = llvm::divideCeil(width, kLanes), looped = 0;
    while ((looped + 1) * kMaxRowVectors * kLanes <= width &&
           readsInside(((looped + 1) * kMaxRowVectors - 1) * kLanes))
      ++looped;
    if (looped == 1)
      looped = 0;
    int64_t rest = total - looped * kMaxRowVectors;
    int64_t restBlocks = llvm::divideCeil(rest, kMaxRowVectors);
    // A row of at most kMaxRowVectors / 2 vectors (a 56-wide map: 4) takes the next rows into
    // its block, so that as many independent sums hide the instruction's latency.
    int64_t rowsAtOnce =
        looped == 0 && restBlocks == 1 ? std::min(kMaxRowVectors / rest, shape[2]) : 1;
    auto perRow = [&](OpBuilder &rb, Value n, Value c, Value oh, int64_t rows,
                      Value result) -> Value {
      if (looped > 0)
        result = forLoop(rb, loc, looped * kMaxRowVectors * kLanes, kMaxRowVectors * kLanes,
                         result,
                         [&](OpBuilder &lb, Value ow0, ValueRange carried) -> SmallVector<Value> {
                           return {block(lb, n, c, oh, rows, ow0, std::nullopt, kMaxRowVectors,
                                         carried[0])};
                         })
                     .getResult(0);
      int64_t first = looped * kMaxRowVectors;
      for (int64_t i = 0; i < restBlocks; ++i) {
        int64_t begin = first + rest * i / restBlocks, end = first + rest * (i + 1) / restBlocks;
        result = block(rb, n, c, oh, rows, indexConstant(rb, loc, begin * kLanes),
                       begin * kLanes, end - begin, result);
      }
      return result;
    };
    int64_t wholeRows = shape[2] / rowsAtOnce * rowsAtOnce;
    Value result = forLoop(
        b, loc, shape[0], 1, dest,
        [&](OpBuilder &ib, Value n, ValueRange image) -> SmallVector<Value> {
          return {forLoop(ib, loc, channels, 1, image[0],
                          [&](OpBuilder &cb, Value c, ValueRange plane) -> SmallVector<Value> {
                            Value rows = forLoop(cb, loc, wholeRows, rowsAtOnce, plane[0],
                                                 [&](OpBuilder &hb, Value oh, ValueRange carried)
                                                     -> SmallVector<Value> {
                                                   return {perRow(hb, n, c, oh, rowsAtOnce,
                                                                  carried[0])};
                                                 })
                                             .getResult(0);
                            // The rows left, fewer than a block's, in one block.
                            if (wholeRows < shape[2])
                              rows = perRow(cb, n, c, indexConstant(cb, loc, wholeRows),
                                            shape[2] - wholeRows, rows);
                            return {rows};
                          })
                      .getResult(0)};
        })
        .getResult(0);
    replaceWithKernel(rewriter, op, epilogue, result);
  }
};

struct VectorizeDotConvolutionsPass
    : impl::VectorizeDotConvolutionsPassBase<VectorizeDotConvolutionsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (!vnni && !bf16)
      return;
    SmallVector<Packing> packings;
    SmallVector<Product> products;
    SmallVector<DepthwiseProduct> depthwise;
    getOperation().walk([&](linalg::GenericOp op) {
      if (std::optional<Packing> packing = Packing::match(op, vnni, bf16))
        packings.push_back(*packing);
      else if (std::optional<Product> product = Product::match(op, vnni, bf16))
        products.push_back(*product);
      else if (std::optional<DepthwiseProduct> product = DepthwiseProduct::match(op, vnni, bf16))
        depthwise.push_back(*product);
    });
    // An elementwise op that reads two products (a residual add of two convolutions) is the
    // epilogue of the first; the second stores its result for it.
    llvm::SmallPtrSet<Operation *, 8> claimed;
    for (Product &product : products) {
      if (product.epilogue && !claimed.insert(product.epilogue).second)
        product.dropEpilogue();
      if (product.epilogue)
        product.rowOffset =
            ElementwiseStage{product.epilogue}.leadingRowOffset(product.op.getResult(0), 1);
    }
    // int8 columns read by products only (through the collapse of the packing's dimensions)
    // are packed with the sign flip the products need.
    for (Packing &packing : packings) {
      Value packed = packing.op.getResult(0);
      SmallVector<Product *> readers;
      bool onlyProducts = tensorType(packed).getElementType().isInteger(8);
      for (Operation *user : packed.getUsers()) {
        auto collapsed = dyn_cast<tensor::CollapseShapeOp>(user);
        if (!collapsed) {
          onlyProducts = false;
          break;
        }
        for (Operation *reader : collapsed.getResult().getUsers()) {
          auto product = llvm::find_if(products, [&](Product &p) { return p.op == reader; });
          if (product == products.end() || product->op.getDpsInputs()[1] != collapsed) {
            onlyProducts = false;
            break;
          }
          readers.push_back(&*product);
        }
      }
      if (!onlyProducts)
        continue;
      packing.flipSign = true;
      for (Product *product : readers)
        product->columnsFlipped = true;
    }
    IRRewriter rewriter(&getContext());
    for (Packing &packing : packings)
      packing.rewrite(rewriter);
    for (Product &product : products)
      product.rewrite(rewriter);
    for (DepthwiseProduct &product : depthwise)
      product.rewrite(rewriter);
  }
};

} // namespace
} // namespace dlc::cpu
