// Reading ONNX models: binary .onnx (with external-data files) or ONNX text (.onnxtxt), then
// ONNX's own shape inference. Errors come back as messages that name the file.
#ifndef DLC_FRONTENDS_ONNX_MODELLOADER_H
#define DLC_FRONTENDS_ONNX_MODELLOADER_H

#include "onnx/onnx_pb.h"

#include "llvm/Support/Error.h"

#include <map>
#include <string>
#include <vector>

namespace dlc::onnx_frontend {

/// Reads `path` (binary protobuf, or ONNX text when it ends in .onnxtxt) and resolves tensors
/// stored in external-data files next to it into raw_data. Runs no shape inference.
llvm::Expected<onnx::ModelProto> readModel(const std::string &path);

/// Runs ONNX shape inference (strict, with data propagation) on `model`, read from `path`.
llvm::Error inferShapes(onnx::ModelProto &model, const std::string &path);

/// What is known about graph inputs before shape inference: the shapes of some (which replace
/// their symbolic dimensions) and the values of others (which become initializers, so shape
/// inference and the importer see constants).
struct InputBindings {
  std::map<std::string, std::vector<int64_t>> shapes;
  std::map<std::string, onnx::TensorProto> values;
};

/// Applies `bindings` to the graph inputs of `model` (read from `path`), before inferShapes.
/// Fails, naming the input, when an input does not exist, a rank differs, a static dimension
/// disagrees or a value's element type is not the input's.
llvm::Error bindInputs(onnx::ModelProto &model, const std::string &path,
                       const InputBindings &bindings);

/// Parses one ONNX TensorProto file (the backend tests' input_N.pb).
llvm::Expected<onnx::TensorProto> loadTensorProto(const std::string &path);

} // namespace dlc::onnx_frontend

#endif
