// Builds the graph ops that composite ONNX ops expand to (activations, losses, recurrent
// cells): elementwise ops on an operand's element type, broadcasting, with scalar constants.
#ifndef DLC_FRONTENDS_ONNX_EXPANSION_H
#define DLC_FRONTENDS_ONNX_EXPANSION_H

#include "frontends/onnx/OpImporters.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/TypeUtilities.h"

namespace dlc::onnx_frontend {

/// Builds graph ops at the node's location; operands of binary ops broadcast numpy-style (the
/// caller guarantees they do).
class Expansion {
public:
  explicit Expansion(NodeContext &ctx) : ctx(ctx) {}

  /// A rank-0 constant of `like`'s element type.
  mlir::Value scalar(mlir::Value like, double value) {
    return ctx.scalar(mlir::getElementTypeOrSelf(like), value);
  }
  /// A binary op whose result has `lhs`'s element type and the broadcast shape.
  template <typename Op> mlir::Value apply(mlir::Value lhs, mlir::Value rhs) {
    return ctx.create<Op>(broadcastType(lhs, rhs, mlir::getElementTypeOrSelf(lhs)), lhs, rhs);
  }
  template <typename Op> mlir::Value apply(mlir::Value lhs, double rhs) {
    return apply<Op>(lhs, scalar(lhs, rhs));
  }
  /// A unary op of the same type as its operand.
  template <typename Op> mlir::Value apply(mlir::Value input) {
    return ctx.create<Op>(input.getType(), input);
  }
  /// A comparison (graph.equal, graph.less, ...): bools of the broadcast shape.
  template <typename Op> mlir::Value compare(mlir::Value lhs, mlir::Value rhs) {
    return ctx.create<Op>(broadcastType(lhs, rhs, mlir::IntegerType::get(ctx.context(), 1)),
                          lhs, rhs);
  }
  /// `condition ? onTrue : onFalse`, all three broadcast.
  mlir::Value select(mlir::Value condition, mlir::Value onTrue, mlir::Value onFalse) {
    llvm::SmallVector<int64_t> values, all;
    mlir::OpTrait::util::getBroadcastedShape(shapeOf(onTrue), shapeOf(onFalse), values);
    mlir::OpTrait::util::getBroadcastedShape(shapeOf(condition), values, all);
    auto type = mlir::RankedTensorType::get(all, mlir::getElementTypeOrSelf(onTrue));
    return ctx.create<graph::SelectOp>(type, condition, onTrue, onFalse);
  }
  /// graph.cast of `value` to `element` (or `value` itself when it already has that type).
  mlir::Value cast(mlir::Value value, mlir::Type element) {
    if (mlir::getElementTypeOrSelf(value) == element)
      return value;
    return ctx.create<graph::CastOp>(mlir::RankedTensorType::get(shapeOf(value), element),
                                     value);
  }
  mlir::Value clip(mlir::Value input, double min, double max) {
    mlir::Builder b(ctx.context());
    return ctx.create<graph::ClipOp>(input.getType(), input, b.getF64FloatAttr(min),
                                     b.getF64FloatAttr(max));
  }
  /// alpha * (exp(min(x, 0)) - 1): the negative branch of Elu and Selu (0 where x >= 0).
  mlir::Value expBranch(mlir::Value x, double alpha) {
    mlir::Value below = apply<graph::MinOp>(x, 0.0);
    return apply<graph::MulOp>(apply<graph::SubOp>(apply<graph::ExpOp>(below), 1.0), alpha);
  }
  /// log(exp(x) + 1).
  mlir::Value softplus(mlir::Value x) {
    return apply<graph::LogOp>(apply<graph::AddOp>(apply<graph::ExpOp>(x), 1.0));
  }
  /// max(x, 0) + alpha * min(x, 0).
  mlir::Value leakyRelu(mlir::Value x, double alpha) {
    mlir::Value below = apply<graph::MulOp>(apply<graph::MinOp>(x, 0.0), alpha);
    return apply<graph::AddOp>(apply<graph::MaxOp>(x, 0.0), below);
  }
  /// x > 0 ? x : alpha * (exp(x) - 1).
  mlir::Value elu(mlir::Value x, double alpha) {
    mlir::Value below = expBranch(x, alpha);
    return apply<graph::AddOp>(apply<graph::MaxOp>(x, 0.0), below);
  }
  /// clip(alpha * x + beta, 0, 1).
  mlir::Value hardSigmoid(mlir::Value x, double alpha, double beta) {
    return clip(apply<graph::AddOp>(apply<graph::MulOp>(x, alpha), beta), 0, 1);
  }
  /// x / (1 + |x|).
  mlir::Value softsign(mlir::Value x) {
    return apply<graph::DivOp>(x, apply<graph::AddOp>(apply<graph::AbsOp>(x), 1.0));
  }
  /// x > alpha ? x : 0.
  mlir::Value thresholdedRelu(mlir::Value x, double alpha) {
    mlir::Value above = compare<graph::GreaterOp>(x, scalar(x, alpha));
    return select(above, x, scalar(x, 0));
  }

  /// A reduction by `Op` of `x` over `axes`, keeping them as size 1.
  template <typename Op> mlir::Value reduceKept(mlir::Value x, llvm::ArrayRef<int64_t> axes) {
    auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
    llvm::SmallVector<int64_t> keptShape(type.getShape());
    for (int64_t d : axes)
      keptShape[d] = 1;
    auto keptType = mlir::RankedTensorType::get(keptShape, type.getElementType());
    return ctx.create<Op>(keptType, x, axes, true);
  }

  /// x - mean(x) and the variance, mean((x - mean)^2), over `axes` (kept as size 1).
  struct Moments {
    mlir::Value centered, mean, variance;
  };
  Moments moments(mlir::Value x, llvm::ArrayRef<int64_t> axes) {
    mlir::Value mean = reduceKept<graph::ReduceMeanOp>(x, axes);
    mlir::Value centered = apply<graph::SubOp>(x, mean);
    mlir::Value squares = apply<graph::MulOp>(centered, centered);
    return {centered, mean, reduceKept<graph::ReduceMeanOp>(squares, axes)};
  }

  /// x normalized over `axes` as (x - mean) * (1 / sqrt(var + eps)), with the mean and the
  /// inverse standard deviation (the reduced dimensions kept as size 1).
  struct Normalized {
    mlir::Value value, mean, invStddev;
  };
  Normalized normalize(mlir::Value x, llvm::ArrayRef<int64_t> axes, double eps) {
    Moments m = moments(x, axes);
    mlir::Value stddev = apply<graph::SqrtOp>(apply<graph::AddOp>(m.variance, eps));
    mlir::Value invStddev = apply<graph::DivOp>(scalar(x, 1.0), stddev);
    return {apply<graph::MulOp>(m.centered, invStddev), m.mean, invStddev};
  }

  /// A constant of `element` holding `values` laid along dimension `dim` of a rank-`rank`
  /// tensor (size 1 elsewhere), to combine with positions along that dimension.
  mlir::Value alongDim(llvm::ArrayRef<double> values, mlir::Type element, int64_t dim,
                       int64_t rank) {
    llvm::SmallVector<int64_t> shape(rank, 1);
    shape[dim] = values.size();
    return ctx.constant(mlir::RankedTensorType::get(shape, element), values);
  }
  /// [0, 1, .., n - 1] of `element` along dimension `dim` (see alongDim).
  mlir::Value iota(int64_t n, mlir::Type element, int64_t dim, int64_t rank) {
    llvm::SmallVector<double> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back(double(i));
    return alongDim(values, element, dim, rank);
  }

  /// log(softmax(x)) along `axis`, as x - max - log(sum(exp(x - max))): no exponential of the
  /// result is taken, so tiny probabilities keep their logarithms.
  mlir::Value logSoftmax(mlir::Value x, int64_t axis) {
    llvm::SmallVector<int64_t> axes{axis};
    mlir::Value shifted = apply<graph::SubOp>(x, reduceKept<graph::ReduceMaxOp>(x, axes));
    mlir::Value sum = reduceKept<graph::ReduceSumOp>(apply<graph::ExpOp>(shifted), axes);
    return apply<graph::SubOp>(shifted, apply<graph::LogOp>(sum));
  }

private:
  static mlir::RankedTensorType broadcastType(mlir::Value lhs, mlir::Value rhs,
                                              mlir::Type element) {
    llvm::SmallVector<int64_t> shape;
    mlir::OpTrait::util::getBroadcastedShape(shapeOf(lhs), shapeOf(rhs), shape);
    return mlir::RankedTensorType::get(shape, element);
  }

  NodeContext &ctx;
};

} // namespace dlc::onnx_frontend

#endif
