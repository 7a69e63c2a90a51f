// Data-parallel compilation: every rank runs the same library on its rows of the batch, which
// the header's NAME_run_ranks scatters from rank 0 and gathers back (dlc/collectives.h).
#include "compiler/Driver/DataParallel.h"

#include "compiler/Driver/ParallelPlan.h"
#include "frontends/onnx/Importer.h"
#include "frontends/onnx/ModelLoader.h"

namespace dlc::driver {
namespace {

llvm::Error fail(const std::string &path, const llvm::Twine &reason) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": " + reason);
}

} // namespace

llvm::Expected<RankPlan> planRanks(onnx::ModelProto &model, const std::string &path,
                                   ShapeOptions &shapes, const parallel::Devices &devices,
                                   const parallel::PlanOptions &options) {
  onnx::ModelProto probe = model;
  if (llvm::Error error = onnx_frontend::bindInputs(probe, path, {shapes.fixed, {}}))
    return std::move(error);
  if (llvm::Error error = onnx_frontend::inferShapes(probe, path))
    return std::move(error);
  parallel::CostGraph graph = costGraphOf(probe, path);
  std::vector<parallel::Plan> plans = parallel::planParallel(graph, devices, options);
  if (std::string why = parallel::whyNoPlan(plans); !why.empty())
    return fail(path, why);
  const parallel::Plan &best = plans.front();
  RankPlan plan;
  plan.shape = best.shape();
  if (best.tensor > 1 || best.pipeline > 1)
    return fail(path, "the plan, " + plan.shape + ", splits the model itself; dlc compiles "
                      "data-parallel plans only so far (dlc inspect --devices shows the plan)");
  plan.ranks = best.data;
  plan.rows = graph.batch / best.data;
  if (graph.batch % best.data)
    return fail(path, "the plan splits a batch of " + llvm::Twine(graph.batch) + " across " +
                          llvm::Twine(best.data) + " ranks unevenly");
  if (plan.ranks == 1)
    return plan;

  // Every runtime input's leading dimension becomes one rank's rows; the shapes inference left
  // are dropped so that it infers them again for the smaller batch.
  for (const onnx::ValueInfoProto *input : onnx_frontend::runtimeInputs(probe)) {
    auto bound = shapes.fixed.find(input->name());
    const auto &dims = input->type().tensor_type().shape().dim();
    if (dims.empty() || !dims[0].has_dim_value() || dims[0].dim_value() != graph.batch)
      return fail(path, "input \"" + input->name() + "\" does not lead with the batch of " +
                            llvm::Twine(graph.batch) + ": the plan cannot split it");
    if (bound != shapes.fixed.end())
      bound->second[0] = plan.rows;
    for (onnx::ValueInfoProto &original : *model.mutable_graph()->mutable_input())
      if (original.name() == input->name()) {
        auto *first =
            original.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0);
        if (first->has_dim_value())
          first->set_dim_value(plan.rows);
      }
  }
  model.mutable_graph()->clear_value_info();
  for (onnx::ValueInfoProto &output : *model.mutable_graph()->mutable_output())
    if (output.type().tensor_type().has_shape())
      output.mutable_type()->mutable_tensor_type()->clear_shape();
  return plan;
}

} // namespace dlc::driver
