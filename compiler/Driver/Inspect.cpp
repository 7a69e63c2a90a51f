// The model report behind `dlc inspect`: reads only the ModelProto and its inferred shapes.
#include "compiler/Driver/Inspect.h"

#include "compiler/Driver/ModelFigures.h"

#include "frontends/onnx/Importer.h"
#include "frontends/onnx/Tensors.h"

#include "llvm/Support/Format.h"

#include <map>
#include <set>

namespace dlc::driver {
namespace {

std::string typeText(const onnx::TypeProto &type) {
  if (!type.has_tensor_type())
    return "(not a tensor)";
  std::string text = llvm::StringRef(onnx_frontend::onnxTypeName(type.tensor_type().elem_type()))
                         .lower() + " [";
  for (int i = 0; i < type.tensor_type().shape().dim_size(); ++i) {
    const auto &dim = type.tensor_type().shape().dim(i);
    text += (i ? ", " : "") + (dim.has_dim_value() ? std::to_string(dim.dim_value())
                                                   : dim.dim_param().empty() ? "?" : dim.dim_param());
  }
  return text + "]";
}

} // namespace

int inspectModel(const onnx::ModelProto &model, const std::string &path, llvm::raw_ostream &out) {
  const onnx::GraphProto &graph = model.graph();
  out << "model: " << path << " (ir_version " << model.ir_version() << ", opset "
      << onnx_frontend::defaultOpset(model);
  if (!model.producer_name().empty())
    out << ", produced by " << model.producer_name() << " " << model.producer_version();
  out << ")\n";

  int64_t parameters = 0, parameterBytes = 0;
  for (const auto &tensor : graph.initializer()) {
    int64_t count = numElements(std::vector<int64_t>(tensor.dims().begin(), tensor.dims().end()));
    parameters += count;
    parameterBytes += count * onnx_frontend::onnxTypeBytes(tensor.data_type());
  }
  out << "inputs:\n";
  for (const onnx::ValueInfoProto *input : onnx_frontend::runtimeInputs(model))
    out << "  " << input->name() << ": " << typeText(input->type()) << "\n";
  out << "outputs:\n";
  for (const auto &output : graph.output())
    out << "  " << output.name() << ": " << typeText(output.type()) << "\n";

  std::map<std::string, int> histogram;
  TensorFigures tensors = knownTensors(graph);
  double flops = 0;
  for (const auto &node : graph.node()) {
    std::string op = node.domain().empty() || node.domain() == "ai.onnx"
                         ? node.op_type()
                         : node.domain() + "::" + node.op_type();
    ++histogram[op];
    flops += nodeFlops(node, tensors);
  }
  out << "ops (" << graph.node_size() << " nodes):\n";
  for (const auto &[op, count] : histogram)
    out << "  " << llvm::left_justify(op, 24) << count << "\n";
  out << "parameters: " << parameters << " (" << llvm::format("%.1f", parameterBytes / 1e6)
      << " MB)\n";
  out << "FLOPs (estimate, one run): " << llvm::format("%.3g", flops) << "\n";

  std::vector<std::string> supported = onnx_frontend::supportedOps();
  std::vector<std::string> unsupported;
  for (const auto &[op, count] : histogram)
    if (!std::binary_search(supported.begin(), supported.end(), op))
      unsupported.push_back(op + " (" + std::to_string(count) + ")");
  out << "unsupported ops: ";
  if (unsupported.empty())
    out << "none\n";
  for (size_t i = 0; i < unsupported.size(); ++i)
    out << unsupported[i] << (i + 1 < unsupported.size() ? ", " : "\n");
  return int(unsupported.size());
}

void printMemoryPlan(const targets::ModelSignature &signature, llvm::raw_ostream &out) {
  int64_t planned = signature.workspaceSize - targets::kWorkspaceAlignmentSlack;
  int64_t bound = signature.workspaceLowerBound;
  out << "workspace: " << signature.workspaceSize << " bytes (" << planned
      << " planned + " << targets::kWorkspaceAlignmentSlack << " alignment slack)\n";
  out << "workspace lower bound: " << bound << " bytes (largest total of simultaneously live "
      << "intermediates); plan / bound = "
      << llvm::format("%.3f", bound ? double(planned) / double(bound) : 1.0) << "\n";
  if (!signature.strategies.empty()) {
    // One line per convolution or product the target chose for: the node, how it computes
    // it, and why.
    out << "strategies: " << signature.strategies.size()
        << " (convolutions and products, chosen by the target)\n";
    for (const auto &choice : signature.strategies)
      out << "  " << choice.node << ": " << choice.strategy << " (" << choice.why << ")\n";
  }
  if (signature.precisions.empty())
    return;
  // One line per product or convolution: the node, the format it computes in, and why.
  std::map<std::string, int> counts;
  for (const auto &choice : signature.precisions)
    ++counts[choice.format];
  out << "precision:";
  for (const auto &[format, count] : counts)
    out << " " << count << " " << format;
  out << " (products and convolutions)\n";
  for (const auto &choice : signature.precisions)
    out << "  " << choice.node << ": " << choice.format << " (" << choice.why << ")\n";
}

} // namespace dlc::driver
