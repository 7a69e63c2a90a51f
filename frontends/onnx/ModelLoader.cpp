// Loads ONNX models and tensors with libonnx's protobuf classes, resolves external data and runs
// ONNX shape inference; every failure becomes an llvm::Error naming the file.
#include "frontends/onnx/ModelLoader.h"

#include "frontends/onnx/Tensors.h"

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

/// Exporters write an unknown dimension as a negative value or the name "?" (PaddlePaddle writes
/// -1x3x?x?) where ONNX leaves it without a value or name; such dimensions of the graph's inputs,
/// outputs and value infos become unknown, as ONNX means them (not one dimension named "?").
static void clearUnknownDimensions(onnx::GraphProto &graph) {
  auto clear = [](google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> &values) {
    for (onnx::ValueInfoProto &value : values) {
      if (!value.type().has_tensor_type() || !value.type().tensor_type().has_shape())
        continue;
      for (onnx::TensorShapeProto_Dimension &dim :
           *value.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim())
        if ((dim.has_dim_value() && dim.dim_value() < 0) ||
            (dim.has_dim_param() && dim.dim_param() == "?"))
          dim.Clear();
    }
  };
  clear(*graph.mutable_input());
  clear(*graph.mutable_output());
  clear(*graph.mutable_value_info());
}

llvm::Expected<onnx::ModelProto> readModel(const std::string &path) {
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
  clearUnknownDimensions(*model.mutable_graph());
  return model;
}

llvm::Error inferShapes(onnx::ModelProto &model, const std::string &path) {
  try {
    onnx::ShapeInferenceOptions options(/*check_type=*/false, /*strict_mode=*/1,
                                        /*data_prop=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    return fileError(path, std::string("ONNX shape inference failed: ") + e.what());
  }
  return llvm::Error::success();
}

/// "[1, 3, N]" for messages: values, or the symbol (or ?) of each dimension.
static std::string describeShape(const onnx::TensorShapeProto &shape) {
  std::string text = "[";
  for (int i = 0; i < shape.dim_size(); ++i) {
    const auto &dim = shape.dim(i);
    text += i ? ", " : "";
    text += dim.has_dim_value() ? std::to_string(dim.dim_value())
            : dim.dim_param().empty() ? "?" : dim.dim_param();
  }
  return text + "]";
}

/// Sets the dimensions of `input` to `dims`; its static dimensions must already equal them.
static llvm::Error fixInputShape(onnx::ValueInfoProto &input, llvm::ArrayRef<int64_t> dims,
                                 const std::string &path) {
  if (!input.type().has_tensor_type())
    return fileError(path, "graph input \"" + input.name() + "\" is not a tensor");
  auto *tensor = input.mutable_type()->mutable_tensor_type();
  std::string declared = describeShape(tensor->shape());
  auto mismatch = [&]() {
    std::string given;
    for (size_t i = 0; i < dims.size(); ++i)
      given += (i ? "x" : "") + std::to_string(dims[i]);
    return fileError(path, "graph input \"" + input.name() + "\" has shape " + declared +
                               ", which " + given + " does not fit");
  };
  if (tensor->has_shape() && tensor->shape().dim_size() != int(dims.size()))
    return mismatch();
  if (tensor->has_shape())
    for (size_t i = 0; i < dims.size(); ++i)
      if (tensor->shape().dim(i).has_dim_value() && tensor->shape().dim(i).dim_value() != dims[i])
        return mismatch();
  tensor->mutable_shape()->clear_dim();
  for (int64_t dim : dims)
    tensor->mutable_shape()->add_dim()->set_dim_value(dim);
  return llvm::Error::success();
}

llvm::Error bindInputs(onnx::ModelProto &model, const std::string &path,
                       const InputBindings &bindings) {
  auto *graph = model.mutable_graph();
  auto findInput = [&](const std::string &name) -> onnx::ValueInfoProto * {
    for (auto &input : *graph->mutable_input())
      if (input.name() == name)
        return &input;
    return nullptr;
  };
  auto noSuchInput = [&](const std::string &name) {
    std::string names;
    for (const auto &input : graph->input())
      names += (names.empty() ? "" : ", ") + input.name();
    return fileError(path, "the model has no graph input \"" + name + "\" (its inputs: " +
                               names + ")");
  };
  for (const auto &[name, dims] : bindings.shapes) {
    onnx::ValueInfoProto *input = findInput(name);
    if (!input)
      return noSuchInput(name);
    if (llvm::Error error = fixInputShape(*input, dims, path))
      return error;
  }
  for (const auto &[name, value] : bindings.values) {
    onnx::ValueInfoProto *input = findInput(name);
    if (!input)
      return noSuchInput(name);
    int32_t declared = input->type().tensor_type().elem_type();
    if (declared != value.data_type())
      return fileError(path, "graph input \"" + input->name() + "\" has element type " +
                                 onnxTypeName(declared) +
                                 ", but its value is " +
                                 onnxTypeName(value.data_type()));
    std::vector<int64_t> dims(value.dims().begin(), value.dims().end());
    if (llvm::Error error = fixInputShape(*input, dims, path))
      return error;
    onnx::TensorProto *initializer = nullptr;
    for (auto &existing : *graph->mutable_initializer())
      if (existing.name() == name)
        initializer = &existing;
    if (!initializer)
      initializer = graph->add_initializer();
    *initializer = value;
    initializer->set_name(name);
  }
  return llvm::Error::success();
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
