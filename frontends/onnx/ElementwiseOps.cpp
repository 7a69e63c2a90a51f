// Importers of ONNX elementwise ops: broadcasting arithmetic (with opset < 7 legacy broadcast),
// variadic Max/Min/Sum/Mean, unary math, comparisons and logic, Where, Mod, BitShift, Clip, Cast,
// Identity, and activations expanded into those (LeakyRelu, Elu, HardSwish, Mish, ...).
#include "frontends/onnx/Expansion.h"
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

/// Binary ops with broadcasting; the result has the inferred type (bool for comparisons).
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

/// The operands of Max, Min, Sum or Mean (one or more) combined pairwise by `Op`, broadcasting.
template <typename Op> FailureOr<Value> combineOperands(NodeContext &ctx) {
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
  return result;
}

/// Max, Min and Sum take one or more operands, broadcasting pairwise.
template <typename Op> LogicalResult importVariadic(NodeContext &ctx) {
  FailureOr<Value> result = combineOperands<Op>(ctx);
  if (failed(result))
    return failure();
  ctx.setOutput(0, *result);
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
    FailureOr<double> value = ctx.scalarInput(operand, name);
    if (failed(value))
      return failure();
    return std::optional<double>(*value);
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

/// Unary ops defined for every numeric type (Sign) or checked by their own types (Not).
template <typename Op> LogicalResult importAnyUnary(NodeContext &ctx) {
  Value input = ctx.input(0);
  if (std::is_same_v<Op, graph::NotOp> && !getElementTypeOrSelf(input).isInteger(1))
    return ctx.fail("expects a bool input");
  ctx.setOutput(0, ctx.create<Op>(input.getType(), input));
  return success();
}

/// A bool tensor shaped like `value`.
RankedTensorType boolsLike(NodeContext &ctx, Value value) {
  return RankedTensorType::get(shapeOf(value), IntegerType::get(ctx.context(), 1));
}

LogicalResult importIsNaN(NodeContext &ctx) {
  Value input = ctx.input(0);
  if (!isa<FloatType>(getElementTypeOrSelf(input)))
    return ctx.fail("expects a floating-point input");
  ctx.setOutput(0, ctx.create<graph::IsNaNOp>(boolsLike(ctx, input), input));
  return success();
}

LogicalResult importIsInf(NodeContext &ctx) {
  Value input = ctx.input(0);
  if (!isa<FloatType>(getElementTypeOrSelf(input)))
    return ctx.fail("expects a floating-point input");
  ctx.setOutput(0, ctx.create<graph::IsInfOp>(boolsLike(ctx, input), input,
                                              ctx.intAttr("detect_negative", 1) != 0,
                                              ctx.intAttr("detect_positive", 1) != 0));
  return success();
}

LogicalResult importMod(NodeContext &ctx) {
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  bool fmod = ctx.intAttr("fmod", 0) != 0;
  if (isa<FloatType>(getElementTypeOrSelf(lhs)) && !fmod)
    return ctx.fail("floating-point operands need fmod=1");
  if (getElementTypeOrSelf(lhs) != getElementTypeOrSelf(rhs))
    return ctx.fail("operands have different element types");
  ctx.setOutput(0, ctx.create<graph::ModOp>(*type, lhs, rhs, fmod));
  return success();
}

LogicalResult importBitShift(NodeContext &ctx) {
  std::string direction = ctx.stringAttr("direction", "");
  if (direction == "LEFT")
    return importBinary<graph::ShiftLeftOp>(ctx);
  if (direction == "RIGHT")
    return importBinary<graph::ShiftRightOp>(ctx);
  return ctx.fail("direction must be LEFT or RIGHT, got '" + direction + "'");
}

LogicalResult importWhere(NodeContext &ctx) {
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  if (getElementTypeOrSelf(ctx.input(1)) != getElementTypeOrSelf(ctx.input(2)))
    return ctx.fail("the two value operands have different element types");
  ctx.setOutput(0, ctx.create<graph::SelectOp>(*type, ctx.input(0), ctx.input(1), ctx.input(2)));
  return success();
}

/// Activations and other ops expanded into elementwise graph ops; `expand` gets the float input
/// and returns the result, which must have the inferred type.
template <Value (*expand)(NodeContext &, Expansion &, Value)>
LogicalResult importExpanded(NodeContext &ctx) {
  Value input = ctx.input(0);
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  if (!isa<FloatType>(getElementTypeOrSelf(input)))
    return ctx.fail("expects a floating-point input");
  Expansion e(ctx);
  Value result = expand(ctx, e, input);
  if (result.getType() != *type)
    return ctx.fail("the expansion does not have the inferred result type");
  ctx.setOutput(0, result);
  return success();
}

// max(x, 0) + alpha * min(x, 0)
Value leakyRelu(NodeContext &ctx, Expansion &e, Value x) {
  return e.leakyRelu(x, ctx.floatAttr("alpha", 0.01f));
}
// max(x, 0) + slope * min(x, 0), the slope broadcast to x
Value prelu(NodeContext &ctx, Expansion &e, Value x) {
  // Before opset 7 a slope of C values applies per channel (dimension 1).
  Value slope = ctx.input(1);
  ArrayRef<int64_t> shape = shapeOf(x);
  if (ctx.opset() < 7 && shapeOf(slope).size() == 1 && shape.size() > 2 &&
      shapeOf(slope)[0] == shape[1] && shape[1] != 1) {
    SmallVector<int64_t> channels(shape.size() - 1, 1);
    channels[0] = shape[1];
    slope = ctx.reshape(slope, channels);
  }
  Value below = e.apply<graph::MulOp>(e.apply<graph::MinOp>(x, 0.0), slope);
  return e.apply<graph::AddOp>(e.apply<graph::MaxOp>(x, 0.0), below);
}
// x > 0 ? x : alpha * (exp(x) - 1)
Value elu(NodeContext &ctx, Expansion &e, Value x) {
  return e.elu(x, ctx.floatAttr("alpha", 1.0f));
}
// gamma * (x > 0 ? x : alpha * (exp(x) - 1))
Value selu(NodeContext &ctx, Expansion &e, Value x) {
  Value elu = e.elu(x, ctx.floatAttr("alpha", 1.67326319217681884765625f));
  return e.apply<graph::MulOp>(elu, ctx.floatAttr("gamma", 1.05070102214813232421875f));
}
// max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
Value celu(NodeContext &ctx, Expansion &e, Value x) {
  double alpha = ctx.floatAttr("alpha", 1.0f);
  Value scaled = e.apply<graph::ExpOp>(e.apply<graph::DivOp>(x, alpha));
  Value below = e.apply<graph::MinOp>(e.apply<graph::MulOp>(e.apply<graph::SubOp>(scaled, 1.0),
                                                            alpha),
                                      0.0);
  return e.apply<graph::AddOp>(e.apply<graph::MaxOp>(x, 0.0), below);
}
// clip(alpha * x + beta, 0, 1)
Value hardSigmoid(NodeContext &ctx, Expansion &e, Value x) {
  return e.hardSigmoid(x, ctx.floatAttr("alpha", 0.2f), ctx.floatAttr("beta", 0.5f));
}
// x * clip(x / 6 + 1/2, 0, 1)
Value hardSwish(NodeContext &, Expansion &e, Value x) {
  return e.apply<graph::MulOp>(x, e.hardSigmoid(x, 1.0 / 6, 0.5));
}
Value softplus(NodeContext &, Expansion &e, Value x) { return e.softplus(x); }
// x / (1 + |x|)
Value softsign(NodeContext &, Expansion &e, Value x) { return e.softsign(x); }
// x * tanh(softplus(x))
Value mish(NodeContext &, Expansion &e, Value x) {
  return e.apply<graph::MulOp>(x, e.apply<graph::TanhOp>(e.softplus(x)));
}
// x > alpha ? x : 0
Value thresholdedRelu(NodeContext &ctx, Expansion &e, Value x) {
  return e.thresholdedRelu(x, ctx.floatAttr("alpha", 1.0f));
}
// x < -lambd ? x + bias : (x > lambd ? x - bias : 0)
Value shrink(NodeContext &ctx, Expansion &e, Value x) {
  double lambd = ctx.floatAttr("lambd", 0.5f), bias = ctx.floatAttr("bias", 0.0f);
  Value below = e.compare<graph::LessOp>(x, e.scalar(x, -lambd));
  Value above = e.compare<graph::GreaterOp>(x, e.scalar(x, lambd));
  Value upper = e.select(above, e.apply<graph::SubOp>(x, bias), e.scalar(x, 0));
  return e.select(below, e.apply<graph::AddOp>(x, bias), upper);
}
// 1 / x
Value reciprocal(NodeContext &, Expansion &e, Value x) {
  return e.apply<graph::DivOp>(e.scalar(x, 1), x);
}

/// Mean: the broadcast sum of the operands divided by their number.
LogicalResult importMean(NodeContext &ctx) {
  FailureOr<Value> sum = combineOperands<graph::AddOp>(ctx);
  if (failed(sum))
    return failure();
  if (!isa<FloatType>(getElementTypeOrSelf(*sum)))
    return ctx.fail("expects floating-point inputs");
  Expansion e(ctx);
  ctx.setOutput(0, e.apply<graph::DivOp>(*sum, double(ctx.numInputs())));
  return success();
}

/// CastLike: Cast to the element type of the second operand.
LogicalResult importCastLike(NodeContext &ctx) {
  Value input = ctx.input(0);
  auto type = RankedTensorType::get(shapeOf(input), getElementTypeOrSelf(ctx.input(1)));
  ctx.setOutput(0, type == input.getType() ? input : ctx.create<graph::CastOp>(type, input));
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
  table["CastLike"] = importCastLike;
  table["Floor"] = importUnary<graph::FloorOp>;
  table["Ceil"] = importUnary<graph::CeilOp>;
  table["Round"] = importUnary<graph::RoundOp>;
  table["Sin"] = importUnary<graph::SinOp>;
  table["Cos"] = importUnary<graph::CosOp>;
  table["Tan"] = importUnary<graph::TanOp>;
  table["Asin"] = importUnary<graph::AsinOp>;
  table["Acos"] = importUnary<graph::AcosOp>;
  table["Atan"] = importUnary<graph::AtanOp>;
  table["Sinh"] = importUnary<graph::SinhOp>;
  table["Cosh"] = importUnary<graph::CoshOp>;
  table["Asinh"] = importUnary<graph::AsinhOp>;
  table["Acosh"] = importUnary<graph::AcoshOp>;
  table["Atanh"] = importUnary<graph::AtanhOp>;
  table["Sign"] = importAnyUnary<graph::SignOp>;
  table["Not"] = importAnyUnary<graph::NotOp>;
  table["IsNaN"] = importIsNaN;
  table["IsInf"] = importIsInf;
  table["Equal"] = importBinary<graph::EqualOp>;
  table["Less"] = importBinary<graph::LessOp>;
  table["LessOrEqual"] = importBinary<graph::LessEqualOp>;
  table["Greater"] = importBinary<graph::GreaterOp>;
  table["GreaterOrEqual"] = importBinary<graph::GreaterEqualOp>;
  table["And"] = importBinary<graph::AndOp>;
  table["Or"] = importBinary<graph::OrOp>;
  table["Xor"] = importBinary<graph::XorOp>;
  table["BitShift"] = importBitShift;
  table["Mod"] = importMod;
  table["Where"] = importWhere;
  table["Mean"] = importMean;
  table["Reciprocal"] = importExpanded<reciprocal>;
  table["LeakyRelu"] = importExpanded<leakyRelu>;
  table["PRelu"] = importExpanded<prelu>;
  table["Elu"] = importExpanded<elu>;
  table["Selu"] = importExpanded<selu>;
  table["Celu"] = importExpanded<celu>;
  table["HardSigmoid"] = importExpanded<hardSigmoid>;
  table["HardSwish"] = importExpanded<hardSwish>;
  table["Softplus"] = importExpanded<softplus>;
  table["Softsign"] = importExpanded<softsign>;
  table["Mish"] = importExpanded<mish>;
  table["ThresholdedRelu"] = importExpanded<thresholdedRelu>;
  table["Shrink"] = importExpanded<shrink>;
}

bool isElementwise(StringRef opType) {
  static const OpTable elementwise = [] {
    OpTable table;
    registerElementwiseOps(table);
    return table;
  }();
  return elementwise.count(opType);
}

} // namespace dlc::onnx_frontend
