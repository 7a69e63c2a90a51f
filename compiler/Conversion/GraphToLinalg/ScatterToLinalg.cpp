// Lowers the ops that write elements at positions computed from values (scatter_elements,
// scatter_nd, top_k, nonzero) to scf loop nests that thread the result tensor through tensor.insert.
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphOps.h"

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

} // namespace

void populateScatterToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, ScatterNDLowering, TopKLowering, NonZeroLowering>(
      patterns.getContext());
}

} // namespace dlc::conversion
