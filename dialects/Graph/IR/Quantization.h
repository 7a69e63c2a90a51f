// The parameters of a quantized graph tensor, read from and written as the upstream
// `!quant.uniform` type that graph.quantize and graph.dequantize carry.
#ifndef DLC_DIALECTS_GRAPH_IR_QUANTIZATION_H
#define DLC_DIALECTS_GRAPH_IR_QUANTIZATION_H

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace dlc::graph {

/// A uniform quantization: value = (q - zeroPoint) * scale, q saturated to [min, max].
struct Quantization {
  llvm::SmallVector<double> scales;        ///< one, or one per slice along `axis`
  llvm::SmallVector<int64_t> zeroPoints;   ///< as many as `scales`
  std::optional<int32_t> axis;             ///< set for per-axis parameters
  int64_t min = 0, max = 0;                ///< the storage type's range
  mlir::Type expressed;                    ///< the float type the values are expressed in

  /// The parameters of `type` (a per-tensor or per-axis !quant.uniform); none for other
  /// quantized types.
  static std::optional<Quantization> of(mlir::quant::QuantizedType type);
  /// Whether every zero point is 0 / every scale is 1 (a value already in integer units).
  bool zeroPointsAreZero() const;
  bool scalesAreOne() const;
};

/// The !quant.uniform type of integers of `storage` (a graph element type: i8 for ONNX's
/// int8, ui8 for its uint8) standing for `expressed` values with these parameters: per tensor
/// when `axis` is empty (one scale and zero point), else per axis. Null when `storage` is not
/// an 8-bit integer type or a zero point lies outside its range.
mlir::quant::QuantizedType quantizationType(mlir::Type storage, mlir::Type expressed,
                                            llvm::ArrayRef<double> scales,
                                            llvm::ArrayRef<int64_t> zeroPoints,
                                            std::optional<int32_t> axis = std::nullopt);

/// Whether `type` quantizes to integers of the graph element type `storage`: same width, and
/// signed storage for signless (ONNX int8) elements, unsigned for ui8.
bool storesAs(mlir::quant::QuantizedType type, mlir::Type storage);

} // namespace dlc::graph

#endif
