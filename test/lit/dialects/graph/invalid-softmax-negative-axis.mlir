// RUN: dlc-opt %s --verify-diagnostics
// A negative softmax axis is rejected with the value the verifier saw.
//
// XFAIL: *
// Known bug: SoftmaxOp::verify compares getAxis() (I64Attr, returned as uint64_t) without
// converting it to int64_t, so axis = -1 is reported as "axis 18446744073709551615".

// Softmax's axis is non-negative; the importer normalizes ONNX's negative axes.
func.func @softmax_negative_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.softmax' op axis -1 is out of range for rank 2}}
  %0 = graph.softmax %x {axis = -1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
