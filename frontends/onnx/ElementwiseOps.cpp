// Importers of ONNX elementwise ops: broadcasting arithmetic (with opset < 7 legacy broadcast),
// variadic Max/Min/Sum, unary math, Clip, Cast and Identity.
#include "frontends/onnx/OpImporters.h"
#include "frontends/onnx/Tensors.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// Before opset 7, `broadcast=1` with `axis` aligned B's dimensions at `axis` of A instead of at
/// the end; appending ones to B's shape expresses that as numpy broadcasting.
FailureOr<Value> legacyBroadcastRhs(NodeContext &ctx, Value lhs, Value rhs) {
  if (ctx.opset() >= 7 || !ctx.intAttr("broadcast", 0) || !ctx.hasAttr("axis"))
    return rhs;
  int64_t lhsRank = shapeOf(lhs).size(), rhsRank = shapeOf(rhs).size();
  std::optional<int64_t> axis = normalizeAxis(ctx.intAttr("axis", 0), lhsRank);
  if (!axis || *axis + rhsRank > lhsRank)
    return ctx.fail("legacy broadcast axis does not fit the operand ranks");
  SmallVector<int64_t> shape(shapeOf(rhs));
  shape.append(lhsRank - *axis - rhsRank, 1);
  return ctx.reshape(rhs, shape);
}

template <typename Op> LogicalResult importBinary(NodeContext &ctx) {
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  FailureOr<Value> alignedRhs = legacyBroadcastRhs(ctx, lhs, rhs);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(alignedRhs) || failed(type))
    return failure();
  if (getElementTypeOrSelf(lhs) != getElementTypeOrSelf(*alignedRhs))
    return ctx.fail("operands have different element types");
  ctx.setOutput(0, ctx.create<Op>(*type, lhs, *alignedRhs));
  return success();
}

LogicalResult importPow(NodeContext &ctx) {
  FailureOr<Value> exponent = legacyBroadcastRhs(ctx, ctx.input(0), ctx.input(1));
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(exponent) || failed(type))
    return failure();
  ctx.setOutput(0, ctx.create<graph::PowOp>(*type, ctx.input(0), *exponent));
  return success();
}

/// Max, Min and Sum take one or more operands, broadcasting pairwise.
template <typename Op> LogicalResult importVariadic(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  Value result = ctx.input(0);
  for (int i = 1; i < ctx.numInputs(); ++i) {
    Value next = ctx.input(i);
    SmallVector<int64_t> shape;
    if (!OpTrait::util::getBroadcastedShape(shapeOf(result), shapeOf(next), shape))
      return ctx.fail("operand shapes do not broadcast");
    result = ctx.create<Op>(RankedTensorType::get(shape, type->getElementType()), result, next);
  }
  if (cast<RankedTensorType>(result.getType()) != *type)
    return ctx.fail("result does not have the inferred type");
  ctx.setOutput(0, result);
  return success();
}

template <typename Op> LogicalResult importUnary(NodeContext &ctx) {
  Value input = ctx.input(0);
  if (!isa<FloatType>(getElementTypeOrSelf(input)) &&
      !std::is_same_v<Op, graph::ReluOp> && !std::is_same_v<Op, graph::NegOp> &&
      !std::is_same_v<Op, graph::AbsOp>)
    return ctx.fail("expects a floating-point input");
  ctx.setOutput(0, ctx.create<Op>(input.getType(), input));
  return success();
}

/// Clip's bounds: attributes before opset 11, optional constant operands since.
LogicalResult importClip(NodeContext &ctx) {
  Value input = ctx.input(0);
  auto bound = [&](const char *name, int operand) -> FailureOr<std::optional<double>> {
    if (ctx.opset() < 11) {
      if (!ctx.hasAttr(name))
        return std::optional<double>();
      return std::optional<double>(ctx.floatAttr(name, 0));
    }
    if (!ctx.hasInput(operand))
      return std::optional<double>();
    std::optional<DenseElementsAttr> value = ctx.constantInput(operand);
    if (!value || value->getNumElements() != 1)
      return ctx.fail(Twine("operand '") + name + "' must be a scalar constant");
    if (isa<FloatType>(value->getElementType()))
      return std::optional<double>((*value->value_begin<APFloat>()).convertToDouble());
    APInt bound = *value->value_begin<APInt>();
    bool isUnsigned = value->getElementType().isUnsignedInteger();
    return std::optional<double>(isUnsigned ? double(bound.getZExtValue())
                                            : double(bound.getSExtValue()));
  };
  FailureOr<std::optional<double>> min = bound("min", 1), max = bound("max", 2);
  if (failed(min) || failed(max))
    return failure();
  Builder b(ctx.context());
  FloatAttr minAttr = *min ? b.getF64FloatAttr(**min) : FloatAttr();
  FloatAttr maxAttr = *max ? b.getF64FloatAttr(**max) : FloatAttr();
  ctx.setOutput(0, ctx.create<graph::ClipOp>(input.getType(), input, minAttr, maxAttr));
  return success();
}

LogicalResult importCast(NodeContext &ctx) {
  Value input = ctx.input(0);
  int64_t to = ctx.intAttr("to", 0);
  Type element = elementType(to, ctx.context());
  if (!element)
    return ctx.fail("cast to " + onnxTypeName(to) + " is not supported");
  auto type = RankedTensorType::get(shapeOf(input), element);
  if (type == input.getType())
    ctx.setOutput(0, input);
  else
    ctx.setOutput(0, ctx.create<graph::CastOp>(type, input));
  return success();
}

LogicalResult importIdentity(NodeContext &ctx) {
  ctx.setOutput(0, ctx.input(0));
  return success();
}

} // namespace

void registerElementwiseOps(OpTable &table) {
  table["Add"] = importBinary<graph::AddOp>;
  table["Sub"] = importBinary<graph::SubOp>;
  table["Mul"] = importBinary<graph::MulOp>;
  table["Div"] = importBinary<graph::DivOp>;
  table["Pow"] = importPow;
  table["Max"] = importVariadic<graph::MaxOp>;
  table["Min"] = importVariadic<graph::MinOp>;
  table["Sum"] = importVariadic<graph::AddOp>;
  table["Relu"] = importUnary<graph::ReluOp>;
  table["Neg"] = importUnary<graph::NegOp>;
  table["Abs"] = importUnary<graph::AbsOp>;
  table["Sigmoid"] = importUnary<graph::SigmoidOp>;
  table["Tanh"] = importUnary<graph::TanhOp>;
  table["Erf"] = importUnary<graph::ErfOp>;
  table["Sqrt"] = importUnary<graph::SqrtOp>;
  table["Exp"] = importUnary<graph::ExpOp>;
  table["Log"] = importUnary<graph::LogOp>;
  table["Clip"] = importClip;
  table["Cast"] = importCast;
  table["Identity"] = importIdentity;
}

} // namespace dlc::onnx_frontend
