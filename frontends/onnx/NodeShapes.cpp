// One node's output types through ONNX's per-op inference functions, with inputs described by the
// importer's MLIR values: static shapes, element types and folded constants (see NodeShapes.h).
#include "frontends/onnx/NodeShapes.h"

#include "frontends/onnx/Tensors.h"

#include "onnx/defs/schema.h"
#include "onnx/defs/shape_inference.h"

#include "mlir/IR/BuiltinTypes.h"

namespace dlc::onnx_frontend {

namespace {

/// The ONNX data type of an MLIR element type, or UNDEFINED.
int32_t onnxDataType(mlir::Type type) {
  for (int32_t candidate = onnx::TensorProto::FLOAT; candidate <= onnx::TensorProto::BFLOAT16;
       ++candidate)
    if (mlir::Type known = elementType(candidate, type.getContext()); known && known == type)
      return candidate;
  return onnx::TensorProto::UNDEFINED;
}

/// An InferenceContext over the importer's knowledge of one node's inputs.
class KnownInputsContext final : public onnx::InferenceContext {
public:
  KnownInputsContext(const onnx::NodeProto &node, const std::vector<KnownInput> &inputs)
      : node_(node), types_(inputs.size()), data_(inputs.size()), known_(inputs.size()),
        outputs_(node.output_size()) {
    for (auto [i, input] : llvm::enumerate(inputs)) {
      auto tensor = input.value ? mlir::dyn_cast<mlir::RankedTensorType>(input.value.getType())
                                : mlir::RankedTensorType();
      if (!tensor)
        continue;
      onnx::TypeProto_Tensor *type = types_[i].mutable_tensor_type();
      type->set_elem_type(onnxDataType(tensor.getElementType()));
      onnx::TensorShapeProto *shape = type->mutable_shape(); // present even for a scalar
      for (int64_t dim : tensor.getShape())
        shape->add_dim()->set_dim_value(dim);
      known_[i] = true;
      if (!input.contents)
        continue;
      onnx::TensorProto &data = data_[i].emplace();
      data.set_data_type(type->elem_type());
      for (int64_t dim : tensor.getShape())
        data.add_dims(dim);
      std::vector<char> bytes = attrToBytes(*input.contents);
      data.set_raw_data(bytes.data(), bytes.size());
    }
  }

  const onnx::AttributeProto *getAttribute(const std::string &name) const override {
    for (const onnx::AttributeProto &attribute : node_.attribute())
      if (attribute.name() == name)
        return &attribute;
    return nullptr;
  }
  size_t getNumInputs() const override { return types_.size(); }
  const onnx::TypeProto *getInputType(size_t index) const override {
    return index < known_.size() && known_[index] ? &types_[index] : nullptr;
  }
  const onnx::TensorProto *getInputData(size_t index) const override {
    return index < data_.size() && data_[index] ? &*data_[index] : nullptr;
  }
  size_t getNumOutputs() const override { return outputs_.size(); }
  onnx::TypeProto *getOutputType(size_t index) override { return &outputs_[index]; }
  onnx::GraphInferencer *getGraphAttributeInferencer(const std::string &) override {
    ONNX_THROW("subgraphs are not inferred node by node");
  }
  const onnx::SparseTensorProto *getInputSparseData(size_t) const override { return nullptr; }
  const onnx::TensorShapeProto *getSymbolicInput(size_t) const override { return nullptr; }

  std::vector<onnx::TypeProto> takeOutputs() { return std::move(outputs_); }

private:
  const onnx::NodeProto &node_;
  std::vector<onnx::TypeProto> types_;
  std::vector<std::optional<onnx::TensorProto>> data_;
  std::vector<bool> known_;
  std::vector<onnx::TypeProto> outputs_;
};

} // namespace

llvm::Expected<std::vector<onnx::TypeProto>>
inferNodeOutputTypes(const onnx::NodeProto &node, int64_t opset,
                     const std::vector<KnownInput> &inputs) {
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node.op_type(), int(opset), node.domain());
  if (!schema || !schema->has_type_and_shape_inference_function())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "ONNX has no shape inference for it");
  KnownInputsContext context(node, inputs);
  try {
    schema->GetTypeAndShapeInferenceFunction()(context);
  } catch (const std::exception &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), e.what());
  }
  return context.takeOutputs();
}

} // namespace dlc::onnx_frontend
