// Unit tests of the C header writer: identifiers made from tensor names, and the macros and
// wrapper the artifact contract promises.
#include "targets/Common/HeaderWriter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include <catch2/catch.hpp>

using dlc::targets::makeCIdentifier;

TEST_CASE("tensor names become C identifiers", "[header]") {
  CHECK(makeCIdentifier("input.1", "x") == "input_1");
  CHECK(makeCIdentifier("0abc", "x") == "_0abc");
  CHECK(makeCIdentifier("int", "x") == "_int");
  CHECK(makeCIdentifier("", "fallback") == "fallback");
  CHECK(makeCIdentifier("a/b:c", "x") == "a_b_c");
}

TEST_CASE("the header declares the contract's macros and entry points", "[header]") {
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  dlc::targets::ModelSignature signature;
  signature.name = "net";
  signature.sourcePath = "net.onnx";
  signature.target = "host";
  signature.workspaceSize = 4160;
  signature.inputs.push_back({"pixel values", b.getF32Type(), {1, 3, 2, 2}});
  signature.inputs.push_back({"ids", b.getI64Type(), {4}});
  signature.outputs.push_back({"out", b.getF32Type(), {1, 10}});
  std::string header = dlc::targets::writeHeader(signature);

  CHECK_THAT(header, Catch::Contains("#define NET_WORKSPACE_SIZE 4160"));
  CHECK_THAT(header, Catch::Contains("#define NET_NUM_INPUTS 2"));
  CHECK_THAT(header, Catch::Contains("#define NET_INPUT_0_NAME \"pixel values\""));
  CHECK_THAT(header, Catch::Contains("#define NET_INPUT_0_SHAPE {1, 3, 2, 2}"));
  CHECK_THAT(header, Catch::Contains("#define NET_INPUT_0_BYTES 48"));
  CHECK_THAT(header, Catch::Contains("#define NET_INPUT_1_DTYPE \"int64\""));
  CHECK_THAT(header, Catch::Contains("#define NET_OUTPUT_0_NUMEL 10"));
  CHECK_THAT(header, Catch::Contains(
                         "int net_run(const void *const inputs[], void *const outputs[], "
                         "void *workspace);"));
  CHECK_THAT(header, Catch::Contains("int dlc_rt_set_num_threads(int count);"));
  CHECK_THAT(header, Catch::Contains("static inline int net_infer(const float *pixel_values, "
                                     "const int64_t *ids, float *out, void *workspace_)"));
}
