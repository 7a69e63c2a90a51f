// ONNX TensorProto <-> MLIR DenseElementsAttr and element-type mapping.
// Raw data is little-endian row-major; typed fields are widened per the ONNX spec.
#include "frontends/onnx/Tensors.h"

#include "mlir/IR/Builders.h"

namespace dlc::onnx_frontend {

using namespace mlir;

Type elementType(int32_t onnxType, MLIRContext *ctx) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT: return b.getF32Type();
  case onnx::TensorProto::DOUBLE: return b.getF64Type();
  case onnx::TensorProto::FLOAT16: return b.getF16Type();
  case onnx::TensorProto::BFLOAT16: return b.getBF16Type();
  case onnx::TensorProto::INT8: return b.getIntegerType(8);
  case onnx::TensorProto::INT16: return b.getIntegerType(16);
  case onnx::TensorProto::INT32: return b.getIntegerType(32);
  case onnx::TensorProto::INT64: return b.getIntegerType(64);
  case onnx::TensorProto::BOOL: return b.getI1Type();
  case onnx::TensorProto::UINT8: return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16: return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32: return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64: return b.getIntegerType(64, /*isSigned=*/false);
  default: return {};
  }
}

std::string onnxTypeName(int32_t onnxType) {
  if (onnx::TensorProto::DataType_IsValid(onnxType))
    return onnx::TensorProto::DataType_Name(onnx::TensorProto::DataType(onnxType));
  return "type " + std::to_string(onnxType);
}

std::string onnxTypeName(Type type) {
  for (int32_t onnxType = onnx::TensorProto::DataType_MIN;
       onnxType <= onnx::TensorProto::DataType_MAX; ++onnxType)
    if (onnx::TensorProto::DataType_IsValid(onnxType) &&
        elementType(onnxType, type.getContext()) == type)
      return onnxTypeName(onnxType);
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

int64_t onnxTypeBytes(int32_t onnxType) {
  switch (onnxType) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8: return 1;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16: return 2;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32: return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::COMPLEX64: return 8;
  case onnx::TensorProto::COMPLEX128: return 16;
  default: return 0;
  }
}

int64_t storageBytes(Type type) {
  return std::max<int64_t>(1, int64_t(type.getIntOrFloatBitWidth()) / 8);
}

namespace {

llvm::Error tensorError(const onnx::TensorProto &tensor, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "tensor \"" + tensor.name() + "\": " + message);
}

/// Copies typed-field values into the dense little-endian layout of `type`.
template <typename Field>
std::vector<char> packField(const Field &values, Type type) {
  int64_t width = storageBytes(type);
  std::vector<char> bytes(values.size() * width);
  for (int i = 0; i < values.size(); ++i) {
    char *dest = bytes.data() + i * width;
    if (type.isF32()) {
      float v = float(values[i]);
      std::memcpy(dest, &v, 4);
    } else if (type.isF64()) {
      double v = double(values[i]);
      std::memcpy(dest, &v, 8);
    } else {
      // Integers and the bit patterns of f16/bf16 (stored in int32_data).
      uint64_t v = uint64_t(int64_t(values[i]));
      std::memcpy(dest, &v, width);
    }
  }
  return bytes;
}

} // namespace

llvm::Expected<DenseElementsAttr> tensorToAttr(const onnx::TensorProto &tensor, MLIRContext *ctx) {
  Type element = elementType(tensor.data_type(), ctx);
  if (!element)
    return tensorError(tensor, "element type " + onnxTypeName(tensor.data_type()) +
                                   " is not supported");
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return tensorError(tensor, "external data was not resolved");
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  auto type = RankedTensorType::get(shape, element);
  int64_t count = type.getNumElements();
  int64_t width = storageBytes(element);

  std::vector<char> bytes;
  if (tensor.has_raw_data()) {
    bytes.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else if (element.isF32()) {
    bytes = packField(tensor.float_data(), element);
  } else if (element.isF64()) {
    bytes = packField(tensor.double_data(), element);
  } else if (element.isSignlessInteger(64)) {
    bytes = packField(tensor.int64_data(), element);
  } else if (element.isUnsignedInteger(32) || element.isUnsignedInteger(64)) {
    bytes = packField(tensor.uint64_data(), element);
  } else {
    bytes = packField(tensor.int32_data(), element);
  }
  if (int64_t(bytes.size()) != count * width)
    return tensorError(tensor, "holds " + llvm::Twine(bytes.size()) + " bytes, its shape needs " +
                                   llvm::Twine(count * width));
  if (element.isInteger(1)) {
    SmallVector<bool> values;
    for (char byte : bytes)
      values.push_back(byte != 0);
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  return DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(bytes.data(), bytes.size()));
}

std::vector<char> attrToBytes(DenseElementsAttr attr) {
  Type element = attr.getElementType();
  int64_t count = attr.getNumElements();
  if (element.isInteger(1)) {
    std::vector<char> bytes;
    for (bool value : attr.getValues<bool>())
      bytes.push_back(value ? 1 : 0);
    return bytes;
  }
  int64_t width = storageBytes(element);
  ArrayRef<char> raw = attr.getRawData();
  std::vector<char> bytes(count * width);
  if (attr.isSplat()) {
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(bytes.data() + i * width, raw.data(), width);
  } else {
    std::memcpy(bytes.data(), raw.data(), bytes.size());
  }
  return bytes;
}

std::vector<int64_t> attrToInts(DenseElementsAttr attr) {
  std::vector<int64_t> values;
  for (const APInt &value : attr.getValues<APInt>())
    values.push_back(value.getSExtValue());
  return values;
}

} // namespace dlc::onnx_frontend
