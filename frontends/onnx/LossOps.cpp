// Importers of ONNX loss ops (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss), expanded into
// graph ops: the target class's score is picked with gather_elements, weighted and reduced.
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// The negative log-likelihood of `logProb` ([N, C, d...]) at the classes `target` ([N, d...]),
/// with optional class `weight` ([C]), `ignore_index` and `reduction` from the node's attributes:
///   loss[n, d...] = -logProb[n, target[n, d...], d...] * weight[target[n, d...]]
/// and 0 where the target is the ignored index; "mean" divides the sum by the summed weights.
FailureOr<Value> negativeLogLikelihood(NodeContext &ctx, Value logProb, Value target,
                                       Value weight) {
  ArrayRef<int64_t> shape = shapeOf(logProb), targetShape = shapeOf(target);
  if (shape.size() < 2 || targetShape.size() != shape.size() - 1 ||
      targetShape[0] != shape[0] || targetShape.drop_front() != shape.drop_front(2))
    return ctx.fail("expects scores [N, C, d...] and a target [N, d...]");
  if (weight && shapeOf(weight) != ArrayRef<int64_t>{shape[1]})
    return ctx.fail("expects a weight of shape [C]");
  if (!isa<FloatType>(getElementTypeOrSelf(logProb)))
    return ctx.fail("expects floating-point scores");
  std::string reduction = ctx.stringAttr("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return ctx.fail("reduction must be none, sum or mean, got '" + reduction + "'");

  Expansion e(ctx);
  // Ignored targets may be any value, even out of range: they read class 0 and count 0.
  Value kept;
  if (ctx.hasAttr("ignore_index")) {
    Value ignored = ctx.scalar(getElementTypeOrSelf(target), ctx.intAttr("ignore_index", 0));
    kept = e.apply<graph::NotOp>(e.compare<graph::EqualOp>(target, ignored));
    target = e.select(kept, target, e.scalar(target, 0));
  }
  SmallVector<int64_t> pickedShape(shape);
  pickedShape[1] = 1;
  Value classes = ctx.reshape(target, pickedShape);
  auto pickedType = RankedTensorType::get(pickedShape, getElementTypeOrSelf(logProb));
  Value picked = ctx.create<graph::GatherElementsOp>(pickedType, logProb, classes, 1);
  Value loss = e.apply<graph::NegOp>(ctx.reshape(picked, targetShape));

  // The weight of each element: its class's weight, 0 where ignored.
  Value weights;
  if (weight) {
    auto type = RankedTensorType::get(targetShape, getElementTypeOrSelf(weight));
    weights = ctx.create<graph::GatherOp>(type, weight, target, 0);
  }
  if (kept)
    weights = weights ? e.select(kept, weights, e.scalar(weights, 0))
                      : e.cast(kept, getElementTypeOrSelf(logProb));
  if (weights)
    loss = e.apply<graph::MulOp>(loss, weights);
  if (reduction == "none")
    return loss;

  auto all = llvm::to_vector(llvm::seq<int64_t>(0, targetShape.size()));
  auto scalarType = RankedTensorType::get({}, getElementTypeOrSelf(logProb));
  if (reduction == "sum")
    return ctx.create<graph::ReduceSumOp>(scalarType, loss, all, false).getResult();
  if (!weights)
    return ctx.create<graph::ReduceMeanOp>(scalarType, loss, all, false).getResult();
  Value total = ctx.create<graph::ReduceSumOp>(scalarType, loss, all, false);
  Value totalWeight = ctx.create<graph::ReduceSumOp>(scalarType, weights, all, false);
  return e.apply<graph::DivOp>(total, totalWeight);
}

/// NegativeLogLikelihoodLoss(input, target, weight?).
LogicalResult importNegativeLogLikelihoodLoss(NodeContext &ctx) {
  FailureOr<Value> loss = negativeLogLikelihood(ctx, ctx.input(0), ctx.input(1), ctx.input(2));
  if (failed(loss))
    return failure();
  ctx.setOutput(0, *loss);
  return success();
}

/// SoftmaxCrossEntropyLoss(scores, labels, weights?) -> (loss, log_prob?): the negative
/// log-likelihood of the log-softmax of the scores over the classes (dimension 1).
LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &ctx) {
  Value scores = ctx.input(0);
  if (shapeOf(scores).size() < 2)
    return ctx.fail("expects scores [N, C, d...]");
  if (!isa<FloatType>(getElementTypeOrSelf(scores)))
    return ctx.fail("expects floating-point scores");
  Value logProb = Expansion(ctx).logSoftmax(scores, 1);
  FailureOr<Value> loss = negativeLogLikelihood(ctx, logProb, ctx.input(1), ctx.input(2));
  if (failed(loss))
    return failure();
  ctx.setOutput(0, *loss);
  ctx.setOutput(1, logProb);
  return success();
}

} // namespace

void registerLossOps(OpTable &table) {
  table["NegativeLogLikelihoodLoss"] = importNegativeLogLikelihoodLoss;
  table["SoftmaxCrossEntropyLoss"] = importSoftmaxCrossEntropyLoss;
}

} // namespace dlc::onnx_frontend
