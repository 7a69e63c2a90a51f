// Matching floats clamped to integral bounds: a quantization's saturation, as the fusion and
// the CPU target's conversions read it.
#ifndef DLC_COMPILER_FUSION_INTEGERCLAMPS_H
#define DLC_COMPILER_FUSION_INTEGERCLAMPS_H

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <optional>

namespace dlc::fusion {

/// `min(max(clamped, lo), hi)` or `max(min(clamped, hi), lo)` with arith's maximumf and
/// minimumf, the bounds integral float constants (scalars or splats).
struct IntegerClamp {
  mlir::Value clamped;
  double lo, hi;
  /// The fast-math flags both steps carry.
  mlir::arith::FastMathFlags flags;

  /// Whether the bounds lie within the range of `width`-bit integers, signed or unsigned.
  bool fitsIn(unsigned width, bool isSigned) const;
};
std::optional<IntegerClamp> matchIntegerClamp(mlir::Value value);

/// Whether `value` holds integers (or NaN): a rounding's result, an integer's conversion, or
/// such a value shifted by an integral constant.
bool holdsIntegers(mlir::Value value);

} // namespace dlc::fusion

#endif
