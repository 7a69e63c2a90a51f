// RUN: dlc-opt %s --dlc-choose-precision=precision=mixed | FileCheck %s
// RUN: not dlc-opt %s --dlc-choose-precision=precision=fp16 2>&1 | FileCheck %s --check-prefix=BAD

// With precision=mixed, only the products whose node (their location's name) the function's
// dlc.precision_plan names bf16 take bf16 operands; "first" is planned fp32 and "third" is not
// in the plan. The report says why each computes as it does.
// CHECK-LABEL: func.func @plan
// CHECK-SAME: dlc.precisions = ["first\09fp32\09the precision plan's choice", "second\09bf16\09the precision plan's choice", "third\09fp32\09not in the precision plan"]
// CHECK: graph.matmul %{{.+}}, %{{.+}} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
// CHECK: %[[X:.+]] = graph.cast %{{.+}} : tensor<4x2xf32> to tensor<4x2xbf16>
// CHECK: graph.matmul %[[X]], %{{.+}} : (tensor<4x2xbf16>, tensor<2x2xbf16>) -> tensor<4x2xf32>
// CHECK: graph.matmul %{{.+}}, %{{.+}} : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
// BAD: unknown precision 'fp16' (fp32, bf16, int8 or mixed)
func.func @plan(%x: tensor<4x2xf32>) -> tensor<4x2xf32>
    attributes {dlc.precision_plan = {first = "fp32", second = "bf16"}} {
  %w = graph.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %a = graph.matmul %x, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32> loc("first")
  %b = graph.matmul %a, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32> loc("second")
  %c = graph.matmul %b, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32> loc("third")
  return %c : tensor<4x2xf32>
}
