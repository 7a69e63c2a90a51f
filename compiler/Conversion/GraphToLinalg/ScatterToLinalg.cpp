// Lowers the ops that write elements at positions computed from values (scatter_elements,
// scatter_nd) to scf loop nests that thread the result tensor through tensor.insert.
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

} // namespace

void populateScatterToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, ScatterNDLowering>(patterns.getContext());
}

} // namespace dlc::conversion
