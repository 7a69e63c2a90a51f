// RUN: dlc-opt %s --dlc-choose-precision=precision=bf16 --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dlc-choose-precision --split-input-file | FileCheck %s --check-prefix=FP32

// A product with constant f32 weights takes bf16 operands and keeps its f32 result: the weights
// are rounded to nearest bf16 at compile time (1.00390625 = 1 + 2^-8 is a tie between 1 and
// 1 + 2^-7 and goes to the even 1; 1.01171875 rounds up to 1.015625, printed 1.01563), the lhs is cast.
// CHECK-LABEL: func.func @weights
// CHECK-DAG: %[[W:.+]] = graph.constant dense<{{\[}}[1.000000e+00, 1.015630e+00]]> : tensor<1x2xbf16>
// CHECK-DAG: %[[X:.+]] = graph.cast %{{.+}} : tensor<4x1xf32> to tensor<4x1xbf16>
// CHECK: graph.matmul %[[X]], %[[W]] : (tensor<4x1xbf16>, tensor<1x2xbf16>) -> tensor<4x2xf32>
// FP32-LABEL: func.func @weights
// FP32: graph.matmul %{{.+}}, %{{.+}} : (tensor<4x1xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
func.func @weights(%x: tensor<4x1xf32>) -> tensor<4x2xf32> {
  %w = graph.constant dense<[[1.00390625, 1.01171875]]> : tensor<1x2xf32>
  %y = graph.matmul %x, %w : (tensor<4x1xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// A product of two activations (attention's scores) stays in fp32.
// CHECK-LABEL: func.func @activations
// CHECK-NOT: bf16
// CHECK: graph.matmul %{{.+}}, %{{.+}} : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
func.func @activations(%q: tensor<4x8xf32>, %k: tensor<8x4xf32>) -> tensor<4x4xf32> {
  %y = graph.matmul %q, %k : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// A depthwise convolution (group = channels = filters) takes bf16 input and filters too; a
// grouped one with two channels per group stays fp32.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[X:.+]] = graph.cast %arg0 : tensor<1x4x5x5xf32> to tensor<1x4x5x5xbf16>
// CHECK: graph.conv %[[X]], %{{.+}} {{.+}} : (tensor<1x4x5x5xbf16>, tensor<4x1x3x3xbf16>) -> tensor<1x4x3x3xf32>
// CHECK: graph.conv %arg0, %{{.+}} {{.+}} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
func.func @depthwise(%x: tensor<1x4x5x5xf32>) -> (tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) {
  %w = graph.constant dense<0.5> : tensor<4x1x3x3xf32>
  %y = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 4 : i64} : (tensor<1x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
  %v = graph.constant dense<0.5> : tensor<4x2x3x3xf32>
  %z = graph.conv %x, %v {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %y, %z : tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>
}
