// .npy reading and writing (the numpy format's documented header: magic, version, a Python dict
// literal with descr/fortran_order/shape, padding) and TensorProto file reading.
#include "compiler/Driver/TensorFiles.h"

#include "frontends/onnx/ModelLoader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace dlc::driver {
namespace {

struct NpyType {
  const char *descr;
  int32_t onnxType;
};

constexpr NpyType kNpyTypes[] = {
    {"<f4", onnx::TensorProto::FLOAT},   {"<f8", onnx::TensorProto::DOUBLE},
    {"<f2", onnx::TensorProto::FLOAT16}, {"<i8", onnx::TensorProto::INT64},
    {"<i4", onnx::TensorProto::INT32},   {"<i2", onnx::TensorProto::INT16},
    {"|i1", onnx::TensorProto::INT8},    {"|b1", onnx::TensorProto::BOOL},
    {"|u1", onnx::TensorProto::UINT8},   {"<u2", onnx::TensorProto::UINT16},
    {"<u4", onnx::TensorProto::UINT32},  {"<u8", onnx::TensorProto::UINT64},
};

llvm::Error npyError(const std::string &path, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": " + message);
}

/// The text of `key`'s value in the header dict, up to the next top-level comma or brace.
std::string dictValue(llvm::StringRef header, llvm::StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == llvm::StringRef::npos)
    return {};
  llvm::StringRef rest = header.drop_front(at).split(':').second.ltrim();
  int depth = 0;
  size_t end = 0;
  for (; end < rest.size(); ++end) {
    char c = rest[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  return rest.take_front(end).trim().trim("'").str();
}

llvm::Expected<onnx::TensorProto> readNpy(const std::string &path, llvm::StringRef bytes) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return npyError(path, "not a .npy file");
  uint8_t major = bytes[6];
  size_t headerLength, offset;
  if (major == 1) {
    headerLength = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
    offset = 10;
  } else {
    if (bytes.size() < 12)
      return npyError(path, "truncated .npy header");
    headerLength = uint32_t(uint8_t(bytes[8])) | (uint32_t(uint8_t(bytes[9])) << 8) |
                   (uint32_t(uint8_t(bytes[10])) << 16) | (uint32_t(uint8_t(bytes[11])) << 24);
    offset = 12;
  }
  if (offset + headerLength > bytes.size())
    return npyError(path, "truncated .npy header");
  llvm::StringRef header = bytes.substr(offset, headerLength);
  std::string descr = dictValue(header, "descr");
  if (dictValue(header, "fortran_order") != "False")
    return npyError(path, "Fortran-ordered arrays are not supported");
  onnx::TensorProto tensor;
  const NpyType *type = nullptr;
  for (const NpyType &candidate : kNpyTypes)
    if (descr == candidate.descr)
      type = &candidate;
  if (!type)
    return npyError(path, "element type '" + descr + "' is not supported");
  tensor.set_data_type(type->onnxType);
  int64_t count = 1;
  std::string shape = dictValue(header, "shape");
  llvm::SmallVector<llvm::StringRef> dims;
  llvm::StringRef(shape).trim("()").split(dims, ',', -1, false);
  for (llvm::StringRef dim : dims) {
    int64_t value;
    if (dim.trim().getAsInteger(10, value))
      return npyError(path, "bad shape in the .npy header");
    tensor.add_dims(value);
    count *= value;
  }
  llvm::StringRef data = bytes.drop_front(offset + headerLength);
  int64_t width = std::max(1, int(llvm::StringRef(descr).drop_front(2).front() - '0'));
  if (int64_t(data.size()) < count * width)
    return npyError(path, "holds " + llvm::Twine(data.size()) + " data bytes, its shape needs " +
                              llvm::Twine(count * width));
  tensor.set_raw_data(data.data(), count * width);
  return tensor;
}

std::string npyDescr(mlir::Type type) {
  if (type.isF32()) return "<f4";
  if (type.isF64()) return "<f8";
  if (type.isF16()) return "<f2";
  if (type.isBF16()) return "<u2"; // numpy has no bfloat16: its bits as uint16
  if (type.isInteger(1)) return "|b1";
  const char *kind = type.isUnsignedInteger() ? "u" : "i";
  if (type.getIntOrFloatBitWidth() == 8) return std::string("|") + kind + "1";
  return std::string("<") + kind + std::to_string(type.getIntOrFloatBitWidth() / 8);
}

} // namespace

llvm::Expected<onnx::TensorProto> readTensorFile(const std::string &path) {
  if (!llvm::StringRef(path).ends_with(".npy"))
    return onnx_frontend::loadTensorProto(path);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return readNpy(path, (*buffer)->getBuffer());
}

llvm::Error writeNpy(const std::string &path, const targets::TensorSignature &tensor,
                     const std::vector<char> &bytes) {
  std::string shape;
  for (int64_t dim : tensor.shape)
    shape += std::to_string(dim) + ", ";
  if (tensor.shape.size() > 1)
    shape.resize(shape.size() - 2);
  std::string header = "{'descr': '" + npyDescr(tensor.elementType) +
                       "', 'fortran_order': False, 'shape': (" + shape + "), }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code error;
  llvm::raw_fd_ostream out(path, error, llvm::sys::fs::OF_None);
  if (error)
    return npyError(path, "cannot write: " + error.message());
  out << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff)
      << char(header.size() >> 8) << header;
  out.write(bytes.data(), bytes.size());
  return llvm::Error::success();
}

} // namespace dlc::driver
