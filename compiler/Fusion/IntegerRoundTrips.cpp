// Removes conversions of a float to an integer and back where they cannot change the value:
// the round trip a quantization followed by a dequantization leaves in a fused body.
#include "compiler/Fusion/IntegerClamps.h"
#include "compiler/Fusion/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

namespace dlc::fusion {

using namespace mlir;

namespace {

/// The value of a float constant, scalar or splat.
std::optional<double> constantValue(Value value) {
  APFloat constant(0.0);
  if (matchPattern(value, m_ConstantFloat(&constant)))
    return constant.convertToDouble();
  return std::nullopt;
}

bool isIntegral(std::optional<double> value) {
  return value && std::isfinite(*value) && std::trunc(*value) == *value;
}

/// holdsIntegers, looking through at most 4 shifts.
bool holdsIntegersAt(Value value, int depth) {
  Operation *op = value.getDefiningOp();
  if (!op || depth > 4)
    return false;
  if (isa<math::RoundEvenOp, math::RoundOp, math::FloorOp, math::CeilOp, math::TruncOp,
          arith::SIToFPOp, arith::UIToFPOp>(op))
    return true;
  if (!isa<arith::AddFOp, arith::SubFOp>(op))
    return false;
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  return (holdsIntegersAt(lhs, depth + 1) && isIntegral(constantValue(rhs))) ||
         (isIntegral(constantValue(lhs)) && holdsIntegersAt(rhs, depth + 1));
}

/// One clamp step (maximumf for the lower bound, minimumf for the upper) by an integral
/// constant: its bound, the value it clamps and its flags.
template <typename ClampOp>
std::optional<IntegerClamp> clampStep(Value value) {
  auto clamp = value.getDefiningOp<ClampOp>();
  if (!clamp)
    return std::nullopt;
  std::optional<double> bound = constantValue(clamp.getRhs());
  if (!isIntegral(bound))
    return std::nullopt;
  return IntegerClamp{clamp.getLhs(), *bound, *bound, clamp.getFastmath()};
}

/// sitofp(fptosi(x)) (or uitofp(fptoui(x))) = x where x is integers clamped into the integer
/// type's range. The clamp must carry `nsz`, as a quantization's saturation does: the
/// conversions would turn -0 into +0.
template <typename ToInteger, typename ToFloat>
struct ExactRoundTrip : OpRewritePattern<ToFloat> {
  using OpRewritePattern<ToFloat>::OpRewritePattern;

  LogicalResult matchAndRewrite(ToFloat back, PatternRewriter &rewriter) const override {
    auto there = back.getIn().template getDefiningOp<ToInteger>();
    if (!there || there.getIn().getType() != back.getType())
      return failure();
    Value x = there.getIn();
    std::optional<IntegerClamp> clamp = matchIntegerClamp(x);
    if (!clamp || !bitEnumContainsAll(clamp->flags, arith::FastMathFlags::nsz) ||
        !holdsIntegers(clamp->clamped))
      return failure();
    unsigned width = getElementTypeOrSelf(there.getType()).getIntOrFloatBitWidth();
    if (!clamp->fitsIn(width, std::is_same_v<ToInteger, arith::FPToSIOp>))
      return failure();
    rewriter.replaceOp(back, x);
    return success();
  }
};

} // namespace

std::optional<IntegerClamp> matchIntegerClamp(Value value) {
  std::optional<IntegerClamp> outer, inner;
  if ((outer = clampStep<arith::MinimumFOp>(value)) &&
      (inner = clampStep<arith::MaximumFOp>(outer->clamped)))
    return IntegerClamp{inner->clamped, inner->lo, outer->hi, outer->flags & inner->flags};
  if ((outer = clampStep<arith::MaximumFOp>(value)) &&
      (inner = clampStep<arith::MinimumFOp>(outer->clamped)))
    return IntegerClamp{inner->clamped, outer->lo, inner->hi, outer->flags & inner->flags};
  return std::nullopt;
}

bool IntegerClamp::fitsIn(unsigned width, bool isSigned) const {
  double lowest = isSigned ? -std::ldexp(1.0, width - 1) : 0.0;
  double highest = isSigned ? std::ldexp(1.0, width - 1) - 1 : std::ldexp(1.0, width) - 1;
  return lo >= lowest && hi <= highest;
}

bool holdsIntegers(Value value) { return holdsIntegersAt(value, 0); }

void populateIntegerRoundTripPatterns(RewritePatternSet &patterns) {
  patterns.add<ExactRoundTrip<arith::FPToSIOp, arith::SIToFPOp>,
               ExactRoundTrip<arith::FPToUIOp, arith::UIToFPOp>>(patterns.getContext());
}

} // namespace dlc::fusion
