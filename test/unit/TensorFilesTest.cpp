// Unit tests of .npy writing and reading: a tensor written by dlc reads back with the same
// type, shape and bytes, and malformed files are rejected with a message.
#include "compiler/Driver/TensorFiles.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

namespace {

std::string temporaryPath(const char *suffix) {
  llvm::SmallString<128> path;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("dlc-unit", suffix, path));
  return std::string(path);
}

} // namespace

TEST_CASE(".npy files round-trip", "[npy]") {
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  dlc::targets::TensorSignature tensor{"y", b.getF32Type(), {2, 3}};
  std::vector<float> values = {1, -2, 3.5f, 4, 5, 6};
  std::vector<char> bytes(sizeof(float) * values.size());
  std::memcpy(bytes.data(), values.data(), bytes.size());
  std::string path = temporaryPath("npy");
  REQUIRE(!dlc::driver::writeNpy(path, tensor, bytes));

  auto read = dlc::driver::readTensorFile(path);
  REQUIRE(static_cast<bool>(read));
  CHECK(read->data_type() == onnx::TensorProto::FLOAT);
  REQUIRE(read->dims_size() == 2);
  CHECK(read->dims(0) == 2);
  CHECK(read->dims(1) == 3);
  CHECK(read->raw_data() == std::string(bytes.data(), bytes.size()));
  llvm::sys::fs::remove(path);
}

TEST_CASE("a file that is not .npy is rejected", "[npy]") {
  std::string path = temporaryPath("npy");
  std::ofstream(path) << "not numpy";
  auto read = dlc::driver::readTensorFile(path);
  REQUIRE(!read);
  CHECK_THAT(llvm::toString(read.takeError()), Catch::Contains("not a .npy file"));
  llvm::sys::fs::remove(path);
}

TEST_CASE("a long shape in the .npy header reads back", "[npy]") {
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  dlc::targets::TensorSignature tensor{"y", b.getF32Type(), {1, 1, 1000, 1, 1}};
  std::vector<char> bytes(4000, 0);
  std::string path = temporaryPath("npy");
  REQUIRE(!dlc::driver::writeNpy(path, tensor, bytes));
  auto read = dlc::driver::readTensorFile(path);
  REQUIRE(static_cast<bool>(read));
  REQUIRE(read->dims_size() == 5);
  CHECK(read->dims(2) == 1000);
  llvm::sys::fs::remove(path);
}
