// Unit tests of the auto-parallel planner on machines and models where the right answer is
// clear, and of the devices file's errors.
#include "compiler/Parallel/Planner.h"

#include <catch2/catch.hpp>

using namespace dlc::parallel;

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

/// Builds cost graphs op by op, each reading the ops named by index.
struct GraphBuilder {
  CostGraph graph;
  double elementBytes = 4;

  int add(OpKind kind, const std::string &name, std::vector<int> inputs, double flops,
          double outputElements, double weightElements = 0) {
    CostNode node;
    node.name = name;
    node.kind = kind;
    node.flops = flops;
    node.outputBytes = outputElements * elementBytes;
    node.weightBytes = weightElements * elementBytes;
    node.constantWeights = weightElements > 0 && (kind == OpKind::Product ||
                                                  kind == OpKind::Convolution);
    for (int input : inputs)
      node.inputBytes += graph.nodes[input].outputBytes;
    if (inputs.empty())
      node.inputBytes = graph.inputBytes;
    node.inputs = std::move(inputs);
    graph.nodes.push_back(node);
    return int(graph.nodes.size()) - 1;
  }
  /// x[rows, k] times a constant [k, n].
  int dense(const std::string &name, int input, double rows, double k, double n) {
    return add(OpKind::Product, name, input < 0 ? std::vector<int>{} : std::vector<int>{input},
               2 * rows * k * n, rows * n, k * n);
  }
};

/// A decoder of `layers` layers, hidden size `hidden`, on `tokens` tokens of `batch` sequences,
/// in bf16: attention (Q, K, V, per-head products, output projection) and a gated MLP.
CostGraph decoder(int layers, double hidden, double ffn, double batch, double tokens) {
  GraphBuilder b;
  b.elementBytes = 2;
  double rows = batch * tokens;
  b.graph.batch = int64_t(batch);
  b.graph.inputBytes = rows * hidden * 2;
  int x = b.add(OpKind::Elementwise, "embed", {}, rows * hidden, rows * hidden);
  for (int l = 0; l < layers; ++l) {
    std::string p = "layer" + std::to_string(l) + ".";
    int norm = b.add(OpKind::Normalization, p + "norm1", {x}, 5 * rows * hidden, rows * hidden);
    int q = b.dense(p + "q", norm, rows, hidden, hidden);
    int k = b.dense(p + "k", norm, rows, hidden, hidden);
    int v = b.dense(p + "v", norm, rows, hidden, hidden);
    int scores = b.add(OpKind::Product, p + "scores", {q, k}, 2 * rows * tokens * hidden,
                       batch * 32 * tokens * tokens);
    int soft = b.add(OpKind::Elementwise, p + "softmax", {scores}, 5 * batch * 32 * tokens *
                     tokens, batch * 32 * tokens * tokens);
    int context = b.add(OpKind::Product, p + "context", {soft, v}, 2 * rows * tokens * hidden,
                        rows * hidden);
    int out = b.dense(p + "out", context, rows, hidden, hidden);
    int add1 = b.add(OpKind::Elementwise, p + "add1", {x, out}, rows * hidden, rows * hidden);
    int norm2 = b.add(OpKind::Normalization, p + "norm2", {add1}, 5 * rows * hidden,
                      rows * hidden);
    int up = b.dense(p + "up", norm2, rows, hidden, ffn);
    int gate = b.dense(p + "gate", norm2, rows, hidden, ffn);
    int act = b.add(OpKind::Elementwise, p + "act", {up, gate}, 4 * rows * ffn, rows * ffn);
    int down = b.dense(p + "down", act, rows, ffn, hidden);
    x = b.add(OpKind::Elementwise, p + "add2", {add1, down}, rows * hidden, rows * hidden);
  }
  b.graph.outputs = {x};
  return b.graph;
}

/// A small CNN (3x3 convolutions on 32x32 images, 3 -> 32 -> 64 -> 64 channels, pooling and a
/// classifier) at batch `batch`, in fp32.
CostGraph smallCnn(double batch) {
  GraphBuilder b;
  b.graph.batch = int64_t(batch);
  b.graph.inputBytes = batch * 3 * 32 * 32 * 4;
  double pixels = batch * 32 * 32;
  int c1 = b.add(OpKind::Convolution, "conv1", {}, 2 * pixels * 32 * 27, pixels * 32, 32 * 27);
  int r1 = b.add(OpKind::Elementwise, "relu1", {c1}, pixels * 32, pixels * 32);
  int c2 = b.add(OpKind::Convolution, "conv2", {r1}, 2 * pixels * 64 * 288, pixels * 64,
                 64 * 288);
  int r2 = b.add(OpKind::Elementwise, "relu2", {c2}, pixels * 64, pixels * 64);
  int c3 = b.add(OpKind::Convolution, "conv3", {r2}, 2 * pixels * 64 * 576, pixels * 64,
                 64 * 576);
  int pool = b.add(OpKind::Elementwise, "pool", {c3}, pixels * 64, batch * 64);
  int fc = b.dense("fc", pool, batch, 64, 10);
  b.graph.outputs = {fc};
  return b.graph;
}

/// `layers` fp32 layers of 16384 x 16384 (1 GiB of weights each) at batch `batch`.
CostGraph wideMlp(int layers, double batch) {
  GraphBuilder b;
  b.graph.batch = int64_t(batch);
  b.graph.inputBytes = batch * 16384 * 4;
  int x = -1;
  for (int l = 0; l < layers; ++l)
    x = b.dense("fc" + std::to_string(l), x, batch, 16384, 16384);
  b.graph.outputs = {x};
  return b.graph;
}

Devices cpus(int64_t ranks, double memoryGiB) {
  Devices devices;
  devices.device = {"cpu", "core", "host", 100, memoryGiB, 20, 0.7, 1};
  devices.levels = {{"socket", ranks, 10, 1}};
  return devices;
}

/// `nodes` nodes of 8 GPUs of 80 GB joined by NVLink (`nvlink` GB/s) inside a node and by a
/// network of `network` GB/s between them.
Devices gpuCluster(int64_t nodes, double nvlink, double network) {
  Devices devices;
  devices.device = {"gpu", "H100", "cuda-sm90", 400000, 80, 3350, 0.6, 5};
  devices.levels = {{"node", 8, nvlink, 3}, {"network", nodes, network, 10}};
  return devices;
}

} // namespace

TEST_CASE("a model larger than one rank's memory is split across the ranks", "[parallel]") {
  // Four 16384 x 16384 fp32 layers: 4 GiB of weights, 1.5 GiB per rank.
  std::vector<Plan> plans = planParallel(wideMlp(4, 8), cpus(4, 1.5), {});
  REQUIRE(!plans.empty());
  const Plan &best = plans.front();
  CHECK(best.rejected.empty());
  CHECK(best.memoryBytes <= 1.5 * kGiB);
  CHECK(best.data == 1);
  CHECK(best.tensor * best.pipeline == 4);
  // Replicating the weights on every rank is listed, rejected, with the reason.
  auto replicated = llvm::find_if(plans, [](const Plan &p) { return p.data == 4; });
  REQUIRE(replicated != plans.end());
  CHECK(replicated->rejected == "needs 4.00 GiB on a rank, which has 1.50 GiB");
}

TEST_CASE("a small CNN at a large batch goes data parallel", "[parallel]") {
  std::vector<Plan> plans = planParallel(smallCnn(256), cpus(4, 8), {});
  REQUIRE(!plans.empty());
  CHECK(plans.front().shape() == "data 4 x tensor 1 x pipeline 1");
  // At batch 1 there is nothing to split by rows.
  for (const Plan &plan : planParallel(smallCnn(1), cpus(4, 8), {}))
    CHECK(plan.data == 1);
}

TEST_CASE("a 7B decoder keeps tensor parallelism inside the NVLink nodes", "[parallel]") {
  // 32 layers, hidden 4096, MLP 11008: 6.5 billion parameters, 13 GB in bf16; a prompt of
  // 512 tokens, on 2 nodes x 8 GPUs.
  CostGraph model = decoder(32, 4096, 11008, 1, 512);
  CHECK(model.weightBytes() > 12e9);
  Devices cluster = gpuCluster(2, 450, 25);
  std::vector<Plan> plans = planParallel(model, cluster, {});
  REQUIRE(!plans.empty());
  const Plan &best = plans.front();
  INFO(best.shape());
  CHECK(best.rejected.empty());
  CHECK(best.tensor > 1);
  CHECK(best.tensor <= 8); // a tensor group never crosses the network
  // Megatron's two all-reduces per layer.
  auto reduce = llvm::find_if(best.collectives,
                              [](const CollectiveUse &use) { return use.kind == "all-reduce"; });
  REQUIRE(reduce != best.collectives.end());
  CHECK(reduce->count == 2 * 32 * best.microbatches);
  // Tensor parallelism across all 16 GPUs, over the network, predicts slower.
  auto across = llvm::find_if(plans, [](const Plan &p) { return p.tensor == 16; });
  REQUIRE(across != plans.end());
  CHECK(across->latencySeconds > best.latencySeconds);
}

TEST_CASE("a slower link moves the choice away from splitting across it", "[parallel]") {
  CostGraph model = decoder(32, 4096, 11008, 1, 512);
  Plan fast = planParallel(model, gpuCluster(1, 450, 25), {}).front();
  CHECK(fast.tensor == 8);
  // Through links of 0.05 GB/s each all-reduce costs more than the layer it splits.
  Plan slow = planParallel(model, gpuCluster(1, 0.05, 25), {}).front();
  INFO(slow.shape());
  CHECK(slow.tensor == 1);
  CHECK(slow.latencySeconds > fast.latencySeconds);
}

TEST_CASE("a pipeline runs microbatches to cut a batch's latency", "[parallel]") {
  // A batch of 64 whose weights fit no rank whole, on links too slow for tensor parallelism:
  // stages, with microbatches keeping them busy together.
  CostGraph model = wideMlp(8, 64);
  Devices devices = cpus(4, 4);
  devices.levels[0].gbps = 0.02; // tensor parallelism's all-reduces are dear here
  std::vector<Plan> plans = planParallel(model, devices, {});
  Plan best = plans.front();
  INFO(best.shape());
  CHECK(best.pipeline == 4);
  CHECK(best.microbatches > 1);
  CHECK(best.stages.size() == 4);
  for (const Stage &stage : best.stages)
    CHECK(stage.endOp - stage.firstOp == 2); // balanced: two equal layers each
  // For throughput, whole batches streaming through the stages keep them as busy.
  PlanOptions throughput;
  throughput.objective = Objective::Throughput;
  Plan streaming = planParallel(model, devices, throughput).front();
  CHECK(streaming.pipeline == 4);
  CHECK(streaming.samplesPerSecond >= best.samplesPerSecond);
}

TEST_CASE("a devices file names the field it rejects", "[parallel]") {
  auto devices = parseDevices(R"({"format": "dlc-devices", "version": 1,
      "device": {"kind": "gpu", "gflops": 1000, "memory_gib": 80, "memory_gbps": 3000},
      "levels": [{"name": "node", "count": 8, "gbps": 450, "latency_us": 3},
                 {"name": "network", "count": 2, "gbps": 25, "latency_us": 10}]})",
                              "good.json");
  REQUIRE(static_cast<bool>(devices));
  CHECK(devices->ranks() == 16);
  CHECK(devices->linkFor(8)->name == "node");
  CHECK(devices->linkFor(2, 8)->name == "network");
  CHECK(devices->device.target == "cuda-sm90");

  auto message = [](llvm::StringRef text) {
    auto devices = parseDevices(text, "bad.json");
    return devices ? std::string() : llvm::toString(devices.takeError());
  };
  CHECK(message(R"({"format": "dlc-devices", "version": 1, "device": {"kind": "tpu"}})") ==
        "bad.json: 'device.kind' must be \"cpu\" or \"gpu\"");
  CHECK(message(R"({"format": "dlc-devices", "version": 1, "device": {"kind": "cpu",
                    "gflops": 100, "memory_gib": 8}})") ==
        "bad.json: 'device.memory_gbps' is missing or not a number");
  CHECK(message(R"({"format": "dlc-devices", "version": 2})") ==
        "bad.json: 'version' must be 1, the only version this dlc reads");
  CHECK(message(R"({"format": "dlc-devices", "version": 1, "device": {"kind": "cpu",
                    "gflops": 100, "memory_gib": 8, "memory_gbps": 20},
                    "levels": [{"count": 0, "gbps": 1, "latency_us": 1}]})") ==
        "bad.json: 'levels[0].count' (members per group) must be a positive integer");
  CHECK(message("{") .find("bad.json: not JSON") == 0);
}
