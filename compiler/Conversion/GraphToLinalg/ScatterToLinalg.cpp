// Lowers the ops that write elements at positions computed from values (scatter_elements,
// scatter_nd, top_k, nonzero, non_max_suppression, unique) to scf loop nests that thread the
// result tensor through tensor.insert.
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphOps.h"

#include <array>
#include <limits>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace dlc::graph;

namespace dlc::conversion {
namespace {

/// Builds a loop nest over every position of `shape` (row-major order), threading `inits`
/// through it; `body` gets the positions and the current tensors and returns the next ones.
/// linalg.generic cannot say that iterations write where a value points, so scatters are loops;
/// one-shot bufferization then updates the tensors in place.
SmallVector<Value> loopOver(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                            ValueRange inits,
                            function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange,
                                                            ValueRange)>
                                body) {
  SmallVector<Value> lbs, ubs, steps;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t size : shape) {
    lbs.push_back(zero);
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, size));
    steps.push_back(one);
  }
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, inits,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange ivs, ValueRange tensors) {
        return scf::ValueVector(body(nested, nestedLoc, ivs, tensors));
      });
  return SmallVector<Value>(nest.results);
}

/// A copy of `data` in a new tensor, for a scatter to write into. Writing into `data` itself
/// would let bufferization update a function argument (a caller's input) in place.
Value freshCopy(OpBuilder &b, Location loc, Value data) {
  Value init = emptyTensor(b, loc, tensorType(data));
  return linalg::CopyOp::create(b, loc, data, init).getResult(0);
}

/// The combiner of a scatter's reduction; std::nullopt for "none" (the update replaces).
std::optional<Combiner> reductionCombiner(StringRef reduction) {
  return llvm::StringSwitch<std::optional<Combiner>>(reduction)
      .Case("add", Combiner::Add)
      .Case("mul", Combiner::Mul)
      .Case("max", Combiner::Max)
      .Case("min", Combiner::Min)
      .Default(std::nullopt);
}

/// Writes `update` into `result` at `coords`, combined with the element there when `combiner`
/// is given; returns the new tensor.
Value writeElement(OpBuilder &b, Location loc, Value result, ValueRange coords, Value update,
                   std::optional<Combiner> combiner, bool isUnsigned) {
  Value value = update;
  if (combiner) {
    Value old = tensor::ExtractOp::create(b, loc, result, coords);
    value = combine(b, loc, *combiner, old, update, isUnsigned);
  }
  return tensor::InsertOp::create(b, loc, value, result, coords);
}

struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    int64_t axis = op.getAxis();
    int64_t axisSize = tensorType(adaptor.getData()).getDimSize(axis);
    std::optional<Combiner> combiner = reductionCombiner(op.getReduction());
    bool isUnsigned = isUnsignedElement(op.getType());
    Value copy = freshCopy(rewriter, op.getLoc(), adaptor.getData());
    SmallVector<Value> results = loopOver(
        rewriter, op.getLoc(), tensorType(indices).getShape(), copy,
        [&](OpBuilder &b, Location loc, ValueRange ivs, ValueRange tensors) {
          Value index = tensor::ExtractOp::create(b, loc, indices, ivs);
          Value update = tensor::ExtractOp::create(b, loc, updates, ivs);
          SmallVector<Value> coords(ivs);
          coords[axis] = clampedIndex(b, loc, index, axisSize);
          Value written =
              writeElement(b, loc, tensors[0], coords, update, combiner, isUnsigned);
          return SmallVector<Value>{written};
        });
    rewriter.replaceOp(op, results[0]);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    ArrayRef<int64_t> dataShape = tensorType(adaptor.getData()).getShape();
    int64_t tupleRank = tensorType(indices).getRank() - 1;
    int64_t tupleSize = tensorType(indices).getShape().back();
    std::optional<Combiner> combiner = reductionCombiner(op.getReduction());
    bool isUnsigned = isUnsignedElement(op.getType());
    Value copy = freshCopy(rewriter, op.getLoc(), adaptor.getData());
    // The loops walk the updates: their leading dimensions pick an index tuple, the trailing
    // ones walk the slice it addresses.
    SmallVector<Value> results = loopOver(
        rewriter, op.getLoc(), tensorType(updates).getShape(), copy,
        [&](OpBuilder &b, Location loc, ValueRange ivs, ValueRange tensors) {
          SmallVector<Value> tuplePos(ivs.take_front(tupleRank)), coords;
          tuplePos.push_back(Value());
          for (int64_t j = 0; j < tupleSize; ++j) {
            tuplePos.back() = arith::ConstantIndexOp::create(b, loc, j);
            Value index = tensor::ExtractOp::create(b, loc, indices, tuplePos);
            coords.push_back(clampedIndex(b, loc, index, dataShape[j]));
          }
          coords.append(ivs.begin() + tupleRank, ivs.end());
          Value update = tensor::ExtractOp::create(b, loc, updates, ivs);
          Value written =
              writeElement(b, loc, tensors[0], coords, update, combiner, isUnsigned);
          return SmallVector<Value>{written};
        });
    rewriter.replaceOp(op, results[0]);
    return success();
  }
};

/// Whether `lhs` is larger than `rhs` in the order that makes NaN larger than every number
/// (and equal to itself); integers compare as signed unless `isUnsigned`.
Value isLarger(OpBuilder &b, Location loc, Value lhs, Value rhs, bool isUnsigned) {
  if (!isa<FloatType>(lhs.getType()))
    return arith::CmpIOp::create(b, loc,
                                 isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
                                 lhs, rhs);
  Value greater = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, lhs, rhs);
  Value lhsNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, lhs, lhs);
  Value rhsNumber = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, rhs, rhs);
  Value nanOverNumber = arith::AndIOp::create(b, loc, lhsNaN, rhsNumber);
  return arith::OrIOp::create(b, loc, greater, nanOverNumber);
}

/// Whether `lhs` equals `rhs` in the same order (two NaNs are equal).
Value isSame(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  if (!isa<FloatType>(lhs.getType()))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lhs, rhs);
  Value equal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, lhs, rhs);
  Value lhsNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, lhs, lhs);
  Value rhsNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, rhs, rhs);
  Value bothNaN = arith::AndIOp::create(b, loc, lhsNaN, rhsNaN);
  return arith::OrIOp::create(b, loc, equal, bothNaN);
}

/// top_k: each element's rank along the axis is the number of elements that precede it (a
/// strict total order, so the ranks of a row are a permutation); an element of rank below k is
/// written at its rank. O(n^2) comparisons per row, no sorting network and no scratch buffers.
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    ArrayRef<int64_t> shape = tensorType(input).getShape();
    int64_t axis = op.getAxis();
    bool largest = op.getLargest(), isUnsigned = isUnsignedElement(op.getInput().getType());
    Value values = emptyTensor(rewriter, loc, signlessType(op.getValues().getType()));
    Value indices = emptyTensor(rewriter, loc, tensorType(op.getIndices()));
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value axisSize = arith::ConstantIndexOp::create(rewriter, loc, shape[axis]);
    Value k = arith::ConstantIndexOp::create(rewriter, loc, op.getK());
    SmallVector<Value> results = loopOver(
        rewriter, loc, shape, {values, indices},
        [&](OpBuilder &b, Location nestedLoc, ValueRange ivs, ValueRange tensors) {
          Value element = tensor::ExtractOp::create(b, nestedLoc, input, ivs);
          Value position = ivs[axis];
          // rank = #{m : x[m] precedes x[position]}.
          auto count = scf::ForOp::create(
              b, nestedLoc, zero, axisSize, one, ValueRange{zero},
              [&](OpBuilder &inner, Location innerLoc, Value m, ValueRange acc) {
                SmallVector<Value> other(ivs);
                other[axis] = m;
                Value candidate = tensor::ExtractOp::create(inner, innerLoc, input, other);
                Value better = largest
                                   ? isLarger(inner, innerLoc, candidate, element, isUnsigned)
                                   : isLarger(inner, innerLoc, element, candidate, isUnsigned);
                Value same = isSame(inner, innerLoc, candidate, element);
                Value earlier = arith::CmpIOp::create(inner, innerLoc, arith::CmpIPredicate::ult,
                                                      m, position);
                Value tie = arith::AndIOp::create(inner, innerLoc, same, earlier);
                Value precedes = arith::OrIOp::create(inner, innerLoc, better, tie);
                Value next = arith::AddIOp::create(inner, innerLoc, acc[0], one);
                Value counted = arith::SelectOp::create(inner, innerLoc, precedes, next, acc[0]);
                scf::YieldOp::create(inner, innerLoc, counted);
              });
          Value rank = count.getResult(0);
          Value kept = arith::CmpIOp::create(b, nestedLoc, arith::CmpIPredicate::ult, rank, k);
          auto write = scf::IfOp::create(b, nestedLoc, tensors.getTypes(), kept,
                                         /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(write.thenBlock());
            SmallVector<Value> target(ivs);
            target[axis] = rank;
            Value index = arith::IndexCastOp::create(b, nestedLoc, b.getI64Type(), position);
            Value newValues = tensor::InsertOp::create(b, nestedLoc, element, tensors[0], target);
            Value newIndices = tensor::InsertOp::create(b, nestedLoc, index, tensors[1], target);
            scf::YieldOp::create(b, nestedLoc, ValueRange{newValues, newIndices});
            b.setInsertionPointToStart(write.elseBlock());
            scf::YieldOp::create(b, nestedLoc, tensors);
          }
          return SmallVector<Value>(write.getResults());
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// nonzero: one sequential pass over the elements in row-major order; each nonzero element
/// writes its indices into the next column. The count is the pass's final column.
struct NonZeroLowering : OpConversionPattern<NonZeroOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(NonZeroOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType type = tensorType(input);
    ArrayRef<int64_t> shape = type.getShape();
    Type element = type.getElementType();
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value total = arith::ConstantIndexOp::create(rewriter, loc, type.getNumElements());
    Value indices = filledTensor(rewriter, loc, tensorType(op.getIndices()),
                                 scalarConstant(rewriter, loc, rewriter.getI64Type(), 0.0));
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, total, one, ValueRange{indices, zero},
        [&](OpBuilder &b, Location nestedLoc, Value position, ValueRange carried) {
          // The element's index, dimension by dimension (the last varies fastest).
          SmallVector<Value> index(shape.size());
          Value rest = position;
          for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
            Value size = arith::ConstantIndexOp::create(b, nestedLoc, shape[d]);
            index[d] = arith::RemUIOp::create(b, nestedLoc, rest, size);
            rest = arith::DivUIOp::create(b, nestedLoc, rest, size);
          }
          Value value = tensor::ExtractOp::create(b, nestedLoc, input, index);
          Value nonzero;
          if (isa<FloatType>(element))
            nonzero = arith::CmpFOp::create(b, nestedLoc, arith::CmpFPredicate::UNE, value,
                                            scalarConstant(b, nestedLoc, element, 0.0));
          else
            nonzero = arith::CmpIOp::create(b, nestedLoc, arith::CmpIPredicate::ne, value,
                                            scalarConstant(b, nestedLoc, element, 0.0));
          auto write = scf::IfOp::create(b, nestedLoc, carried.getTypes(), nonzero,
                                         /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(write.thenBlock());
            Value columns = carried[0], column = carried[1];
            for (auto [d, i] : llvm::enumerate(index)) {
              Value row = arith::ConstantIndexOp::create(b, nestedLoc, int64_t(d));
              Value wide = arith::IndexCastOp::create(b, nestedLoc, b.getI64Type(), i);
              columns = tensor::InsertOp::create(b, nestedLoc, wide, columns,
                                                 ValueRange{row, column});
            }
            Value next = arith::AddIOp::create(b, nestedLoc, column, one);
            scf::YieldOp::create(b, nestedLoc, ValueRange{columns, next});
            b.setInsertionPointToStart(write.elseBlock());
            scf::YieldOp::create(b, nestedLoc, carried);
          }
          scf::YieldOp::create(b, nestedLoc, write.getResults());
        });
    Value count = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                             loop.getResult(1));
    Value countTensor = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({}, rewriter.getI64Type()), ValueRange{count});
    rewriter.replaceOp(op, {loop.getResult(0), countTensor});
    return success();
  }
};

/// non_max_suppression: for each batch and class, a fixed number of rounds (the most boxes a
/// class may keep), each finding the best box not yet taken or suppressed, taking it, and
/// marking the boxes it overlaps too much. A mask of the boxes taken or suppressed is carried
/// through every loop and cleared per class, so the loops allocate nothing.
struct NonMaxSuppressionLowering : OpConversionPattern<NonMaxSuppressionOp> {
  using OpConversionPattern::OpConversionPattern;

  /// Box `box` of batch `batch` as (ymin, xmin, ymax, xmax).
  static std::array<Value, 4> corners(OpBuilder &b, Location loc, Value boxes, Value batch,
                                      Value box, bool centerPoint) {
    std::array<Value, 4> v;
    for (int64_t k = 0; k < 4; ++k)
      v[k] = tensor::ExtractOp::create(
          b, loc, boxes,
          ValueRange{batch, box, arith::ConstantIndexOp::create(b, loc, k).getResult()});
    if (!centerPoint)
      return {arith::MinimumFOp::create(b, loc, v[0], v[2]),
              arith::MinimumFOp::create(b, loc, v[1], v[3]),
              arith::MaximumFOp::create(b, loc, v[0], v[2]),
              arith::MaximumFOp::create(b, loc, v[1], v[3])};
    Value half = scalarConstant(b, loc, v[0].getType(), 0.5);
    Value halfWidth = arith::MulFOp::create(b, loc, v[2], half);
    Value halfHeight = arith::MulFOp::create(b, loc, v[3], half);
    return {arith::SubFOp::create(b, loc, v[1], halfHeight),
            arith::SubFOp::create(b, loc, v[0], halfWidth),
            arith::AddFOp::create(b, loc, v[1], halfHeight),
            arith::AddFOp::create(b, loc, v[0], halfWidth)};
  }

  /// Whether boxes `a` and `b` overlap by more than `threshold` (intersection over union); never
  /// for a box of no area.
  static Value overlaps(OpBuilder &b, Location loc, const std::array<Value, 4> &p,
                        const std::array<Value, 4> &q, Value threshold) {
    Type type = p[0].getType();
    Value zero = scalarConstant(b, loc, type, 0.0);
    auto extent = [&](Value low, Value high) { return arith::SubFOp::create(b, loc, high, low); };
    auto area = [&](const std::array<Value, 4> &r) {
      return arith::MulFOp::create(b, loc, extent(r[0], r[2]), extent(r[1], r[3]));
    };
    auto overlap = [&](int low, int high) {
      Value from = arith::MaximumFOp::create(b, loc, p[low], q[low]);
      Value to = arith::MinimumFOp::create(b, loc, p[high], q[high]);
      return arith::MaximumFOp::create(b, loc, extent(from, to), zero);
    };
    Value intersection = arith::MulFOp::create(b, loc, overlap(0, 2), overlap(1, 3));
    Value areaP = area(p), areaQ = area(q);
    Value both = arith::AddFOp::create(b, loc, areaP, areaQ);
    Value union_ = arith::SubFOp::create(b, loc, both, intersection);
    Value iou = arith::DivFOp::create(b, loc, intersection, union_);
    auto positive = [&](Value x) {
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    };
    Value valid = arith::AndIOp::create(b, loc, positive(areaP), positive(areaQ));
    valid = arith::AndIOp::create(b, loc, valid, positive(union_));
    Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, iou, threshold);
    return arith::AndIOp::create(b, loc, valid, above);
  }

  LogicalResult matchAndRewrite(NonMaxSuppressionOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    ArrayRef<int64_t> scoreShape = tensorType(scores).getShape();
    int64_t classes = scoreShape[1], count = scoreShape[2];
    int64_t rounds = std::min<int64_t>(op.getMaxPerClass(), count);
    Type element = tensorType(scores).getElementType();
    bool centerPoint = op.getCenterPointBox();
    auto index = [&](OpBuilder &b, int64_t value) -> Value {
      return arith::ConstantIndexOp::create(b, loc, value);
    };
    Type i64 = rewriter.getI64Type(), i1 = rewriter.getI1Type();
    Value selected = filledTensor(rewriter, loc, tensorType(op.getSelected()),
                                  scalarConstant(rewriter, loc, i64, 0.0));
    Value mask = filledTensor(rewriter, loc, RankedTensorType::get({count}, i1),
                              arith::ConstantIntOp::create(rewriter, loc, i1, 0));
    Value zero = index(rewriter, 0), one = index(rewriter, 1);
    Value falseValue = arith::ConstantIntOp::create(rewriter, loc, i1, 0);
    Value trueValue = arith::ConstantIntOp::create(rewriter, loc, i1, 1);
    Value iouThreshold =
        scalarConstant(rewriter, loc, element, op.getIouThreshold().convertToDouble());
    // A score must exceed the threshold; without one, any number does.
    Value floor = op.getScoreThreshold()
                      ? scalarConstant(rewriter, loc, element,
                                       op.getScoreThreshold()->convertToDouble())
                      : arith::ConstantOp::create(
                            rewriter, loc,
                            rewriter.getFloatAttr(element, -std::numeric_limits<double>::infinity()));
    Value numBoxes = index(rewriter, count);

    auto perClass = scf::ForOp::create(
        rewriter, loc, zero, index(rewriter, tensorType(boxes).getDimSize(0) * classes), one,
        ValueRange{selected, zero, mask},
        [&](OpBuilder &b, Location l, Value pair, ValueRange state) {
          Value batch = arith::DivUIOp::create(b, l, pair, index(b, classes));
          Value klass = arith::RemUIOp::create(b, l, pair, index(b, classes));
          auto cleared = scf::ForOp::create(
              b, l, zero, numBoxes, one, ValueRange{state[2]},
              [&](OpBuilder &ib, Location il, Value i, ValueRange m) {
                scf::YieldOp::create(
                    ib, il, ValueRange{tensor::InsertOp::create(ib, il, falseValue, m[0], i)});
              });
          auto round = scf::ForOp::create(
              b, l, zero, index(b, rounds), one,
              ValueRange{state[0], state[1], cleared.getResult(0)},
              [&](OpBuilder &rb, Location rl, Value, ValueRange s) {
                // The best box neither taken nor suppressed (the lowest index among equals).
                auto best = scf::ForOp::create(
                    rb, rl, zero, numBoxes, one, ValueRange{numBoxes, floor},
                    [&](OpBuilder &ib, Location il, Value i, ValueRange acc) {
                      Value score = tensor::ExtractOp::create(ib, il, scores,
                                                              ValueRange{batch, klass, i});
                      Value done = tensor::ExtractOp::create(ib, il, s[2], i);
                      Value higher = arith::CmpFOp::create(ib, il, arith::CmpFPredicate::OGT,
                                                           score, acc[1]);
                      Value open = arith::XOrIOp::create(ib, il, done, trueValue);
                      Value better = arith::AndIOp::create(ib, il, higher, open);
                      scf::YieldOp::create(
                          ib, il,
                          ValueRange{arith::SelectOp::create(ib, il, better, i, acc[0]),
                                     arith::SelectOp::create(ib, il, better, score, acc[1])});
                    });
                Value chosen = best.getResult(0);
                Value found =
                    arith::CmpIOp::create(rb, rl, arith::CmpIPredicate::ult, chosen, numBoxes);
                auto take = scf::IfOp::create(rb, rl, s.getTypes(), found, true);
                {
                  OpBuilder::InsertionGuard guard(rb);
                  rb.setInsertionPointToStart(take.thenBlock());
                  Value rows = s[0];
                  Value entry[3] = {batch, klass, chosen};
                  for (int64_t k = 0; k < 3; ++k)
                    rows = tensor::InsertOp::create(
                        rb, rl, arith::IndexCastOp::create(rb, rl, i64, entry[k]), rows,
                        ValueRange{s[1], index(rb, k)});
                  Value taken = tensor::InsertOp::create(rb, rl, trueValue, s[2], chosen);
                  std::array<Value, 4> kept = corners(rb, rl, boxes, batch, chosen, centerPoint);
                  auto suppress = scf::ForOp::create(
                      rb, rl, zero, numBoxes, one, ValueRange{taken},
                      [&](OpBuilder &ib, Location il, Value i, ValueRange m) {
                        Value done = tensor::ExtractOp::create(ib, il, m[0], i);
                        std::array<Value, 4> other =
                            corners(ib, il, boxes, batch, i, centerPoint);
                        Value close = overlaps(ib, il, kept, other, iouThreshold);
                        Value now = arith::OrIOp::create(ib, il, done, close);
                        scf::YieldOp::create(
                            ib, il, ValueRange{tensor::InsertOp::create(ib, il, now, m[0], i)});
                      });
                  Value next = arith::AddIOp::create(rb, rl, s[1], one);
                  scf::YieldOp::create(rb, rl, ValueRange{rows, next, suppress.getResult(0)});
                  rb.setInsertionPointToStart(take.elseBlock());
                  scf::YieldOp::create(rb, rl, s);
                }
                scf::YieldOp::create(rb, rl, take.getResults());
              });
          scf::YieldOp::create(b, l, round.getResults());
        });
    Value total = arith::IndexCastOp::create(rewriter, loc, i64, perClass.getResult(1));
    Value countTensor = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({}, i64), ValueRange{total});
    rewriter.replaceOp(op, {perClass.getResult(0), countTensor});
    return success();
  }
};

/// unique: sequential passes over the rows of its [N, S] input, comparing rows element by
/// element (N^2 S comparisons at most). The first pass finds each row among the distinct rows
/// seen so far (kept as where each first occurs), counting it or adding it; with `sorted`, the
/// second ranks each distinct row among the others and moves the lists to the ranks; the last
/// gathers the values' rows. Lists and values past the count stay zero.
struct UniqueLowering : OpConversionPattern<UniqueOp> {
  using OpConversionPattern::OpConversionPattern;

  /// Rows `rowA` and `rowB` of `input` compared lexicographically: (A < B, A == B).
  static std::pair<Value, Value> compareRows(OpBuilder &b, Location loc, Value input, Value rowA,
                                             Value rowB, bool isUnsigned) {
    RankedTensorType type = tensorType(input);
    bool isFloat = isa<FloatType>(type.getElementType());
    Value no = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 0);
    Value yes = arith::ConstantIntOp::create(b, loc, b.getI1Type(), 1);
    auto loop = scf::ForOp::create(
        b, loc, arith::ConstantIndexOp::create(b, loc, 0),
        arith::ConstantIndexOp::create(b, loc, type.getDimSize(1)),
        arith::ConstantIndexOp::create(b, loc, 1), ValueRange{no, no},
        [&](OpBuilder &nb, Location nl, Value k, ValueRange decidedLess) {
          Value x = tensor::ExtractOp::create(nb, nl, input, ValueRange{rowA, k});
          Value y = tensor::ExtractOp::create(nb, nl, input, ValueRange{rowB, k});
          Value lt, gt;
          if (isFloat) {
            lt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT, x, y);
            gt = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, x, y);
          } else {
            lt = arith::CmpIOp::create(nb, nl, isUnsigned ? arith::CmpIPredicate::ult
                                                          : arith::CmpIPredicate::slt, x, y);
            gt = arith::CmpIOp::create(nb, nl, isUnsigned ? arith::CmpIPredicate::ugt
                                                          : arith::CmpIPredicate::sgt, x, y);
          }
          // The first differing element decides.
          Value decided = arith::OrIOp::create(
              nb, nl, decidedLess[0], arith::OrIOp::create(nb, nl, lt, gt));
          Value less = arith::SelectOp::create(nb, nl, decidedLess[0], decidedLess[1], lt);
          scf::YieldOp::create(nb, nl, ValueRange{decided, less});
        });
    Value equal = arith::XOrIOp::create(b, loc, loop.getResult(0), yes);
    return {loop.getResult(1), equal};
  }

  LogicalResult matchAndRewrite(UniqueOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    Type i64 = rewriter.getI64Type();
    auto index = [&](OpBuilder &b, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto toIndex = [&](OpBuilder &b, Value v) -> Value {
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
    };
    auto toI64 = [&](OpBuilder &b, Value v) -> Value {
      return arith::IndexCastOp::create(b, loc, i64, v);
    };
    auto extract = [&](OpBuilder &b, Value tensor, Value at) -> Value {
      return tensor::ExtractOp::create(b, loc, tensor, ValueRange{at});
    };
    auto insert = [&](OpBuilder &b, Value value, Value tensor, Value at) -> Value {
      return tensor::InsertOp::create(b, loc, value, tensor, ValueRange{at});
    };
    RankedTensorType listType = tensorType(op.getIndices());
    Value zeros = filledTensor(rewriter, loc, listType, scalarConstant(rewriter, loc, i64, 0));
    Value rows = index(rewriter, listType.getDimSize(0));
    Value zero = index(rewriter, 0), one = index(rewriter, 1);
    Value oneI64 = scalarConstant(rewriter, loc, i64, 1);

    // Pass 1: first[j] is where distinct row j first occurs, counts[j] how often it occurs,
    // position[i] which distinct row row i is.
    auto firstPass = scf::ForOp::create(
        rewriter, loc, zero, rows, one, ValueRange{zeros, zeros, zeros, zero},
        [&](OpBuilder &b, Location, Value row, ValueRange lists) {
          Value first = lists[0], counts = lists[1], position = lists[2], found = lists[3];
          // The distinct row equal to `row`, or `found` (their number) when none is.
          auto search = scf::ForOp::create(
              b, loc, zero, found, one, ValueRange{found},
              [&](OpBuilder &sb, Location, Value j, ValueRange match) {
                Value candidate = toIndex(sb, extract(sb, first, j));
                Value equal = compareRows(sb, loc, input, candidate, row, isUnsigned).second;
                Value unmatched = arith::CmpIOp::create(sb, loc, arith::CmpIPredicate::eq,
                                                        match[0], found);
                Value take = arith::AndIOp::create(sb, loc, equal, unmatched);
                Value chosen = arith::SelectOp::create(sb, loc, take, j, match[0]);
                scf::YieldOp::create(sb, loc, ValueRange{chosen});
              });
          Value j = search.getResult(0);
          Value isNew = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, j, found);
          // Rewrites first[j] when it is not new, so that the tensor is updated in place.
          Value firstOfJ = arith::SelectOp::create(b, loc, isNew, toI64(b, row),
                                                   extract(b, first, j));
          first = insert(b, firstOfJ, first, j);
          Value count = arith::AddIOp::create(b, loc, extract(b, counts, j), oneI64);
          counts = insert(b, count, counts, j);
          position = insert(b, toI64(b, j), position, row);
          Value next = arith::SelectOp::create(b, loc, isNew,
                                               arith::AddIOp::create(b, loc, found, one), found);
          scf::YieldOp::create(b, loc, ValueRange{first, counts, position, next});
        });
    Value first = firstPass.getResult(0), counts = firstPass.getResult(1);
    Value position = firstPass.getResult(2), distinct = firstPass.getResult(3);

    if (op.getSorted()) {
      // Pass 2: the rank of distinct row j is how many distinct rows are smaller; the lists
      // move to the ranks, and each row's position follows its distinct row.
      auto rankPass = scf::ForOp::create(
          rewriter, loc, zero, distinct, one, ValueRange{zeros, zeros, zeros},
          [&](OpBuilder &b, Location, Value j, ValueRange lists) {
            Value row = toIndex(b, extract(b, first, j));
            auto ranking = scf::ForOp::create(
                b, loc, zero, distinct, one, ValueRange{zero},
                [&](OpBuilder &rb, Location, Value k, ValueRange smaller) {
                  Value other = toIndex(rb, extract(rb, first, k));
                  Value less = compareRows(rb, loc, input, other, row, isUnsigned).first;
                  Value step = arith::SelectOp::create(rb, loc, less, one, zero);
                  Value count = arith::AddIOp::create(rb, loc, smaller[0], step);
                  scf::YieldOp::create(rb, loc, ValueRange{count});
                });
            Value rank = ranking.getResult(0);
            Value sortedFirst = insert(b, extract(b, first, j), lists[0], rank);
            Value sortedCounts = insert(b, extract(b, counts, j), lists[1], rank);
            Value rankOf = insert(b, toI64(b, rank), lists[2], j);
            scf::YieldOp::create(b, loc, ValueRange{sortedFirst, sortedCounts, rankOf});
          });
      first = rankPass.getResult(0);
      counts = rankPass.getResult(1);
      Value rankOf = rankPass.getResult(2);
      auto renumber = scf::ForOp::create(
          rewriter, loc, zero, rows, one, ValueRange{position},
          [&](OpBuilder &b, Location, Value row, ValueRange list) {
            Value j = toIndex(b, extract(b, list[0], row));
            Value renumbered = insert(b, extract(b, rankOf, j), list[0], row);
            scf::YieldOp::create(b, loc, ValueRange{renumbered});
          });
      position = renumber.getResult(0);
    }

    // Pass 3: the values, row by row.
    RankedTensorType valuesType = tensorType(op.getValues());
    Value values = filledTensor(rewriter, loc, valuesType,
                                scalarConstant(rewriter, loc, valuesType.getElementType(), 0));
    Value width = index(rewriter, valuesType.getDimSize(1));
    auto gather = scf::ForOp::create(
        rewriter, loc, zero, distinct, one, ValueRange{values},
        [&](OpBuilder &b, Location, Value j, ValueRange result) {
          Value row = toIndex(b, extract(b, first, j));
          auto copy = scf::ForOp::create(
              b, loc, zero, width, one, result,
              [&](OpBuilder &cb, Location, Value k, ValueRange partial) {
                Value x = tensor::ExtractOp::create(cb, loc, input, ValueRange{row, k});
                Value written = tensor::InsertOp::create(cb, loc, x, partial[0], ValueRange{j, k});
                scf::YieldOp::create(cb, loc, ValueRange{written});
              });
          scf::YieldOp::create(b, loc, copy.getResults());
        });
    Value count = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({}, i64), ValueRange{toI64(rewriter, distinct)});
    rewriter.replaceOp(op, {gather.getResult(0), first, position, counts, count});
    return success();
  }
};

} // namespace

void populateScatterToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, ScatterNDLowering, TopKLowering, NonZeroLowering,
               NonMaxSuppressionLowering, UniqueLowering>(patterns.getContext());
}

} // namespace dlc::conversion
