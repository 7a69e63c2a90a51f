// Small builders shared by the graph -> linalg patterns: empty/filled tensors, typed scalar
// constants, broadcasting indexing maps and generic-op construction.
#ifndef DLC_COMPILER_CONVERSION_GRAPHTOLINALG_LOWERINGUTILS_H
#define DLC_COMPILER_CONVERSION_GRAPHTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace dlc::conversion {

/// The ranked tensor type of `value`.
mlir::RankedTensorType tensorType(mlir::Value value);

/// Whether `type` (a scalar or a tensor) has an unsigned integer element type. Graph tensors keep
/// ONNX's unsigned types; linalg and arith work on signless integers, so lowerings read the
/// signedness from the graph op and build signless values.
bool isUnsignedElement(mlir::Type type);
/// `type` (a ranked tensor) with an unsigned integer element type made signless.
mlir::RankedTensorType signlessType(mlir::Type type);

/// A scalar constant of `type` (float or integer) holding `value`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, double value);

/// The lowest value of a float (-inf) or integer type (signed unless `isUnsigned`).
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                        bool isUnsigned = false);
/// The highest value of a float (+inf) or integer type (signed unless `isUnsigned`).
mlir::Value highestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                         bool isUnsigned = false);

/// An uninitialized tensor of `type` (a destination for linalg ops).
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type);

/// A tensor of `type` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                         mlir::Value value);

/// Pads `value` by `low` and `high` elements per dimension with the scalar `padValue`; returns
/// `value` itself when there is no padding.
mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::Value padValue);

/// Splits dimension `dim` of `value` into (`outer`, size / `outer`) with tensor.expand_shape.
mlir::Value splitDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value, int64_t dim,
                     int64_t outer);

/// The map from a rank-`resultRank` iteration space to an operand of `operandShape` under numpy
/// broadcasting: trailing dimensions align, and size-1 operand dimensions read index 0 when the
/// result dimension is larger.
mlir::AffineMap broadcastMap(mlir::ArrayRef<int64_t> operandShape,
                             mlir::ArrayRef<int64_t> resultShape, mlir::MLIRContext *ctx);

/// Builds an all-parallel linalg.generic computing `resultType` from `inputs` with broadcasting
/// maps; `body` gets the input scalars and returns the result scalar.
mlir::Value buildElementwise(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    mlir::ValueRange inputs,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)> body);

/// Iterator types: `parallel` for each dimension except those in `reductionDims`.
llvm::SmallVector<mlir::utils::IteratorType>
iteratorTypes(int64_t rank, llvm::ArrayRef<int64_t> reductionDims);

/// `value` extended to `wide`, the element type a product sums in: 8-bit integers by their own
/// signedness (`isUnsigned`: the graph type's, which lowering drops), bf16 exactly.
mlir::Value widenTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value, mlir::Type wide,
                    bool isUnsigned = false);

/// Builds the arith op combining two scalars of a float or integer type: add, mul, max or min
/// (integers compare as unsigned when `isUnsigned`).
enum class Combiner { Add, Mul, Max, Min };
mlir::Value combine(mlir::OpBuilder &b, mlir::Location loc, Combiner kind, mlir::Value lhs,
                    mlir::Value rhs, bool isUnsigned = false);

/// The position that an ONNX index (`index`, an integer scalar) selects along a dimension of
/// `size`: negative indices count from the end, then clamped into [0, size) so that no access
/// is out of bounds.
mlir::Value clampedIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value index,
                         int64_t size);

} // namespace dlc::conversion

#endif
