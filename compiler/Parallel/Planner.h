// The auto-parallel planner: for a model and a machine, the grid of data, tensor and pipeline
// parallelism with the lowest predicted latency (or highest throughput) that fits each rank's
// memory, with its predicted compute and communication per rank (docs/design.md, Auto-parallel).
#ifndef DLC_COMPILER_PARALLEL_PLANNER_H
#define DLC_COMPILER_PARALLEL_PLANNER_H

#include "compiler/Parallel/CostGraph.h"
#include "compiler/Parallel/Devices.h"

#include "llvm/Support/raw_ostream.h"

namespace dlc::parallel {

/// What the planner minimizes.
enum class Objective {
  Latency,    ///< the time of one batch
  Throughput, ///< the time per sample with batches streaming through
};

/// The collectives of one kind a plan runs per batch on one rank's critical path.
struct CollectiveUse {
  std::string kind;    ///< "all-reduce", "all-gather", "send/recv", "scatter", "gather"
  int64_t count = 0;
  double bytes = 0;    ///< summed over the calls
  double seconds = 0;  ///< predicted, summed
};

/// One pipeline stage: its ops and what each of its ranks holds and spends.
struct Stage {
  int firstOp = 0, endOp = 0;  ///< [firstOp, endOp) of CostGraph::nodes
  double weightBytes = 0;      ///< constants per rank
  double memoryBytes = 0;      ///< constants and the largest live intermediates per rank
  double computeSeconds = 0;   ///< per batch
  double commSeconds = 0;      ///< tensor-parallel collectives and the send to the next stage
};

/// A candidate: a grid data x tensor x pipeline of ranks (tensor fastest-varying).
struct Plan {
  int64_t data = 1, tensor = 1, pipeline = 1;
  int64_t microbatches = 1;       ///< per data-parallel replica, streamed through the stages
  double latencySeconds = 0;      ///< one batch, from the inputs on rank 0 to its outputs there
  double samplesPerSecond = 0;    ///< batches streaming through
  double computeSeconds = 0;      ///< on the critical path of one batch
  double commSeconds = 0;         ///< on the critical path of one batch
  double memoryBytes = 0;         ///< the largest rank's
  std::string rejected;           ///< why it cannot run, or empty
  std::vector<Stage> stages;
  std::vector<CollectiveUse> collectives;

  int64_t ranks() const { return data * tensor * pipeline; }
  /// "data 2 x tensor 4 x pipeline 1".
  std::string shape() const;
};

/// Options of the search.
struct PlanOptions {
  Objective objective = Objective::Latency;
};

/// Every candidate grid on the machine's ranks (or a divisor of them), best first: plans that
/// fit before those rejected, then by the objective.
std::vector<Plan> planParallel(const CostGraph &graph, const Devices &devices,
                               const PlanOptions &options);

/// Why none of `plans` (planParallel's, best first) can run, or empty when the best one can.
std::string whyNoPlan(const std::vector<Plan> &plans);

/// The report of `dlc inspect --devices`: the chosen plan per rank, then `runnersUp` others
/// and the rejected ones with their reasons.
void printPlans(const std::vector<Plan> &plans, const CostGraph &graph, const Devices &devices,
                const PlanOptions &options, llvm::raw_ostream &os, int runnersUp = 4);

} // namespace dlc::parallel

#endif
