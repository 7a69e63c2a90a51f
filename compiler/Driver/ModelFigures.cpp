// Figures of a shape-inferred ONNX model: static shapes, element sizes, arithmetic per node.
// FLOPs count a multiply-add as two; ops without arithmetic count zero.
#include "compiler/Driver/ModelFigures.h"

#include "frontends/onnx/Tensors.h"

#include <set>

namespace dlc::driver {

double TensorFigure::bytes() const { return double(numElements(shape)) * double(elementBytes); }

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

TensorFigures knownTensors(const onnx::GraphProto &graph) {
  TensorFigures tensors;
  auto add = [&](const onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type())
      return;
    std::vector<int64_t> shape;
    for (const auto &dim : info.type().tensor_type().shape().dim()) {
      if (!dim.has_dim_value())
        return;
      shape.push_back(dim.dim_value());
    }
    tensors[info.name()] = {shape, onnx_frontend::onnxTypeBytes(
                                       info.type().tensor_type().elem_type())};
  };
  for (const auto &info : graph.input()) add(info);
  for (const auto &info : graph.value_info()) add(info);
  for (const auto &info : graph.output()) add(info);
  for (const auto &tensor : graph.initializer())
    tensors[tensor.name()] = {std::vector<int64_t>(tensor.dims().begin(), tensor.dims().end()),
                              onnx_frontend::onnxTypeBytes(tensor.data_type())};
  return tensors;
}

double nodeFlops(const onnx::NodeProto &node, const TensorFigures &tensors) {
  auto shape = [&](const std::string &name) -> const std::vector<int64_t> * {
    auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : &it->second.shape;
  };
  const std::vector<int64_t> *out = node.output_size() ? shape(node.output(0)) : nullptr;
  if (!out)
    return 0;
  const std::string &op = node.op_type();
  bool isConv = op == "Conv" || op == "ConvInteger" || op == "QLinearConv";
  if (isConv && node.input_size() > 1) {
    const std::vector<int64_t> *filter = shape(node.input(op == "QLinearConv" ? 3 : 1));
    if (!filter || filter->size() < 2)
      return 0;
    return 2.0 * numElements(*out) * numElements(*filter) / (*filter)[0];
  }
  if (op == "MatMul" || op == "Gemm" || op == "MatMulInteger" || op == "QLinearMatMul") {
    const std::vector<int64_t> *a = shape(node.input(0));
    if (!a || a->empty())
      return 0;
    bool transA = false;
    for (const auto &attr : node.attribute())
      transA |= attr.name() == "transA" && attr.i();
    int64_t k = transA ? (*a)[0] : a->back();
    return 2.0 * numElements(*out) * k;
  }
  static const std::set<std::string> elementwise = {
      "Add", "Sub", "Mul", "Div", "Pow", "Relu", "Sigmoid", "Tanh", "Erf", "Sqrt", "Exp", "Log",
      "Neg", "Abs", "Clip", "BatchNormalization", "Softmax", "LayerNormalization", "MaxPool",
      "AveragePool", "GlobalAveragePool", "ReduceMean", "ReduceSum", "ReduceMax", "Max", "Min"};
  return elementwise.count(op) ? double(numElements(*out)) : 0;
}

} // namespace dlc::driver
