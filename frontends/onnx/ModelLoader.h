// Reading ONNX models: binary .onnx (with external-data files) or ONNX text (.onnxtxt), then
// ONNX's own shape inference. Errors come back as messages that name the file.
#ifndef DLC_FRONTENDS_ONNX_MODELLOADER_H
#define DLC_FRONTENDS_ONNX_MODELLOADER_H

#include "onnx/onnx_pb.h"

#include "llvm/Support/Error.h"

#include <string>

namespace dlc::onnx_frontend {

/// Loads `path` (binary protobuf, or ONNX text when it ends in .onnxtxt), resolves tensors stored
/// in external-data files next to it into raw_data, and runs ONNX shape inference.
llvm::Expected<onnx::ModelProto> loadModel(const std::string &path);

/// Parses one ONNX TensorProto file (the backend tests' input_N.pb).
llvm::Expected<onnx::TensorProto> loadTensorProto(const std::string &path);

} // namespace dlc::onnx_frontend

#endif
