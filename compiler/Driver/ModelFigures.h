// Figures of a shape-inferred ONNX model read off its protobuf: the static shapes and element
// sizes of its tensors and each node's arithmetic (`dlc inspect`, the parallel planner).
#ifndef DLC_COMPILER_DRIVER_MODELFIGURES_H
#define DLC_COMPILER_DRIVER_MODELFIGURES_H

#include "onnx/onnx_pb.h"

#include <map>
#include <string>
#include <vector>

namespace dlc::driver {

/// A tensor whose shape is static: its dims and the bytes of one element.
struct TensorFigure {
  std::vector<int64_t> shape;
  int64_t elementBytes = 4;
  double bytes() const;
};
using TensorFigures = std::map<std::string, TensorFigure>;

int64_t numElements(const std::vector<int64_t> &shape);

/// The graph's inputs, outputs, inferred values and initializers whose shapes are static.
TensorFigures knownTensors(const onnx::GraphProto &graph);

/// Arithmetic operations of one node (floating point, or integer for the quantized products:
/// a multiply-add counts 2 either way; an elementwise op 1 per element); 0 when its shapes are
/// unknown.
double nodeFlops(const onnx::NodeProto &node, const TensorFigures &tensors);

} // namespace dlc::driver

#endif
