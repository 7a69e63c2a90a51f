// `dlc compile --devices/--ranks`: the planner's choice for a model, and for a data-parallel
// plan the model rewritten to one rank's rows of the batch.
#ifndef DLC_COMPILER_DRIVER_DATAPARALLEL_H
#define DLC_COMPILER_DRIVER_DATAPARALLEL_H

#include "compiler/Driver/Shapes.h"
#include "compiler/Parallel/Planner.h"

#include "onnx/onnx_pb.h"

namespace dlc::driver {

/// What a compilation across ranks runs on each.
struct RankPlan {
  int64_t ranks = 1;  ///< data-parallel replicas
  int64_t rows = 0;   ///< rows of the batch each runs
  std::string shape;  ///< the plan, as parallel::Plan::shape() says it
};

/// Plans `model` (read from `path`, its shapes bound by `shapes`) on `devices`. When the plan
/// is data parallel, rewrites the leading dimension of every runtime input of `model` (and of
/// `shapes`) to one rank's rows. Errors, naming the model, for plans that do not fit, need
/// tensor or pipeline parallelism (not compiled yet) or split a batch unevenly.
llvm::Expected<RankPlan> planRanks(onnx::ModelProto &model, const std::string &path,
                                   ShapeOptions &shapes, const parallel::Devices &devices,
                                   const parallel::PlanOptions &options);

} // namespace dlc::driver

#endif
