// The parallel planner's view of an ONNX model: each node's kind of split, arithmetic, bytes
// read and written, and constants, from the shapes that inference left in the protobuf.
#include "compiler/Driver/ParallelPlan.h"

#include "compiler/Driver/ModelFigures.h"
#include "frontends/onnx/Importer.h"

#include <set>

namespace dlc::driver {
namespace {

using parallel::OpKind;

/// How tensor parallelism treats `node` (see parallel::OpKind).
OpKind kindOf(const onnx::NodeProto &node, const TensorFigures &tensors) {
  static const std::set<std::string> products = {"MatMul", "Gemm", "MatMulInteger",
                                                 "QLinearMatMul"};
  static const std::set<std::string> convolutions = {"Conv", "ConvInteger", "QLinearConv",
                                                     "ConvTranspose"};
  // Ops that work on each element, or each channel or row on its own, or only move data in a
  // way that keeps a split axis whole (reshapes that keep heads or channels together).
  static const std::set<std::string> elementwise = {
      "Add", "Sub", "Mul", "Div", "Pow", "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid",
      "HardSwish", "Tanh", "Erf", "Gelu", "Sqrt", "Exp", "Log", "Neg", "Abs", "Clip", "Max",
      "Min", "Where", "Cast", "Identity", "Dropout", "BatchNormalization", "Softmax",
      "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Reshape", "Transpose",
      "Flatten", "Squeeze", "Unsqueeze", "QuantizeLinear", "DequantizeLinear"};
  static const std::set<std::string> normalizations = {
      "LayerNormalization", "InstanceNormalization", "ReduceMean", "ReduceSum", "ReduceMax",
      "ReduceMin", "ReduceL2", "ArgMax"};
  const std::string &op = node.op_type();
  if (products.count(op))
    return OpKind::Product;
  if (convolutions.count(op)) {
    int64_t group = 1;
    for (const auto &attribute : node.attribute())
      if (attribute.name() == "group")
        group = attribute.i();
    auto filter = tensors.find(node.input(op == "QLinearConv" ? 3 : 1));
    if (group > 1 && filter != tensors.end() && !filter->second.shape.empty() &&
        filter->second.shape[0] == group)
      return OpKind::Depthwise;
    return group > 1 ? OpKind::Other : OpKind::Convolution;
  }
  if (elementwise.count(op))
    return OpKind::Elementwise;
  if (normalizations.count(op))
    return OpKind::Normalization;
  return OpKind::Other;
}

} // namespace

parallel::CostGraph costGraphOf(const onnx::ModelProto &model, const std::string &name) {
  const onnx::GraphProto &graph = model.graph();
  TensorFigures tensors = knownTensors(graph);
  std::set<std::string> constants;
  for (const auto &tensor : graph.initializer())
    constants.insert(tensor.name());
  auto bytesOf = [&](const std::string &tensor) {
    auto it = tensors.find(tensor);
    return it == tensors.end() ? 0.0 : it->second.bytes();
  };

  parallel::CostGraph costs;
  costs.name = name;
  for (const onnx::ValueInfoProto *input : onnx_frontend::runtimeInputs(model)) {
    costs.inputBytes += bytesOf(input->name());
    auto it = tensors.find(input->name());
    if (costs.batch == 1 && it != tensors.end() && !it->second.shape.empty())
      costs.batch = std::max<int64_t>(1, it->second.shape[0]);
  }
  std::map<std::string, int> producer;
  for (const onnx::NodeProto &node : graph.node()) {
    parallel::CostNode cost;
    cost.name = node.name().empty() ? node.op_type() + "_" + std::to_string(costs.nodes.size())
                                    : node.name();
    cost.opType = node.op_type();
    cost.kind = kindOf(node, tensors);
    cost.flops = nodeFlops(node, tensors);
    bool constantOperand = false;
    for (int i = 0; i < node.input_size(); ++i) {
      const std::string &input = node.input(i);
      if (input.empty())
        continue;
      if (constants.count(input)) {
        cost.weightBytes += bytesOf(input);
        constantOperand |= i > 0;
        continue;
      }
      cost.inputBytes += bytesOf(input);
      if (auto it = producer.find(input); it != producer.end() &&
                                          !llvm::is_contained(cost.inputs, it->second))
        cost.inputs.push_back(it->second);
    }
    cost.constantWeights = constantOperand && (cost.kind == OpKind::Product ||
                                               cost.kind == OpKind::Convolution);
    for (const std::string &output : node.output()) {
      cost.outputBytes += bytesOf(output);
      producer[output] = int(costs.nodes.size());
    }
    costs.nodes.push_back(std::move(cost));
  }
  for (const auto &output : graph.output())
    if (auto it = producer.find(output.name()); it != producer.end())
      costs.outputs.push_back(it->second);
  return costs;
}

} // namespace dlc::driver
