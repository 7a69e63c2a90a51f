// `dlc inspect --devices`: a shape-inferred ONNX model as the parallel planner's cost graph,
// and the plan's report.
#ifndef DLC_COMPILER_DRIVER_PARALLELPLAN_H
#define DLC_COMPILER_DRIVER_PARALLELPLAN_H

#include "compiler/Parallel/CostGraph.h"

#include "onnx/onnx_pb.h"

namespace dlc::driver {

/// The model's nodes in order with their arithmetic, bytes and constants, and how tensor
/// parallelism splits each (compiler/Parallel/CostGraph.h). Shapes must be inferred.
parallel::CostGraph costGraphOf(const onnx::ModelProto &model, const std::string &name);

} // namespace dlc::driver

#endif
