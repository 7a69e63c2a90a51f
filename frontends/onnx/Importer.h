// The ONNX importer: a shape-inferred ModelProto becomes one func.func of graph-dialect ops,
// every op located at its ONNX node ("model.onnx", node name).
#ifndef DLC_FRONTENDS_ONNX_IMPORTER_H
#define DLC_FRONTENDS_ONNX_IMPORTER_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace dlc::onnx_frontend {

/// Argument and result attribute holding the ONNX name of a graph input or output.
inline constexpr llvm::StringLiteral kTensorNameAttr = "dlc.name";
/// On a graph function result whose size along one axis depends on the data: that axis. After
/// the outputs the function returns each such size once (a rank-0 int64 tensor), carrying
/// kSizeOfAttr, the indices of the outputs it measures.
inline constexpr llvm::StringLiteral kDataDependentAxisAttr = "dlc.data_dependent_axis";
inline constexpr llvm::StringLiteral kSizeOfAttr = "dlc.size_of";

/// How to import a model.
struct ImportOptions {
  /// The path the model was read from; it names the file in every location and diagnostic.
  std::string modelPath;
  /// The name of the generated function.
  std::string functionName = "main";
  /// With --precision=int8: the range each float tensor was calibrated to (dlc calibrate's
  /// table), by tensor name. A MatMul or Gemm of a calibrated input by constant weights is then
  /// computed on integers.
  std::map<std::string, std::pair<double, double>> calibratedRanges;
  /// With a precision plan (--precision=auto): each node's format (fp32, bf16 or int8) by node
  /// name (an unnamed node is OPTYPE_INDEX, its index in the graph). Only int8 nodes use their
  /// calibrated range; the plan is kept on the function as graph::kPrecisionPlanAttr, where
  /// dlc-choose-precision finds the bf16 ones.
  std::map<std::string, std::string> nodeFormats;
  /// Whether the target computes 8-bit products on integer kernels. Without them a QDQ model's
  /// Conv, MatMul and Gemm compute in fp32 on what DequantizeLinear gives them (as the model
  /// states it), which is faster than integer loops.
  bool integerKernels = true;
};

/// Imports `model` into a new module. On failure, diagnostics have been emitted through the
/// context's handler (each naming the file, node, op, opset and reason) and nullptr is returned.
mlir::OwningOpRef<mlir::ModuleOp> importModel(const onnx::ModelProto &model,
                                              mlir::MLIRContext &ctx,
                                              const ImportOptions &options);

/// The ONNX op types (default domain) the importer supports, sorted.
std::vector<std::string> supportedOps();

/// Names of graph inputs that feed operands which must be known at compile time (Reshape's
/// shape, Slice's bounds, axes, Clip's bounds, ...).
std::vector<std::string> inputsNeedingValues(const onnx::ModelProto &model);

/// The graph inputs a caller supplies, in graph order: those that are not also initializers
/// (older exporters list weights as inputs too).
std::vector<const onnx::ValueInfoProto *> runtimeInputs(const onnx::ModelProto &model);

/// The name diagnostics and precision plans give the node at `index` of a graph: its own, or
/// OPTYPE_INDEX when it has none.
std::string nodeName(const onnx::NodeProto &node, int64_t index);

/// The model's opset version of the default ONNX domain.
int64_t defaultOpset(const onnx::ModelProto &model);

} // namespace dlc::onnx_frontend

#endif
