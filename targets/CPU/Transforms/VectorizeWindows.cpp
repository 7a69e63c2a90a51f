// The dlc-cpu-vectorize-windows pass: window ops (depthwise and grouped convolutions, pooling,
// im2col), elementwise ops and row reductions become vector loops along one dimension, with the
// elementwise ops that produce a window op's initial value and consume its result.
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/VectorBody.h"
#include "targets/CPU/Transforms/WindowReads.h"

#include "mlir/Analysis/FlatLinearValueConstraints.h"
#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/TypeSwitch.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZEWINDOWSPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

/// Reductions with at most this many steps per result vector are unrolled at compile time (a
/// 3x3 window: 9), so window offsets are constants and weight broadcasts hoist out of loops.
constexpr int64_t kMaxUnrolledSteps = 64;

/// Independent partial results an unrolled reduction is spread over (a fused multiply-add has a
/// latency of 4 cycles, and two issue per cycle).
constexpr int64_t kReductionChains = 3;

/// Vectors a long row reduction accumulates into at a time: independent partial results that
/// hide an addition's latency and keep each partial sum short (a softmax over 6625 classes: its
/// error against float64: 2.5e-5 with one scalar sum, 2.3e-6 with one vector, 1.0e-6 with 4).
constexpr int64_t kRowChains = 4;

/// Result dimensions of at most this many values that offset the columns read from padded inputs
/// (the kernel column offset of an im2col: 7 for a 7x7 kernel) are unrolled inside each chunk.
constexpr int64_t kMaxUnrolledWindowLoop = 8;

/// The coefficients of `expr` in dimensions 0..numDims-1, then its constant term, when it is
/// linear: a sum of dimensions times constants plus a constant (no mod or division).
std::optional<SmallVector<int64_t>> linearCoefficients(AffineExpr expr, unsigned numDims) {
  SmallVector<int64_t> flat;
  if (failed(getFlattenedAffineExpr(expr, numDims, 0, &flat)) || flat.size() != numDims + 1)
    return std::nullopt;
  return flat;
}

/// Whether each result of `map` is a distinct dimension or the constant 0 (AffineMap's
/// isProjectedPermutation allows no more results than dimensions, so not [n, c, 0, 0] of a
/// reduction over a collapsed [n, c, h * w]).
bool isProjectionWithZeros(AffineMap map) {
  llvm::SmallBitVector seen(map.getNumDims());
  for (AffineExpr result : map.getResults()) {
    if (auto dim = dyn_cast<AffineDimExpr>(result)) {
      if (seen.test(dim.getPosition()))
        return false;
      seen.set(dim.getPosition());
    } else if (auto constant = dyn_cast<AffineConstantExpr>(result);
               !constant || constant.getValue() != 0) {
      return false;
    }
  }
  return map.getNumSymbols() == 0;
}

/// The op `combiner` (e.g. arith.addf) applied to `lhs` and `rhs` of type `type`.
Value combine(OpBuilder &b, Location loc, Operation *combiner, Value lhs, Value rhs, Type type) {
  OperationState state(loc, combiner->getName(), ValueRange{lhs, rhs}, TypeRange{type},
                       combiner->getAttrs());
  return b.create(state)->getResult(0);
}

/// Lanes of one vector register (512 bits) for `type`, the width of the emitted vectors.
int64_t lanesFor(Type type) {
  return std::clamp<int64_t>(512 / std::max<unsigned>(type.getIntOrFloatBitWidth(), 1), 4, 64);
}

/// For each input of `op`: the stride along loop dimension `dim` of the elements it reads, when
/// `dim` indexes only the input's innermost dimension, linearly (0 when it does not index the
/// input at all); nullopt when some input is indexed otherwise.
std::optional<SmallVector<int64_t>> stridesAlong(linalg::GenericOp op, unsigned dim) {
  SmallVector<int64_t> strides;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    int64_t stride = 0;
    for (auto [r, expr] : llvm::enumerate(map.getResults())) {
      std::optional<SmallVector<int64_t>> coefficients =
          linearCoefficients(expr, map.getNumDims());
      if (!coefficients)
        return std::nullopt;
      if ((*coefficients)[dim] == 0)
        continue;
      stride = (*coefficients)[dim];
      if (r + 1 != map.getNumResults() || stride < 0)
        return std::nullopt;
    }
    strides.push_back(stride);
  }
  return strides;
}

/// The vector reduction that matches the scalar combiner `op` (e.g. arith.addf: add).
std::optional<vector::CombiningKind> combiningKind(Operation *op) {
  using Kind = vector::CombiningKind;
  return llvm::TypeSwitch<Operation *, std::optional<Kind>>(op)
      .Case<arith::AddFOp, arith::AddIOp>([](auto) { return Kind::ADD; })
      .Case<arith::MulFOp, arith::MulIOp>([](auto) { return Kind::MUL; })
      .Case<arith::MaximumFOp>([](auto) { return Kind::MAXIMUMF; })
      .Case<arith::MinimumFOp>([](auto) { return Kind::MINIMUMF; })
      .Case<arith::MaxNumFOp>([](auto) { return Kind::MAXNUMF; })
      .Case<arith::MinNumFOp>([](auto) { return Kind::MINNUMF; })
      .Case<arith::MaxSIOp>([](auto) { return Kind::MAXSI; })
      .Case<arith::MinSIOp>([](auto) { return Kind::MINSI; })
      .Case<arith::MaxUIOp>([](auto) { return Kind::MAXUI; })
      .Case<arith::MinUIOp>([](auto) { return Kind::MINUI; })
      .Case<arith::AndIOp>([](auto) { return Kind::AND; })
      .Case<arith::OrIOp>([](auto) { return Kind::OR; })
      .Case<arith::XOrIOp>([](auto) { return Kind::XOR; })
      .Default([](Operation *) { return std::nullopt; });
}

/// A window op: a linalg.generic with reductions whose result's innermost dimension `v` indexes
/// each input only through its innermost dimension, linearly (`v * stride + ...`), or not at all.
/// Such an op runs as vectors of consecutive results along `v`.
class WindowKernel {
public:
  static std::optional<WindowKernel> match(linalg::GenericOp op) {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
        linalg::isaContractionOpInterface(op) || !hasVectorizableBody(op))
      return std::nullopt;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic))
      return std::nullopt;
    // Vectors of i1 would be loaded and stored as packed bits, not as the bytes memory holds.
    for (Value operand : op->getOperands())
      if (getElementTypeOrSelf(operand.getType()).getIntOrFloatBitWidth() < 8)
        return std::nullopt;
    Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    // A reduction that keeps its reduced dimensions (keepdims) writes them at index 0.
    AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (!isProjectionWithZeros(out) || out.getNumResults() == 0)
      return std::nullopt;
    WindowKernel kernel;
    kernel.op = op;
    kernel.ranges = ranges;
    kernel.width = lanesFor(element);
    for (auto [dim, type] : llvm::enumerate(op.getIteratorTypesArray()))
      if (type == utils::IteratorType::reduction)
        kernel.reductionDims.push_back(dim);
    // The one associative op combining each step into the result (a sum, a maximum), if any.
    SmallVector<Operation *> combiners;
    if (!kernel.reductionDims.empty() &&
        matchReduction(op.getRegionOutputArgs(), 0, combiners) && combiners.size() == 1 &&
        combiningKind(combiners.front()) && arith::getNeutralElement(combiners.front()))
      kernel.combiner = combiners.front();
    // Vectors along the result's innermost dimension; failing that, for a reduction along the
    // inputs' innermost dimension (a row sum or maximum), vectors along that dimension.
    // Result vectors need the innermost result dimension to be a loop's, not a kept one.
    auto innermost = dyn_cast<AffineDimExpr>(out.getResults().back());
    std::optional<SmallVector<int64_t>> strides;
    if (innermost)
      strides = stridesAlong(op, innermost.getPosition());
    if (strides) {
      kernel.vectorDim = innermost.getPosition();
      kernel.strides = *strides;
      for (AffineExpr result : out.getResults().drop_back())
        if (auto dim = dyn_cast<AffineDimExpr>(result))
          kernel.outerDims.push_back(dim.getPosition());
    } else if (kernel.reductionDims.size() == 1) {
      unsigned reduced = kernel.reductionDims.front();
      std::optional<SmallVector<int64_t>> rowStrides = stridesAlong(op, reduced);
      if (!rowStrides || llvm::any_of(*rowStrides, [](int64_t s) { return s > 1; }) ||
          !kernel.combiner)
        return std::nullopt;
      kernel.rowReduction = true;
      kernel.vectorDim = reduced;
      kernel.strides = *rowStrides;
      kernel.reductionDims.clear();
      for (AffineExpr result : out.getResults())
        if (auto dim = dyn_cast<AffineDimExpr>(result))
          kernel.outerDims.push_back(dim.getPosition());
    } else {
      return std::nullopt;
    }
    if (ranges[kernel.vectorDim] < 4)
      return std::nullopt;
    // A padded input whose rows are more than half a vector and less than one, read at stride
    // 1, is read padded (the pad built by a copy): reading the source, every read of such a row
    // is a border read, assembled with shuffles across the vector's halves (MobileNetV2's 14x14
    // depthwise convolutions: 0.65x the time with the copy; its 7x7 and stride-2 ones were
    // slower that way).
    bool shortRows = !kernel.rowReduction && 2 * ranges[kernel.vectorDim] > kernel.width &&
                     ranges[kernel.vectorDim] < kernel.width &&
                     llvm::all_of(kernel.strides, [](int64_t s) { return s <= 1; });
    for (auto [input, stride] : llvm::zip(op.getDpsInputOperands(), kernel.strides))
      kernel.padded.push_back(stride > 0 && !shortRows ? PaddedSource::of(input->get())
                                                       : std::nullopt);
    if (!kernel.rowReduction) {
      SmallVector<unsigned> outer;
      for (unsigned dim : kernel.outerDims) {
        bool movesColumns = !kernel.paddedIndicesOf(dim, /*columns=*/true).empty();
        (movesColumns && ranges[dim] <= kMaxUnrolledWindowLoop ? kernel.innerDims : outer)
            .push_back(dim);
      }
      kernel.outerDims = outer;
    }
    kernel.findStages();
    return kernel;
  }

  /// Replaces the window op (and its stages) by the vector loop nest; returns the ops erased.
  SmallVector<Operation *> rewrite(RewriterBase &rewriter) {
    Location loc = op.getLoc();
    Operation *last = epilogue ? epilogue.getOperation() : op.getOperation();
    rewriter.setInsertionPoint(last);
    Value dest = epilogue ? epilogue.getDpsInits()[0]
                 : prologue ? cast<DestinationStyleOpInterface>(prologue).getDpsInits()[0]
                            : op.getDpsInits()[0];
    ivs.assign(ranges.size(), nullptr);
    fixed.assign(ranges.size(), std::nullopt);
    for (std::optional<PaddedSource> &input : padded) {
      unpadded.push_back(input ? input->source(rewriter, loc) : nullptr);
      inside.emplace_back(input ? input->sizes.size() : 0, false);
    }
    Value result = emitOuter(rewriter, loc, 0, dest);
    rewriter.replaceAllUsesWith(last->getResult(0), result);
    SmallVector<Operation *> erased;
    for (Operation *dead : {epilogue.getOperation(), op.getOperation(), prologue})
      if (dead && dead->use_empty()) {
        rewriter.eraseOp(dead);
        erased.push_back(dead);
      }
    for (scf::ForOp loop : loops)
      moveLoopInvariantCode(cast<LoopLikeOpInterface>(loop.getOperation()));
    return erased;
  }

private:
  linalg::GenericOp op;
  SmallVector<int64_t> ranges;
  unsigned vectorDim = 0;
  int64_t width = 16;
  SmallVector<unsigned> outerDims, reductionDims;
  // Short result dimensions that offset the columns read from padded inputs (the kernel column
  // offset of an im2col): unrolled inside each chunk, so border columns start at known offsets
  // (shuffles, not gathers) without a sequence of loop nests per value.
  SmallVector<unsigned> innerDims;
  SmallVector<int64_t> strides; // per input: stride along the vector dimension, 0 = broadcast
  SmallVector<std::optional<PaddedSource>> padded; // per input: read without its padding
  SmallVector<Value> unpadded;   // per padded input, while emitting: its source
  // Per padded input and operand dimension, while emitting: whether the enclosing loops keep
  // that index inside the source, so its bounds check is left out.
  SmallVector<SmallVector<bool>> inside;
  Operation *combiner = nullptr; // the body's one associative combining op (e.g. addf), if any
  bool rowReduction = false;      // vectors along the (only) reduction dimension
  Operation *prologue = nullptr; // linalg.fill or a Stage generic computing the initial value
  linalg::GenericOp epilogue;
  SmallVector<Value> ivs;        // per loop dimension, while emitting
  SmallVector<std::optional<int64_t>> fixed; // per loop dimension: its value where unrolled
  SmallVector<scf::ForOp> loops; // loops created, for invariant code motion
  bool pastRow = false;          // while emitting: the vectors reach past the result's row

  /// Whether the body reads the result's initial value (an elementwise op does not).
  bool readsInit() { return !op.getRegionOutputArgs()[0].use_empty(); }

  void findStages() {
    int64_t rank = op.getMatchingIndexingMap(op.getDpsInitOperand(0)).getNumResults();
    Value init = op.getDpsInits()[0];
    Operation *producer = init.getDefiningOp();
    if (producer && producer->hasOneUse() && readsInit()) {
      if (auto fill = dyn_cast<linalg::FillOp>(producer); fill && fill.hasPureTensorSemantics())
        prologue = fill;
      else if (auto generic = dyn_cast<linalg::GenericOp>(producer);
               !rowReduction && ElementwiseStage::accepts(generic, rank, nullptr))
        prologue = generic;
    }
    // A row reduction produces one element at a time, not vectors an epilogue could use.
    if (rowReduction)
      return;
    Value result = op.getResult(0);
    if (!result.hasOneUse())
      return;
    auto consumer = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
    if (ElementwiseStage::accepts(consumer, rank, result) && consumer.getDpsInits()[0] != result)
      epilogue = consumer;
  }

  /// Output indices (the window result's, and any stage's) at the current iteration point: 0
  /// for a kept reduced dimension.
  SmallVector<Value> resultIndices(OpBuilder &b, Location loc) {
    SmallVector<Value> indices;
    for (AffineExpr result : op.getMatchingIndexingMap(op.getDpsInitOperand(0)).getResults())
      indices.push_back(isa<AffineDimExpr>(result)
                            ? ivs[cast<AffineDimExpr>(result).getPosition()]
                            : arith::ConstantIndexOp::create(b, loc, 0).getResult());
    return indices;
  }

  scf::ForOp loop(OpBuilder &b, Location loc, int64_t lower, int64_t upper, int64_t step,
                  Value carried, function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
    auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    auto forOp = scf::ForOp::create(
        b, loc, constant(lower), constant(upper), constant(step), ValueRange{carried},
        [&](OpBuilder &nested, Location nestedLoc, Value iv, ValueRange args) {
          scf::YieldOp::create(nested, nestedLoc, body(nested, nestedLoc, iv, args[0]));
        });
    loops.push_back(forOp);
    return forOp;
  }

  /// The padded (input, dimension) pairs whose index depends on loop dimension `dim`: along the
  /// innermost operand dimension when `columns`, along the others otherwise.
  SmallVector<std::pair<unsigned, unsigned>> paddedIndicesOf(unsigned dim, bool columns) {
    SmallVector<std::pair<unsigned, unsigned>> pairs;
    for (auto [i, input] : llvm::enumerate(op.getDpsInputOperands())) {
      if (!padded[i])
        continue;
      AffineMap map = op.getMatchingIndexingMap(input);
      for (unsigned d = 0; d < map.getNumResults(); ++d) {
        bool isColumn = d + 1 == map.getNumResults();
        auto padType = cast<ShapedType>(padded[i]->pad.getType());
        bool isPadded = padded[i]->low[d] != 0 || padType.getDimSize(d) != padded[i]->sizes[d];
        if (isColumn == columns && isPadded && map.getResult(d).isFunctionOfDim(dim))
          pairs.push_back({unsigned(i), d});
      }
    }
    return pairs;
  }

  /// The values [first, last] of loop dimension `dim` for which every index in `pairs` stays
  /// inside its source whatever the other loops do; along columns, for the `lanes` consecutive
  /// values starting there (and the elements up to a power of two that their read takes).
  std::pair<int64_t, int64_t> interior(unsigned dim, ArrayRef<std::pair<unsigned, unsigned>> pairs,
                                       int64_t lanes) {
    int64_t first = 0, last = ranges[dim] - 1;
    for (auto [i, d] : pairs) {
      AffineMap map = op.getMatchingIndexingMap(op.getDpsInputOperand(i));
      // Linear: stridesAlong checked every input's indices.
      SmallVector<int64_t> coefficients = *linearCoefficients(map.getResult(d), map.getNumDims());
      int64_t coefficient = coefficients[dim];
      // The smallest and largest value of the other terms over the loop ranges.
      int64_t restLow = coefficients.back(), restHigh = coefficients.back();
      for (unsigned k = 0; k < map.getNumDims(); ++k) {
        if (k == dim)
          continue;
        int64_t bottom = coefficients[k] * fixed[k].value_or(0);
        int64_t top = coefficients[k] * fixed[k].value_or(ranges[k] - 1);
        restLow += std::min(bottom, top);
        restHigh += std::max(bottom, top);
      }
      // A read of the lanes takes their span widened to a power of two (readLanes): the
      // interior keeps all of it inside, so interior reads need no mask.
      if (lanes > 1)
        restHigh += widenedSpan((lanes - 1) * coefficient + 1) - 1;
      int64_t begin = padded[i]->low[d], end = begin + padded[i]->sizes[d] - 1;
      first = std::max(first, llvm::divideCeilSigned(begin - restLow, coefficient));
      last = std::min(last, llvm::divideFloorSigned(end - restHigh, coefficient));
    }
    return {first, last};
  }

  /// Loops over [lower, upper) of `dim` in up to three parts: before the interior, the interior
  /// (where the bounds checks of `pairs` are left out) and after it.
  Value splitLoop(OpBuilder &b, Location loc, int64_t lower, int64_t upper, int64_t step,
                  std::pair<int64_t, int64_t> interiorRange,
                  ArrayRef<std::pair<unsigned, unsigned>> pairs, Value dest,
                  function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
    // Interior iterations: lower + k * step within [first, last].
    int64_t count = (upper - lower) / step;
    int64_t from = std::clamp<int64_t>(
        llvm::divideCeilSigned(interiorRange.first - lower, step), 0, count);
    int64_t to = std::clamp<int64_t>(
        llvm::divideFloorSigned(interiorRange.second - lower, step) + 1, from, count);
    for (auto [partBegin, partEnd, isInterior] :
         {std::tuple{0l, from, false}, std::tuple{from, to, true}, std::tuple{to, count, false}}) {
      if (partBegin >= partEnd)
        continue;
      for (auto [i, d] : pairs)
        inside[i][d] = isInterior;
      // A part of one iteration is emitted without a loop: its index is then a constant, so
      // border reads know their offsets.
      if (partEnd - partBegin == 1)
        dest = body(b, loc, arith::ConstantIndexOp::create(b, loc, lower + partBegin * step), dest);
      else
        dest = loop(b, loc, lower + partBegin * step, lower + partEnd * step, step, dest, body)
                   .getResult(0);
      for (auto [i, d] : pairs)
        inside[i][d] = false;
    }
    return dest;
  }

  Value emitOuter(OpBuilder &b, Location loc, unsigned level, Value dest) {
    if (level == outerDims.size())
      return rowReduction ? emitRow(b, loc, dest) : emitChunks(b, loc, dest);
    unsigned dim = outerDims[level];
    auto body = [&](OpBuilder &nested, Location nestedLoc, Value iv, Value carried) {
      ivs[dim] = iv;
      return emitOuter(nested, nestedLoc, level + 1, carried);
    };
    SmallVector<std::pair<unsigned, unsigned>> pairs = paddedIndicesOf(dim, /*columns=*/false);
    return splitLoop(b, loc, 0, ranges[dim], 1, interior(dim, pairs, 1), pairs, dest, body);
  }

  /// Vectors of `width` results along the vector dimension, then one shorter vector for the rest.
  Value emitChunks(OpBuilder &b, Location loc, Value dest) {
    int64_t size = ranges[vectorDim], whole = size / width * width;
    SmallVector<std::pair<unsigned, unsigned>> pairs =
        paddedIndicesOf(vectorDim, /*columns=*/true);
    if (whole > 0)
      dest = splitLoop(b, loc, 0, whole, width, interior(vectorDim, pairs, width), pairs, dest,
                       [&](OpBuilder &nested, Location nestedLoc, Value iv, Value carried) {
                         return emitChunk(nested, nestedLoc, iv, width, carried);
                       });
    if (size > whole) {
      // A rest of more than half a vector is computed on a multiple of 4 lanes, those past the
      // row masked off where read and written: LLVM assembles a vector of 14 lanes element by
      // element (a 14x14 depthwise convolution's row took 336 instructions for 126
      // multiply-adds), where 12 lanes are registers of 8 and 4. A shorter rest keeps its
      // lanes: masked stores are slow on AMD's cores (7x7 maps took 2x the time in 8 lanes).
      int64_t rest = size - whole;
      int64_t lanes = 2 * rest > width ? std::min<int64_t>(width, llvm::alignTo(rest, 4)) : rest;
      auto [first, last] = interior(vectorDim, pairs, lanes);
      for (auto [i, d] : pairs)
        inside[i][d] = first <= whole && whole <= last;
      pastRow = lanes > rest;
      dest = emitChunk(b, loc, arith::ConstantIndexOp::create(b, loc, whole), lanes, dest);
      pastRow = false;
      for (auto [i, d] : pairs)
        inside[i][d] = false;
    }
    return dest;
  }

  /// One element of a row reduction: vectors of `width` lanes accumulate along the row (lanes
  /// combined in any order, as vectorized reductions do), then one shorter vector for the rest;
  /// each is reduced across lanes and combined with the initial value.
  Value emitRow(OpBuilder &b, Location loc, Value dest) {
    SmallVector<Value> indices = resultIndices(b, loc);
    Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
    auto neutral = [&](int64_t lanes) -> Value {
      auto type = VectorType::get({lanes}, element);
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, *arith::getNeutralElement(combiner)));
    };
    auto reduceLanes = [&](Value vector) -> Value {
      return vector::ReductionOp::create(b, loc, *combiningKind(combiner), vector);
    };
    Value result;
    if (auto fill = dyn_cast_or_null<linalg::FillOp>(prologue))
      result = fill.getInputs()[0];
    else
      result = tensor::ExtractOp::create(b, loc, op.getDpsInits()[0], indices);
    // Steps of kRowChains vectors (independent partial results) along a long row, then of one.
    int64_t size = ranges[vectorDim], wideStep = width * kRowChains;
    int64_t wide = size >= 2 * wideStep ? size / wideStep * wideStep : 0;
    int64_t whole = wide + (size - wide) / width * width;
    for (auto [begin, end, lanes] : {std::tuple{0l, wide, wideStep}, {wide, whole, width}}) {
      if (begin == end)
        continue;
      Value acc = loop(b, loc, begin, end, lanes, neutral(lanes),
                       [&, lanes = lanes](OpBuilder &nested, Location nestedLoc, Value iv,
                                          Value carried) {
                         ivs[vectorDim] = iv;
                         return emitStep(nested, nestedLoc, carried, lanes);
                       })
                      .getResult(0);
      result = combine(b, loc, combiner, result, reduceLanes(acc), element);
    }
    if (size > whole) {
      ivs[vectorDim] = arith::ConstantIndexOp::create(b, loc, whole);
      Value rest = reduceLanes(emitStep(b, loc, neutral(size - whole), size - whole));
      result = combine(b, loc, combiner, result, rest, element);
    }
    return tensor::InsertOp::create(b, loc, result, dest, indices);
  }

  /// The vectors of one chunk: one per combination of the inner dimensions' values.
  Value emitChunk(OpBuilder &b, Location loc, Value start, int64_t lanes, Value dest) {
    ivs[vectorDim] = start;
    int64_t combinations = 1;
    for (unsigned d : innerDims)
      combinations *= ranges[d];
    for (int64_t combination = 0; combination < combinations; ++combination) {
      int64_t rest = combination;
      for (unsigned d : llvm::reverse(innerDims)) {
        fixed[d] = rest % ranges[d];
        ivs[d] = arith::ConstantIndexOp::create(b, loc, *fixed[d]);
        rest /= ranges[d];
      }
      dest = emitVector(b, loc, lanes, dest);
    }
    for (unsigned d : innerDims)
      fixed[d] = std::nullopt;
    return dest;
  }

  Value emitVector(OpBuilder &b, Location loc, int64_t lanes, Value dest) {
    SmallVector<Value> indices = resultIndices(b, loc);
    Value acc; // stays null for an elementwise op, which does not read its initial value
    if (!readsInit()) {
    } else if (auto fill = dyn_cast_or_null<linalg::FillOp>(prologue)) {
      acc = vector::BroadcastOp::create(
          b, loc, VectorType::get({lanes}, fill.getInputs()[0].getType()), fill.getInputs()[0]);
    } else if (auto generic = dyn_cast_or_null<linalg::GenericOp>(prologue)) {
      acc = ElementwiseStage{generic}.emit(b, loc, indices, lanes, nullptr, nullptr, !pastRow);
    } else {
      acc = readLanes(b, loc, op.getDpsInits()[0], indices, 1, lanes, !pastRow);
    }
    acc = emitReductions(b, loc, 0, acc, lanes);
    if (epilogue)
      acc = ElementwiseStage{epilogue}.emit(b, loc, indices, lanes, op.getResult(0), acc,
                                            !pastRow);
    return vector::TransferWriteOp::create(b, loc, acc, dest, indices, ArrayRef<bool>{!pastRow})
        .getResult();
  }

  /// Steps of the whole reduction per result vector.
  int64_t reductionSteps() {
    int64_t steps = 1;
    for (unsigned d : reductionDims)
      steps *= ranges[d];
    return steps;
  }

  Value emitReductions(OpBuilder &b, Location loc, unsigned level, Value acc, int64_t lanes) {
    if (level == reductionDims.size())
      return emitStep(b, loc, acc, lanes);
    if (level == 0 && reductionSteps() <= kMaxUnrolledSteps)
      return emitUnrolledReduction(b, loc, acc, lanes);
    unsigned dim = reductionDims[level];
    return loop(b, loc, 0, ranges[dim], 1, acc,
                [&](OpBuilder &nested, Location nestedLoc, Value iv, Value carried) {
                  ivs[dim] = iv;
                  return emitReductions(nested, nestedLoc, level + 1, carried, lanes);
                })
        .getResult(0);
  }

  /// The whole reduction unrolled. When the body combines into the result with one associative
  /// op (a sum, a maximum), the steps go round-robin to a few partial results combined at the
  /// end, so consecutive steps do not wait for each other's fused multiply-add.
  Value emitUnrolledReduction(OpBuilder &b, Location loc, Value acc, int64_t lanes) {
    int64_t steps = reductionSteps();
    int64_t chains = combiner && acc ? std::min<int64_t>(kReductionChains, steps) : 1;
    SmallVector<Value> partial(chains, nullptr);
    partial[0] = acc;
    auto type = VectorType::get({lanes}, getElementTypeOrSelf(op.getDpsInits()[0].getType()));
    for (int64_t c = 1; c < chains; ++c)
      partial[c] = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, *arith::getNeutralElement(combiner)));
    for (int64_t step = 0; step < steps; ++step) {
      int64_t rest = step;
      for (unsigned d : llvm::reverse(reductionDims)) {
        ivs[d] = arith::ConstantIndexOp::create(b, loc, rest % ranges[d]);
        rest /= ranges[d];
      }
      partial[step % chains] = emitStep(b, loc, partial[step % chains], lanes);
    }
    Value result = partial[0];
    for (int64_t c = 1; c < chains; ++c)
      result = combine(b, loc, combiner, result, partial[c], type);
    return result;
  }

  /// One step of the reduction for `lanes` consecutive results: the op's body on vectors.
  Value emitStep(OpBuilder &b, Location loc, Value acc, int64_t lanes) {
    SmallVector<Value> args;
    for (auto [i, input] : llvm::enumerate(op.getDpsInputOperands())) {
      if (op.getMatchingBlockArgument(input).use_empty()) {
        args.push_back(nullptr);
        continue;
      }
      SmallVector<Value> indices = indicesAt(b, loc, op.getMatchingIndexingMap(input), ivs);
      args.push_back(padded[i] ? padded[i]->read(b, loc, unpadded[i], indices, strides[i], lanes,
                                                 inside[i])
                               : readLanes(b, loc, input->get(), indices, strides[i], lanes,
                                           !pastRow));
    }
    args.push_back(acc);
    return emitVectorBody(b, loc, *op.getBody(), args, lanes);
  }
};

struct VectorizeWindowsPass : impl::VectorizeWindowsPassBase<VectorizeWindowsPass> {
  void runOnOperation() override {
    // A rewrite erases the stages it absorbs, which may be later candidates: those are matched
    // only while they still have uses.
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) { candidates.push_back(op); });
    // Ops with reductions first, so that the elementwise ops computing their initial values or
    // consuming their results are absorbed as stages before they are considered on their own.
    std::stable_partition(candidates.begin(), candidates.end(),
                          [](linalg::GenericOp op) { return op.getNumReductionLoops() > 0; });
    IRRewriter rewriter(&getContext());
    llvm::SmallPtrSet<Operation *, 16> erased;
    for (linalg::GenericOp op : candidates) {
      if (erased.contains(op.getOperation()))
        continue;
      if (std::optional<WindowKernel> kernel = WindowKernel::match(op))
        for (Operation *dead : kernel->rewrite(rewriter))
          erased.insert(dead);
    }
  }
};

} // namespace
} // namespace dlc::cpu
