// Lowers graph constants and elementwise ops (binary with broadcasting, unary math, clip, cast)
// to arith.constant and all-parallel linalg.generic ops.
#include "compiler/Conversion/GraphToLinalg/LoweringUtils.h"
#include "compiler/Conversion/GraphToLinalg/Patterns.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

using namespace mlir;
using namespace dlc::graph;

namespace dlc::conversion {
namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConstantOp op, OpAdaptor, ConversionPatternRewriter &rewriter)
      const override {
    auto value = cast<DenseElementsAttr>(op.getValue());
    if (isUnsignedElement(value.getType()))
      value = value.bitcast(signlessType(value.getType()).getElementType());
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

/// Lowers an elementwise op whose scalar computation is given by `Derived::scalar`.
template <typename Op, typename Derived> struct ElementwiseLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto resultType = signlessType(op.getType());
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return Derived::scalar(b, loc, op, args, resultType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

#define DLC_ELEMENTWISE(NAME, OP)                                                                  \
  struct NAME : ElementwiseLowering<OP, NAME> {                                                    \
    using ElementwiseLowering::ElementwiseLowering;                                                \
    static Value scalar(OpBuilder &b, Location loc, OP op, ValueRange args, Type type);           \
  };                                                                                               \
  Value NAME::scalar(OpBuilder &b, Location loc, [[maybe_unused]] OP op,                           \
                     [[maybe_unused]] ValueRange args, [[maybe_unused]] Type type)

DLC_ELEMENTWISE(AddLowering, AddOp) { return combine(b, loc, Combiner::Add, args[0], args[1]); }
DLC_ELEMENTWISE(MulLowering, MulOp) { return combine(b, loc, Combiner::Mul, args[0], args[1]); }
DLC_ELEMENTWISE(MaxLowering, MaxOp) {
  return combine(b, loc, Combiner::Max, args[0], args[1], isUnsignedElement(op.getType()));
}
DLC_ELEMENTWISE(MinLowering, MinOp) {
  return combine(b, loc, Combiner::Min, args[0], args[1], isUnsignedElement(op.getType()));
}

DLC_ELEMENTWISE(SubLowering, SubOp) {
  if (isFloat(args[0]))
    return arith::SubFOp::create(b, loc, args[0], args[1]);
  return arith::SubIOp::create(b, loc, args[0], args[1]);
}

DLC_ELEMENTWISE(DivLowering, DivOp) {
  if (isFloat(args[0]))
    return arith::DivFOp::create(b, loc, args[0], args[1]);
  if (isUnsignedElement(op.getType()))
    return arith::DivUIOp::create(b, loc, args[0], args[1]);
  return arith::DivSIOp::create(b, loc, args[0], args[1]);
}

/// Converts a scalar between float and integer element types (see graph.cast); integers are
/// signless here, and `fromUnsigned`/`toUnsigned` say how the graph typed them.
Value convertScalar(OpBuilder &b, Location loc, Value value, Type to, bool fromUnsigned = false,
                    bool toUnsigned = false) {
  Type from = value.getType();
  if (from == to)
    return value;
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  unsigned fromWidth = from.getIntOrFloatBitWidth(), toWidth = to.getIntOrFloatBitWidth();
  if (toWidth == 1 && !toFloat) {
    Value zero = scalarConstant(b, loc, from, 0);
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, value, zero);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, value, zero);
  }
  if (fromFloat && toFloat)
    return fromWidth < toWidth ? arith::ExtFOp::create(b, loc, to, value).getResult()
                               : arith::TruncFOp::create(b, loc, to, value).getResult();
  if (fromFloat)
    return toUnsigned ? arith::FPToUIOp::create(b, loc, to, value).getResult()
                      : arith::FPToSIOp::create(b, loc, to, value).getResult();
  bool zeroExtends = fromWidth == 1 || fromUnsigned;
  if (toFloat)
    return zeroExtends ? arith::UIToFPOp::create(b, loc, to, value).getResult()
                       : arith::SIToFPOp::create(b, loc, to, value).getResult();
  if (fromWidth < toWidth)
    return zeroExtends ? arith::ExtUIOp::create(b, loc, to, value).getResult()
                       : arith::ExtSIOp::create(b, loc, to, value).getResult();
  return arith::TruncIOp::create(b, loc, to, value);
}

DLC_ELEMENTWISE(PowLowering, PowOp) {
  Value base = args[0], exponent = args[1];
  bool unsignedBase = isUnsignedElement(op.getLhs().getType());
  bool unsignedExponent = isUnsignedElement(op.getRhs().getType());
  if (isFloat(base))
    return math::PowFOp::create(b, loc, base,
                                convertScalar(b, loc, exponent, type, unsignedExponent));
  if (!isFloat(exponent))
    return math::IPowIOp::create(b, loc, base,
                                 convertScalar(b, loc, exponent, type, unsignedExponent));
  // Integer base, float exponent: compute in the exponent's type, then truncate.
  Value power = math::PowFOp::create(
      b, loc, convertScalar(b, loc, base, exponent.getType(), unsignedBase), exponent);
  return convertScalar(b, loc, power, type, false, unsignedBase);
}

DLC_ELEMENTWISE(ReluLowering, ReluOp) {
  if (isUnsignedElement(op.getType()))
    return args[0];
  return combine(b, loc, Combiner::Max, args[0], scalarConstant(b, loc, type, 0));
}

DLC_ELEMENTWISE(NegLowering, NegOp) {
  if (isFloat(args[0]))
    return arith::NegFOp::create(b, loc, args[0]);
  return arith::SubIOp::create(b, loc, scalarConstant(b, loc, type, 0), args[0]);
}

DLC_ELEMENTWISE(AbsLowering, AbsOp) {
  if (isFloat(args[0]))
    return math::AbsFOp::create(b, loc, args[0]);
  if (isUnsignedElement(op.getType()))
    return args[0];
  return math::AbsIOp::create(b, loc, args[0]);
}

DLC_ELEMENTWISE(SigmoidLowering, SigmoidOp) {
  Value one = scalarConstant(b, loc, type, 1);
  Value negExp = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, args[0]));
  return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, negExp));
}

DLC_ELEMENTWISE(TanhLowering, TanhOp) { return math::TanhOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(ErfLowering, ErfOp) { return math::ErfOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(SqrtLowering, SqrtOp) { return math::SqrtOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(ExpLowering, ExpOp) { return math::ExpOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(LogLowering, LogOp) { return math::LogOp::create(b, loc, args[0]); }

DLC_ELEMENTWISE(ClipLowering, ClipOp) {
  Value value = args[0];
  bool isUnsigned = isUnsignedElement(op.getType());
  // A float clip that only feeds conversions to integers (QuantizeLinear's saturation) need not
  // order NaNs or signed zeros: a NaN has no integer, and -0 converts as +0. Without those
  // cases max and min are one instruction each instead of three.
  bool feedsIntegers =
      isFloat(value) && llvm::all_of(op->getUsers(), [](Operation *user) {
        auto cast = dyn_cast<CastOp>(user);
        return cast && isa<IntegerType>(getElementTypeOrSelf(cast.getType()));
      });
  if (feedsIntegers) {
    auto flags = arith::FastMathFlags::nnan | arith::FastMathFlags::nsz;
    if (auto min = op.getMin())
      value = arith::MaximumFOp::create(
          b, loc, value, scalarConstant(b, loc, type, min->convertToDouble()), flags);
    if (auto max = op.getMax())
      value = arith::MinimumFOp::create(
          b, loc, value, scalarConstant(b, loc, type, max->convertToDouble()), flags);
    return value;
  }
  if (auto min = op.getMin())
    value = combine(b, loc, Combiner::Max, value,
                    scalarConstant(b, loc, type, min->convertToDouble()), isUnsigned);
  if (auto max = op.getMax())
    value = combine(b, loc, Combiner::Min, value,
                    scalarConstant(b, loc, type, max->convertToDouble()), isUnsigned);
  return value;
}

DLC_ELEMENTWISE(CastLowering, CastOp) {
  return convertScalar(b, loc, args[0], type, isUnsignedElement(op.getInput().getType()),
                       isUnsignedElement(op.getType()));
}

DLC_ELEMENTWISE(FloorLowering, FloorOp) { return math::FloorOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(CeilLowering, CeilOp) { return math::CeilOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(RoundLowering, RoundOp) { return math::RoundEvenOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(SinLowering, SinOp) { return math::SinOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(CosLowering, CosOp) { return math::CosOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(TanLowering, TanOp) { return math::TanOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(AsinLowering, AsinOp) { return math::AsinOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(AcosLowering, AcosOp) { return math::AcosOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(AtanLowering, AtanOp) { return math::AtanOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(SinhLowering, SinhOp) { return math::SinhOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(CoshLowering, CoshOp) { return math::CoshOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(AsinhLowering, AsinhOp) { return math::AsinhOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(AcoshLowering, AcoshOp) { return math::AcoshOp::create(b, loc, args[0]); }
DLC_ELEMENTWISE(AtanhLowering, AtanhOp) { return math::AtanhOp::create(b, loc, args[0]); }

DLC_ELEMENTWISE(SignLowering, SignOp) {
  Value x = args[0], zero = scalarConstant(b, loc, type, 0);
  Value one = scalarConstant(b, loc, type, 1);
  if (isUnsignedElement(op.getType())) {
    Value nonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero);
    return arith::SelectOp::create(b, loc, nonZero, one, zero);
  }
  Value minusOne = scalarConstant(b, loc, type, -1);
  Value positive, negative;
  if (isFloat(x)) {
    positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
    negative = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  } else {
    positive = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, zero);
    negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
    x = zero;
  }
  // Floats keep zeros (with their sign) and NaN.
  Value rest = arith::SelectOp::create(b, loc, negative, minusOne, x);
  return arith::SelectOp::create(b, loc, positive, one, rest);
}

DLC_ELEMENTWISE(NotLowering, NotOp) {
  return arith::XOrIOp::create(b, loc, args[0], arith::ConstantIntOp::create(b, loc, 1, 1));
}

DLC_ELEMENTWISE(IsNaNLowering, IsNaNOp) {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, args[0], args[0]);
}

DLC_ELEMENTWISE(IsInfLowering, IsInfOp) {
  Type floatType = args[0].getType();
  Value result = arith::ConstantIntOp::create(b, loc, 0, 1);
  auto equals = [&](double value) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, args[0],
                                 scalarConstant(b, loc, floatType, value));
  };
  if (op.getPositive())
    result = arith::OrIOp::create(b, loc, result, equals(INFINITY));
  if (op.getNegative())
    result = arith::OrIOp::create(b, loc, result, equals(-INFINITY));
  return result;
}

/// The comparison `lhs <predicate> rhs` for the operands' element type: ordered for floats,
/// unsigned or signed for integers.
Value compare(OpBuilder &b, Location loc, Value lhs, Value rhs, arith::CmpFPredicate floatCase,
              arith::CmpIPredicate signedCase, arith::CmpIPredicate unsignedCase,
              bool isUnsigned) {
  if (isFloat(lhs))
    return arith::CmpFOp::create(b, loc, floatCase, lhs, rhs);
  return arith::CmpIOp::create(b, loc, isUnsigned ? unsignedCase : signedCase, lhs, rhs);
}

#define DLC_COMPARISON(NAME, OP, FLOAT, SIGNED, UNSIGNED)                                          \
  DLC_ELEMENTWISE(NAME, OP) {                                                                      \
    return compare(b, loc, args[0], args[1], arith::CmpFPredicate::FLOAT,                          \
                   arith::CmpIPredicate::SIGNED, arith::CmpIPredicate::UNSIGNED,                   \
                   isUnsignedElement(op.getLhs().getType()));                                      \
  }
DLC_COMPARISON(EqualLowering, EqualOp, OEQ, eq, eq)
DLC_COMPARISON(LessLowering, LessOp, OLT, slt, ult)
DLC_COMPARISON(LessEqualLowering, LessEqualOp, OLE, sle, ule)
DLC_COMPARISON(GreaterLowering, GreaterOp, OGT, sgt, ugt)
DLC_COMPARISON(GreaterEqualLowering, GreaterEqualOp, OGE, sge, uge)
#undef DLC_COMPARISON

DLC_ELEMENTWISE(AndLowering, AndOp) { return arith::AndIOp::create(b, loc, args[0], args[1]); }
DLC_ELEMENTWISE(OrLowering, OrOp) { return arith::OrIOp::create(b, loc, args[0], args[1]); }
DLC_ELEMENTWISE(XorLowering, XorOp) { return arith::XOrIOp::create(b, loc, args[0], args[1]); }
DLC_ELEMENTWISE(ShiftLeftLowering, ShiftLeftOp) {
  return arith::ShLIOp::create(b, loc, args[0], args[1]);
}
DLC_ELEMENTWISE(ShiftRightLowering, ShiftRightOp) {
  if (isUnsignedElement(op.getType()))
    return arith::ShRUIOp::create(b, loc, args[0], args[1]);
  return arith::ShRSIOp::create(b, loc, args[0], args[1]);
}

DLC_ELEMENTWISE(ModLowering, ModOp) {
  Value lhs = args[0], rhs = args[1];
  if (isFloat(lhs))
    return arith::RemFOp::create(b, loc, lhs, rhs);
  if (isUnsignedElement(op.getType()))
    return arith::RemUIOp::create(b, loc, lhs, rhs);
  Value remainder = arith::RemSIOp::create(b, loc, lhs, rhs);
  if (op.getFmod())
    return remainder;
  // Floored: a non-zero remainder whose sign differs from the divisor's moves by the divisor.
  Value zero = scalarConstant(b, loc, type, 0);
  Value nonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, remainder, zero);
  Value remainderNegative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, remainder, zero);
  Value divisorNegative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, rhs, zero);
  Value signsDiffer = arith::XOrIOp::create(b, loc, remainderNegative, divisorNegative);
  Value adjust = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
  return arith::SelectOp::create(b, loc, adjust, arith::AddIOp::create(b, loc, remainder, rhs),
                                 remainder);
}

// The elementwise builder broadcasts the operand to the result's shape.
DLC_ELEMENTWISE(BroadcastLowering, BroadcastOp) { return args[0]; }

DLC_ELEMENTWISE(SelectLowering, SelectOp) {
  return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);
}

#undef DLC_ELEMENTWISE

} // namespace

void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, AddLowering, SubLowering, MulLowering, DivLowering, MaxLowering,
               MinLowering, PowLowering, ReluLowering, NegLowering, AbsLowering, SigmoidLowering,
               TanhLowering, ErfLowering, SqrtLowering, ExpLowering, LogLowering, ClipLowering,
               CastLowering, FloorLowering, CeilLowering, RoundLowering, SinLowering,
               CosLowering, TanLowering, AsinLowering, AcosLowering, AtanLowering, SinhLowering,
               CoshLowering, AsinhLowering, AcoshLowering, AtanhLowering, SignLowering,
               NotLowering, IsNaNLowering, IsInfLowering, EqualLowering, LessLowering,
               LessEqualLowering, GreaterLowering, GreaterEqualLowering, AndLowering, OrLowering,
               XorLowering, ShiftLeftLowering, ShiftRightLowering, ModLowering, SelectLowering,
               BroadcastLowering>(
      patterns.getContext());
}

} // namespace dlc::conversion
