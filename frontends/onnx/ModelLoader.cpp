// Loads ONNX models and tensors with libonnx's protobuf classes, resolves external data and runs
// ONNX shape inference; every failure becomes an llvm::Error naming the file.
#include "frontends/onnx/ModelLoader.h"

#include "onnx/defs/parser.h"
#include "onnx/shape_inference/implementation.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace dlc::onnx_frontend {
namespace {

llvm::Error fileError(const std::string &path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": " + message);
}

/// Reads the bytes a TensorProto keeps in an external file into its raw_data.
llvm::Error resolveExternalData(onnx::TensorProto &tensor, const std::string &modelPath) {
  std::string location;
  uint64_t offset = 0, length = 0;
  bool hasLength = false;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::stoull(entry.value());
    else if (entry.key() == "length")
      length = std::stoull(entry.value()), hasLength = true;
  }
  if (location.empty() || llvm::sys::path::is_absolute(location) ||
      llvm::StringRef(location).contains(".."))
    return fileError(modelPath, "tensor \"" + tensor.name() +
                                    "\" has an invalid external-data location \"" + location + "\"");
  llvm::SmallString<256> dataPath(llvm::sys::path::parent_path(modelPath));
  llvm::sys::path::append(dataPath, location);
  auto buffer = llvm::MemoryBuffer::getFile(dataPath, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(modelPath, "cannot read external data \"" + std::string(dataPath) +
                                    "\" of tensor \"" + tensor.name() +
                                    "\": " + buffer.getError().message());
  uint64_t size = (*buffer)->getBufferSize();
  if (!hasLength)
    length = size - std::min(offset, size);
  if (offset + length > size)
    return fileError(modelPath, "external data of tensor \"" + tensor.name() + "\" needs bytes [" +
                                    llvm::Twine(offset) + ", " + llvm::Twine(offset + length) +
                                    ") but \"" + std::string(dataPath) + "\" has " +
                                    llvm::Twine(size));
  tensor.set_raw_data((*buffer)->getBufferStart() + offset, length);
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return llvm::Error::success();
}

llvm::Error resolveGraphExternalData(onnx::GraphProto &graph, const std::string &path) {
  for (auto &tensor : *graph.mutable_initializer())
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
      if (llvm::Error error = resolveExternalData(tensor, path))
        return error;
  for (auto &node : *graph.mutable_node())
    for (auto &attr : *node.mutable_attribute()) {
      if (attr.has_t() && attr.t().data_location() == onnx::TensorProto::EXTERNAL)
        if (llvm::Error error = resolveExternalData(*attr.mutable_t(), path))
          return error;
      if (attr.has_g())
        if (llvm::Error error = resolveGraphExternalData(*attr.mutable_g(), path))
          return error;
    }
  return llvm::Error::success();
}

} // namespace

llvm::Expected<onnx::ModelProto> loadModel(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/true);
  if (!buffer)
    return fileError(path, "cannot read the model: " + buffer.getError().message());
  onnx::ModelProto model;
  if (llvm::StringRef(path).ends_with(".onnxtxt")) {
    auto status = onnx::OnnxParser::Parse(model, (*buffer)->getBufferStart());
    if (!status.IsOK())
      return fileError(path, "not valid ONNX text: " + status.ErrorMessage());
  } else if (!model.ParseFromArray((*buffer)->getBufferStart(),
                                   int((*buffer)->getBufferSize()))) {
    return fileError(path, "not a valid ONNX model (the protobuf is truncated or corrupt)");
  }
  if (!model.has_graph())
    return fileError(path, "the model has no graph");
  if (llvm::Error error = resolveGraphExternalData(*model.mutable_graph(), path))
    return std::move(error);
  try {
    onnx::ShapeInferenceOptions options(/*check_type=*/false, /*strict_mode=*/1,
                                        /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    return fileError(path, std::string("ONNX shape inference failed: ") + e.what());
  }
  return model;
}

llvm::Expected<onnx::TensorProto> loadTensorProto(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fileError(path, "cannot read the tensor: " + buffer.getError().message());
  onnx::TensorProto tensor;
  if (!tensor.ParseFromArray((*buffer)->getBufferStart(), int((*buffer)->getBufferSize())))
    return fileError(path, "not a valid ONNX TensorProto");
  return tensor;
}

} // namespace dlc::onnx_frontend
