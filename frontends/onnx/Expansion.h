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

  NodeContext &context() { return ctx; }

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

  /// x normalized over `axes` as (x - mean) * (1 / sqrt(var + eps)), with the mean and the
  /// inverse standard deviation (the reduced dimensions kept as size 1).
  struct Normalized {
    mlir::Value value, mean, invStddev;
  };
  Normalized normalize(mlir::Value x, llvm::ArrayRef<int64_t> axes, double eps) {
    auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
    llvm::SmallVector<int64_t> keptShape(type.getShape());
    for (int64_t d : axes)
      keptShape[d] = 1;
    auto keptType = mlir::RankedTensorType::get(keptShape, type.getElementType());
    mlir::Value mean = ctx.create<graph::ReduceMeanOp>(keptType, x, axes, true);
    mlir::Value centered = apply<graph::SubOp>(x, mean);
    mlir::Value squares = apply<graph::MulOp>(centered, centered);
    mlir::Value var = ctx.create<graph::ReduceMeanOp>(keptType, squares, axes, true);
    mlir::Value stddev = apply<graph::SqrtOp>(apply<graph::AddOp>(var, eps));
    mlir::Value invStddev = apply<graph::DivOp>(scalar(x, 1.0), stddev);
    return {apply<graph::MulOp>(centered, invStddev), mean, invStddev};
  }

  /// The constant [0, 1, .., n - 1] of `element`, laid along dimension `dim` of a rank-`rank`
  /// tensor (size 1 elsewhere), to compare or combine with positions along that dimension.
  mlir::Value iota(int64_t n, mlir::Type element, int64_t dim, int64_t rank) {
    llvm::SmallVector<int64_t> shape(rank, 1);
    shape[dim] = n;
    auto type = mlir::RankedTensorType::get(shape, element);
    llvm::SmallVector<mlir::Attribute> values;
    for (int64_t i = 0; i < n; ++i)
      values.push_back(mlir::isa<mlir::FloatType>(element)
                           ? mlir::Attribute(mlir::FloatAttr::get(element, double(i)))
                           : mlir::Attribute(mlir::IntegerAttr::get(element, i)));
    return ctx.constant(mlir::DenseElementsAttr::get(type, values));
  }

  /// log(softmax(x)) along `axis`, as x - max - log(sum(exp(x - max))): no exponential of the
  /// result is taken, so tiny probabilities keep their logarithms.
  mlir::Value logSoftmax(mlir::Value x, int64_t axis) {
    auto type = mlir::cast<mlir::RankedTensorType>(x.getType());
    llvm::SmallVector<int64_t> keptShape(type.getShape());
    keptShape[axis] = 1;
    auto keptType = mlir::RankedTensorType::get(keptShape, type.getElementType());
    llvm::SmallVector<int64_t> axes{axis};
    mlir::Value max = ctx.create<graph::ReduceMaxOp>(keptType, x, axes, true);
    mlir::Value shifted = ctx.create<graph::SubOp>(type, x, max);
    mlir::Value exp = ctx.create<graph::ExpOp>(type, shifted);
    mlir::Value sum = ctx.create<graph::ReduceSumOp>(keptType, exp, axes, true);
    return ctx.create<graph::SubOp>(type, shifted, ctx.create<graph::LogOp>(keptType, sum));
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
