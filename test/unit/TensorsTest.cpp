// Unit tests of ONNX tensor conversion: raw and typed-field storage give the same attribute,
// bools are unpacked from bytes, and a size mismatch is an error rather than a bad read.
#include "frontends/onnx/Tensors.h"

#include "mlir/IR/MLIRContext.h"

#include <catch2/catch.hpp>

TEST_CASE("typed fields and raw data convert to the same values", "[tensors]") {
  mlir::MLIRContext context;
  onnx::TensorProto typed, raw;
  for (onnx::TensorProto *t : {&typed, &raw}) {
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(3);
  }
  for (int64_t v : {int64_t(7), int64_t(-1), int64_t(1) << 40})
    typed.add_int64_data(v);
  int64_t values[] = {7, -1, 1LL << 40};
  raw.set_raw_data(reinterpret_cast<const char *>(values), sizeof(values));

  auto a = dlc::onnx_frontend::tensorToAttr(typed, &context);
  auto b = dlc::onnx_frontend::tensorToAttr(raw, &context);
  REQUIRE(static_cast<bool>(a));
  REQUIRE(static_cast<bool>(b));
  CHECK(*a == *b);
  CHECK(dlc::onnx_frontend::attrToInts(*a) == std::vector<int64_t>{7, -1, 1LL << 40});
}

TEST_CASE("bools are stored one byte each", "[tensors]") {
  mlir::MLIRContext context;
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::BOOL);
  t.add_dims(3);
  t.set_raw_data(std::string("\x01\x00\x01", 3));
  auto attr = dlc::onnx_frontend::tensorToAttr(t, &context);
  REQUIRE(static_cast<bool>(attr));
  CHECK(dlc::onnx_frontend::attrToBytes(*attr) == std::vector<char>{1, 0, 1});
}

TEST_CASE("data that does not fill the shape is an error", "[tensors]") {
  mlir::MLIRContext context;
  onnx::TensorProto t;
  t.set_name("w");
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(4);
  t.add_float_data(1.0f);
  auto attr = dlc::onnx_frontend::tensorToAttr(t, &context);
  REQUIRE(!attr);
  CHECK_THAT(llvm::toString(attr.takeError()), Catch::Contains("tensor \"w\""));
}
