// The auto-parallel planner: every grid data x tensor x pipeline on the machine's ranks,
// costed op by op (roofline compute, alpha-beta collectives) and ranked by the objective.
#include "compiler/Parallel/Planner.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace dlc::parallel {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;
constexpr double kMiB = 1024.0 * 1024;

/// Collectives over one level's link by the ring algorithms: a message costs the link's
/// latency (alpha) plus its bytes over the bandwidth (beta).
struct Link {
  double alpha = 0, beta = 1;
  explicit Link(const Level *level) {
    if (level) {
      alpha = level->latencyUs * 1e-6;
      beta = level->gbps * 1e9;
    }
  }
  /// `bytes` on each of `group` ranks, summed across them: reduce-scatter then all-gather.
  double allReduce(double bytes, int64_t group) const {
    if (group <= 1 || bytes <= 0)
      return 0;
    return 2.0 * double(group - 1) * (alpha + bytes / double(group) / beta);
  }
  /// A tensor of `bytes` in all, a 1/group part on each rank, made whole on every rank; a
  /// scatter or gather of `bytes` through one rank costs the same.
  double allGather(double bytes, int64_t group) const {
    if (group <= 1 || bytes <= 0)
      return 0;
    return double(group - 1) * (alpha + bytes / double(group) / beta);
  }
  double send(double bytes) const { return alpha + bytes / beta; }
};

/// How tensor parallelism splits one op across its group: the share of its work and of its
/// constants on each rank, and the collectives it needs.
struct OpSplit {
  double workShare = 1, weightShare = 1;
  double gatherBytes = 0; ///< operands made whole before it (all-gather)
  double reduceBytes = 0; ///< its partial sums added across the group after it (all-reduce)
  bool sharded = false;   ///< its result stays split across the group
};

/// Propagates splits through the graph in order (Megatron's rule for products, generalized):
/// a product with constant weights reading a whole operand splits its columns (output
/// channels) and leaves its result split; one reading a split operand splits its rows (input
/// channels) and sums the partial results with an all-reduce. Products of two split
/// operands (attention's, per head) and elementwise ops keep the split; ops that read whole
/// rows gather their operands first.
std::vector<OpSplit> splitForTensor(const CostGraph &graph, int64_t group) {
  std::vector<OpSplit> splits(graph.nodes.size());
  if (group == 1)
    return splits;
  double share = 1.0 / double(group);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const CostNode &node = graph.nodes[i];
    OpSplit &split = splits[i];
    bool anySharded = false, allSharded = !node.inputs.empty();
    for (int input : node.inputs) {
      anySharded |= splits[input].sharded;
      allSharded &= splits[input].sharded;
    }
    auto gatherOperands = [&] {
      for (int input : node.inputs)
        if (splits[input].sharded)
          split.gatherBytes += graph.nodes[input].outputBytes;
    };
    auto keepSplit = [&] {
      split.workShare = split.weightShare = share;
      split.sharded = true;
    };
    switch (node.kind) {
    case OpKind::Product:
    case OpKind::Convolution:
      if (node.constantWeights) {
        split.workShare = split.weightShare = share;
        if (anySharded)
          split.reduceBytes = node.outputBytes;
        else
          split.sharded = true;
      } else if (allSharded) {
        keepSplit();
      } else {
        gatherOperands();
      }
      break;
    case OpKind::Depthwise:
    case OpKind::Elementwise:
      if (anySharded)
        keepSplit();
      break;
    case OpKind::Normalization:
    case OpKind::Other:
      gatherOperands();
      break;
    }
  }
  return splits;
}

/// Seconds of one op on one rank doing `work` of it with `weights` of its constants: the
/// longer of its arithmetic at the device's rate and its bytes at the memory's, plus the cost
/// of starting it.
double opSeconds(const CostNode &node, double work, double weights, const Device &device) {
  bool dense = node.kind == OpKind::Product || node.kind == OpKind::Convolution;
  double rate = device.gflops * 1e9 * (dense ? device.efficiency : 1.0);
  double bytes = (node.inputBytes + node.outputBytes) * work + node.weightBytes * weights;
  return std::max(node.flops * work / rate, bytes / (device.memoryGBps * 1e9)) +
         device.opOverheadUs * 1e-6;
}

/// Splits `cost` into `parts` contiguous non-empty ranges with the smallest largest sum;
/// returns each range's first index.
std::vector<int> balance(const std::vector<double> &cost, int parts) {
  int n = int(cost.size());
  std::vector<double> prefix(n + 1, 0);
  for (int i = 0; i < n; ++i)
    prefix[i + 1] = prefix[i] + cost[i];
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // best[k][j]: the smallest largest sum of the first j ops in k ranges; cut[k][j] where the
  // last range starts.
  std::vector<std::vector<double>> best(parts + 1, std::vector<double>(n + 1, kInf));
  std::vector<std::vector<int>> cut(parts + 1, std::vector<int>(n + 1, 0));
  best[0][0] = 0;
  for (int k = 1; k <= parts; ++k)
    for (int j = k; j <= n; ++j)
      for (int s = k - 1; s < j; ++s) {
        double value = std::max(best[k - 1][s], prefix[j] - prefix[s]);
        if (value < best[k][j]) {
          best[k][j] = value;
          cut[k][j] = s;
        }
      }
  std::vector<int> starts(parts);
  for (int k = parts, j = n; k >= 1; --k) {
    starts[k - 1] = cut[k][j];
    j = cut[k][j];
  }
  return starts;
}

/// Bytes of results made before `b` and read at or after it, for each boundary b.
std::vector<double> crossingBytes(const CostGraph &graph) {
  size_t n = graph.nodes.size();
  std::vector<int> lastUse(n, -1);
  for (size_t j = 0; j < n; ++j)
    for (int input : graph.nodes[j].inputs)
      lastUse[input] = std::max(lastUse[input], int(j));
  std::vector<double> delta(n + 2, 0), crossing(n + 1, 0);
  for (size_t i = 0; i < n; ++i)
    if (lastUse[i] > int(i)) {
      delta[i + 1] += graph.nodes[i].outputBytes;
      delta[lastUse[i] + 1] -= graph.nodes[i].outputBytes;
    }
  double running = 0;
  for (size_t b = 0; b <= n; ++b)
    crossing[b] = running += delta[b];
  return crossing;
}

std::string bytesText(double bytes) {
  return bytes >= kGiB ? llvm::formatv("{0:f2} GiB", bytes / kGiB).str()
                       : llvm::formatv("{0:f1} MiB", bytes / kMiB).str();
}

std::string msText(double seconds) { return llvm::formatv("{0:f3} ms", seconds * 1e3).str(); }

/// Adds `count` calls moving `bytes` in `seconds` to the plan's tally of `kind`.
void tally(Plan &plan, const std::string &kind, int64_t count, double bytes, double seconds) {
  if (count == 0)
    return;
  auto it = llvm::find_if(plan.collectives, [&](const CollectiveUse &use) {
    return use.kind == kind;
  });
  if (it == plan.collectives.end()) {
    plan.collectives.push_back({kind, 0, 0, 0});
    it = std::prev(plan.collectives.end());
  }
  it->count += count;
  it->bytes += bytes;
  it->seconds += seconds;
}

/// The plan of one grid with `microbatches` per replica.
Plan evaluate(const CostGraph &graph, const Devices &devices, int64_t data, int64_t tensor,
              int64_t pipeline, int64_t microbatches, const std::vector<OpSplit> &splits,
              const std::vector<double> &crossing) {
  Plan plan;
  plan.data = data;
  plan.tensor = tensor;
  plan.pipeline = pipeline;
  plan.microbatches = microbatches;
  const Device &device = devices.device;
  int n = int(graph.nodes.size());
  int64_t rows = (graph.batch + data - 1) / data;
  int64_t microRows = (rows + microbatches - 1) / microbatches;
  double share = double(microRows) / double(graph.batch);

  // Ranks are numbered tensor-fastest: a tensor group is `tensor` consecutive ranks, stages
  // are `tensor` apart, replicas `tensor * pipeline` apart.
  Link tensorLink(devices.linkFor(tensor, 1));
  Link stageLink(devices.linkFor(2, tensor));
  Link dataLink(devices.linkFor(data, tensor * pipeline));

  std::vector<double> compute(n), comm(n);
  for (int i = 0; i < n; ++i) {
    const OpSplit &split = splits[i];
    compute[i] = opSeconds(graph.nodes[i], split.workShare * share, split.weightShare, device);
    comm[i] = tensorLink.allGather(split.gatherBytes * share, tensor) +
              tensorLink.allReduce(split.reduceBytes * share, tensor);
  }
  std::vector<double> total(n);
  for (int i = 0; i < n; ++i)
    total[i] = compute[i] + comm[i];
  std::vector<int> starts = balance(total, int(pipeline));

  double slowest = 0, slowestCompute = 0, slowestComm = 0;
  for (int64_t s = 0; s < pipeline; ++s) {
    Stage stage;
    stage.firstOp = starts[s];
    stage.endOp = s + 1 < pipeline ? starts[s + 1] : n;
    double live = 0, microCompute = 0, microComm = 0;
    for (int i = stage.firstOp; i < stage.endOp; ++i) {
      const CostNode &node = graph.nodes[i];
      stage.weightBytes += node.weightBytes * splits[i].weightShare;
      live = std::max(live, (node.inputBytes + node.outputBytes) * splits[i].workShare * share);
      microCompute += compute[i];
      microComm += comm[i];
    }
    if (s + 1 < pipeline) {
      double bytes = crossing[stage.endOp] * share;
      microComm += stageLink.send(bytes);
      tally(plan, "send/recv", microbatches, bytes * microbatches,
            stageLink.send(bytes) * microbatches);
    }
    // A stage holds the intermediates of the microbatches in flight through the pipeline.
    stage.memoryBytes = stage.weightBytes + live * double(std::min(microbatches, pipeline));
    stage.computeSeconds = microCompute * microbatches;
    stage.commSeconds = microComm * microbatches;
    plan.memoryBytes = std::max(plan.memoryBytes, stage.memoryBytes);
    plan.computeSeconds += microCompute;
    plan.commSeconds += microComm;
    if (microCompute + microComm > slowest) {
      slowest = microCompute + microComm;
      slowestCompute = microCompute;
      slowestComm = microComm;
    }
    plan.stages.push_back(stage);
  }
  // GPipe's schedule: the first microbatch crosses every stage, the others follow at the pace
  // of the slowest.
  plan.computeSeconds += double(microbatches - 1) * slowestCompute;
  plan.commSeconds += double(microbatches - 1) * slowestComm;

  int64_t allReduces = 0, allGathers = 0;
  double reduced = 0, gathered = 0, reduceSeconds = 0, gatherSeconds = 0;
  for (int i = 0; i < n; ++i) {
    double reduce = splits[i].reduceBytes * share, gather = splits[i].gatherBytes * share;
    allReduces += reduce > 0;
    allGathers += gather > 0;
    reduced += reduce;
    gathered += gather;
    reduceSeconds += tensorLink.allReduce(reduce, tensor);
    gatherSeconds += tensorLink.allGather(gather, tensor);
  }
  tally(plan, "all-reduce", allReduces * microbatches, reduced * microbatches,
        reduceSeconds * microbatches);
  tally(plan, "all-gather", allGathers * microbatches, gathered * microbatches,
        gatherSeconds * microbatches);

  // The batch arrives on rank 0 and its outputs are wanted there: the replicas' shares are
  // scattered and gathered, a tensor group's members all read the inputs, split results are
  // gathered, and the last stage sends the outputs back.
  double outputBytes = 0, splitOutputs = 0;
  for (int output : graph.outputs) {
    outputBytes += graph.nodes[output].outputBytes;
    if (splits[output].sharded)
      splitOutputs += graph.nodes[output].outputBytes;
  }
  double rowsShare = double(rows) / double(graph.batch);
  double io = 0;
  if (data > 1) {
    double seconds = dataLink.allGather(graph.inputBytes, data);
    tally(plan, "scatter", 1, graph.inputBytes, seconds);
    io += seconds;
    seconds = dataLink.allGather(outputBytes, data);
    tally(plan, "gather", 1, outputBytes, seconds);
    io += seconds;
  }
  if (tensor > 1) {
    double seconds = tensorLink.allGather(graph.inputBytes * rowsShare, tensor) +
                     tensorLink.allGather(splitOutputs * rowsShare, tensor);
    tally(plan, "all-gather", 2, (graph.inputBytes + splitOutputs) * rowsShare, seconds);
    io += seconds;
  }
  if (pipeline > 1) {
    Link back(devices.linkFor(pipeline, tensor));
    double seconds = back.send(outputBytes * rowsShare);
    tally(plan, "send/recv", 1, outputBytes * rowsShare, seconds);
    io += seconds;
  }
  plan.commSeconds += io;
  plan.latencySeconds = plan.computeSeconds + plan.commSeconds;
  double perBatch = double(microbatches) * slowest + io;
  plan.samplesPerSecond = double(graph.batch) / perBatch;
  if (plan.memoryBytes > device.memoryGiB * kGiB)
    plan.rejected = "needs " + bytesText(plan.memoryBytes) + " on a rank, which has " +
                    bytesText(device.memoryGiB * kGiB);
  return plan;
}

bool better(const Plan &a, const Plan &b, Objective objective) {
  if (a.rejected.empty() != b.rejected.empty())
    return a.rejected.empty();
  if (!a.rejected.empty())
    return a.memoryBytes < b.memoryBytes;
  double x = objective == Objective::Latency ? a.latencySeconds : 1 / a.samplesPerSecond;
  double y = objective == Objective::Latency ? b.latencySeconds : 1 / b.samplesPerSecond;
  if (x != y)
    return x < y;
  return a.ranks() < b.ranks();
}

} // namespace

double CostGraph::weightBytes() const {
  double bytes = 0;
  for (const CostNode &node : nodes)
    bytes += node.weightBytes;
  return bytes;
}

double CostGraph::flops() const {
  double flops = 0;
  for (const CostNode &node : nodes)
    flops += node.flops;
  return flops;
}

std::string Plan::shape() const {
  return "data " + std::to_string(data) + " x tensor " + std::to_string(tensor) +
         " x pipeline " + std::to_string(pipeline);
}

std::vector<Plan> planParallel(const CostGraph &graph, const Devices &devices,
                               const PlanOptions &options) {
  std::vector<Plan> plans;
  int64_t ranks = devices.ranks();
  int64_t ops = int64_t(graph.nodes.size());
  std::vector<double> crossing = crossingBytes(graph);
  std::map<int64_t, std::vector<OpSplit>> splitsOf;
  for (int64_t used = 1; used <= ranks; ++used) {
    if (ranks % used)
      continue;
    for (int64_t tensor = 1; tensor <= used; ++tensor) {
      if (used % tensor)
        continue;
      for (int64_t pipeline = 1; pipeline <= used / tensor; ++pipeline) {
        if ((used / tensor) % pipeline)
          continue;
        int64_t data = used / tensor / pipeline;
        // Each replica needs a row of the batch and each stage an op.
        if (data > graph.batch || pipeline > ops || ops == 0)
          continue;
        auto [it, fresh] = splitsOf.try_emplace(tensor);
        if (fresh)
          it->second = splitForTensor(graph, tensor);
        int64_t rows = (graph.batch + data - 1) / data;
        // Microbatches only help a pipeline: 1, 2, 4, ... up to the replica's rows.
        Plan best;
        bool have = false;
        for (int64_t micro = 1; micro <= (pipeline > 1 ? rows : 1); micro *= 2) {
          Plan plan = evaluate(graph, devices, data, tensor, pipeline, micro, it->second,
                               crossing);
          if (!have || better(plan, best, options.objective)) {
            best = std::move(plan);
            have = true;
          }
        }
        plans.push_back(std::move(best));
      }
    }
  }
  std::stable_sort(plans.begin(), plans.end(), [&](const Plan &a, const Plan &b) {
    return better(a, b, options.objective);
  });
  return plans;
}

std::string whyNoPlan(const std::vector<Plan> &plans) {
  if (!plans.empty() && plans.front().rejected.empty())
    return "";
  return "no plan fits the ranks' memory" +
         (plans.empty() ? std::string() : " (" + plans.front().rejected + ")");
}

void printPlans(const std::vector<Plan> &plans, const CostGraph &graph, const Devices &devices,
                const PlanOptions &options, llvm::raw_ostream &os, int runnersUp) {
  const Device &device = devices.device;
  os << "devices: " << devices.ranks() << " ranks of " << device.name << " (" << device.kind
     << ", target " << device.target << ", " << llvm::formatv("{0:f1}", device.gflops)
     << " GFLOP/s, " << llvm::formatv("{0:f2}", device.memoryGiB) << " GiB)";
  for (const Level &level : devices.levels)
    os << "; " << level.name << ": groups of " << level.count << " at "
       << llvm::formatv("{0:f1}", level.gbps) << " GB/s, "
       << llvm::formatv("{0:f1}", level.latencyUs) << " us";
  os << "\nmodel: " << graph.nodes.size() << " ops, batch " << graph.batch << ", "
     << llvm::formatv("{0:f3}", graph.flops() * 1e-9) << " GFLOP, constants "
     << bytesText(graph.weightBytes()) << "\n";
  const char *objective = options.objective == Objective::Latency ? "latency" : "throughput";
  if (plans.empty() || !plans.front().rejected.empty()) {
    os << "plan (" << objective << "): none fits";
    if (!plans.empty())
      os << "; the smallest, " << plans.front().shape() << ", " << plans.front().rejected;
    os << "\n";
    return;
  }
  const Plan &plan = plans.front();
  os << "plan (" << objective << "): " << plan.shape() << " on " << plan.ranks() << " of "
     << devices.ranks() << " ranks";
  if (plan.microbatches > 1)
    os << ", " << plan.microbatches << " microbatches";
  os << "\n  predicted: " << msText(plan.latencySeconds) << " per batch (compute "
     << msText(plan.computeSeconds) << ", communication " << msText(plan.commSeconds) << "), "
     << llvm::formatv("{0:f1}", plan.samplesPerSecond) << " samples/s; largest rank "
     << bytesText(plan.memoryBytes) << "\n";
  for (const CollectiveUse &use : plan.collectives)
    os << "  " << use.kind << ": " << use.count << " per batch, " << bytesText(use.bytes)
       << ", " << msText(use.seconds) << "\n";
  for (int64_t rank = 0; rank < plan.ranks(); ++rank) {
    int64_t shard = rank % plan.tensor;
    int64_t stageIndex = rank / plan.tensor % plan.pipeline;
    int64_t replica = rank / plan.tensor / plan.pipeline;
    const Stage &stage = plan.stages[stageIndex];
    os << "  rank " << rank << ": replica " << replica << ", stage " << stageIndex
       << ", tensor shard " << shard << " of " << plan.tensor << "; ops " << stage.firstOp
       << ".." << stage.endOp - 1 << " (" << graph.nodes[stage.firstOp].name << " .. "
       << graph.nodes[stage.endOp - 1].name << "), constants " << bytesText(stage.weightBytes)
       << ", memory " << bytesText(stage.memoryBytes) << ", compute "
       << msText(stage.computeSeconds) << ", communication " << msText(stage.commSeconds)
       << "\n";
  }
  int shown = 0;
  for (size_t i = 1; i < plans.size() && shown < runnersUp; ++i) {
    if (!plans[i].rejected.empty())
      break;
    if (!shown++)
      os << "runners-up:\n";
    os << "  " << plans[i].shape();
    if (plans[i].microbatches > 1)
      os << ", " << plans[i].microbatches << " microbatches";
    os << ": " << msText(plans[i].latencySeconds) << " (compute "
       << msText(plans[i].computeSeconds) << ", communication "
       << msText(plans[i].commSeconds) << "), "
       << llvm::formatv("{0:f1}", plans[i].samplesPerSecond) << " samples/s, largest rank "
       << bytesText(plans[i].memoryBytes) << "\n";
  }
  bool header = false;
  for (const Plan &rejected : plans) {
    if (rejected.rejected.empty())
      continue;
    if (!header)
      os << "rejected:\n";
    header = true;
    os << "  " << rejected.shape() << ": " << rejected.rejected << "\n";
  }
}

} // namespace dlc::parallel
