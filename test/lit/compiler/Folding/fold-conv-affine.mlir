// RUN: dlc-opt %s --dlc-fold-conv-affine --split-input-file | FileCheck %s

// A per-channel scale then shift (BatchNormalization as imported) folds into the filter and
// bias: W' = W * a per filter, b' = b * a + t.
// CHECK-LABEL: func.func @scale_shift
// CHECK-DAG: %[[W:.+]] = graph.constant dense<{{\[}}[{{\[}}[2.000000e+00]]], {{\[}}[{{\[}}-3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.+]] = graph.constant dense<[2.500000e+00, -6.000000e+00]> : tensor<2xf32>
// CHECK: %[[C:.+]] = graph.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: graph.mul
// CHECK-NOT: graph.add
// CHECK: return %[[C]]
func.func @scale_shift(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = graph.constant dense<1.0> : tensor<2x1x1x1xf32>
  %b = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %a = graph.constant dense<[[[2.0]], [[-3.0]]]> : tensor<2x1x1xf32>
  %t = graph.constant dense<[[[0.5]], [[0.0]]]> : tensor<2x1x1xf32>
  %c = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %s = graph.mul %c, %a : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = graph.add %s, %t : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A scale that varies along a spatial dimension is not per-channel and stays.
// CHECK-LABEL: func.func @spatial_scale
// CHECK: graph.conv
// CHECK: graph.mul
func.func @spatial_scale(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = graph.constant dense<1.0> : tensor<1x1x1x1xf32>
  %a = graph.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %c = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %s = graph.mul %c, %a : (tensor<1x1x2x2xf32>, tensor<2x1xf32>) -> tensor<1x1x2x2xf32>
  return %s : tensor<1x1x2x2xf32>
}

// -----

// A conv whose result is also used elsewhere keeps its weights.
// CHECK-LABEL: func.func @shared_conv
// CHECK: %[[C:.+]] = graph.conv
// CHECK: graph.mul %[[C]]
// CHECK: return %{{.+}}, %[[C]]
func.func @shared_conv(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %w = graph.constant dense<1.0> : tensor<1x1x1x1xf32>
  %a = graph.constant dense<3.0> : tensor<f32>
  %c = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %s = graph.mul %c, %a : (tensor<1x1x2x2xf32>, tensor<f32>) -> tensor<1x1x2x2xf32>
  return %s, %c : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// The folded convolution is located at its own node first (the name precision plans and
// diagnostics use), then at the folded op's.
// RUN: dlc-opt %s --dlc-fold-conv-affine --split-input-file --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC
// LOC-LABEL: func.func @located
// LOC: graph.conv {{.+}} loc(#[[FUSED:.+]])
// LOC-DAG: #[[CONV:.+]] = loc("conv_node")
// LOC-DAG: #[[ADD:.+]] = loc("add_node")
// LOC-DAG: #[[FUSED]] = loc(fused[#[[CONV]], #[[ADD]]])
func.func @located(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = graph.constant dense<1.0> : tensor<2x1x1x1xf32>
  %t = graph.constant dense<[[[0.5]], [[0.0]]]> : tensor<2x1x1xf32>
  %c = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32> loc("conv_node")
  %y = graph.add %c, %t : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("add_node")
  return %y : tensor<1x2x4x4xf32>
}
