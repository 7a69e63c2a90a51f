// RUN: dlc-opt %s --dlc-lower-quantization --split-input-file | FileCheck %s

// Dequantization per tensor: (cast(q) - zero point) * scale, in the expressed type.
// CHECK-LABEL: func.func @dequantize_per_tensor
// CHECK: %[[WIDE:.+]] = graph.cast %arg0 : tensor<2x4xui8> to tensor<2x4xf32>
// CHECK: %[[ZERO:.+]] = graph.constant dense<1.280000e+02> : tensor<f32>
// CHECK: %[[CENTERED:.+]] = graph.sub %[[WIDE]], %[[ZERO]] : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
// CHECK: %[[SCALE:.+]] = graph.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[X:.+]] = graph.mul %[[CENTERED]], %[[SCALE]] : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
// CHECK: return %[[X]]
func.func @dequantize_per_tensor(%q: tensor<2x4xui8>) -> tensor<2x4xf32> {
  %x = graph.dequantize %q by !quant.uniform<u8:f32, 5.000000e-01:128> : tensor<2x4xui8> -> tensor<2x4xf32>
  return %x : tensor<2x4xf32>
}

// -----

// Per axis (axis 0 of [2, 4]): the scales shaped [2, 1] to broadcast along it; zero points of 0
// are left out.
// CHECK-LABEL: func.func @dequantize_per_axis
// CHECK: %[[WIDE:.+]] = graph.cast %arg0 : tensor<2x4xi8> to tensor<2x4xf32>
// CHECK-NOT: graph.sub
// CHECK: %[[SCALES:.+]] = graph.constant dense<{{\[\[}}2.500000e-01], [1.000000e-01]]> : tensor<2x1xf32>
// CHECK: graph.mul %[[WIDE]], %[[SCALES]] : (tensor<2x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
func.func @dequantize_per_axis(%q: tensor<2x4xi8>) -> tensor<2x4xf32> {
  %x = graph.dequantize %q by !quant.uniform<i8:f32:0, {2.500000e-01, 1.000000e-01}> : tensor<2x4xi8> -> tensor<2x4xf32>
  return %x : tensor<2x4xf32>
}

// -----

// Quantization as ONNX's QuantizeLinear: divided by the scale, rounded half to even, shifted by
// the zero point, saturated to the storage range before the conversion.
// CHECK-LABEL: func.func @quantize_per_tensor
// CHECK: %[[SCALE:.+]] = graph.constant dense<2.500000e-01> : tensor<f32>
// CHECK: %[[DIVIDED:.+]] = graph.div %arg0, %[[SCALE]]
// CHECK: %[[ROUNDED:.+]] = graph.round %[[DIVIDED]] : tensor<3xf32>
// CHECK: %[[ZERO:.+]] = graph.constant dense<-3.000000e+00> : tensor<f32>
// CHECK: %[[SHIFTED:.+]] = graph.add %[[ROUNDED]], %[[ZERO]]
// CHECK: %[[CLIPPED:.+]] = graph.clip %[[SHIFTED]] {max = 1.270000e+02 : f64, min = -1.280000e+02 : f64} : tensor<3xf32>
// CHECK: graph.cast %[[CLIPPED]] : tensor<3xf32> to tensor<3xi8>
func.func @quantize_per_tensor(%x: tensor<3xf32>) -> tensor<3xi8> {
  %q = graph.quantize %x by !quant.uniform<i8:f32, 2.500000e-01:-3> : tensor<3xf32> -> tensor<3xi8>
  return %q : tensor<3xi8>
}

// -----

// A value already in the integers' units (a scale of 1, zero point 0): rounded and saturated.
// CHECK-LABEL: func.func @quantize_units
// CHECK-NOT: graph.div
// CHECK: %[[ROUNDED:.+]] = graph.round %arg0
// CHECK-NOT: graph.add
// CHECK: %[[CLIPPED:.+]] = graph.clip %[[ROUNDED]] {max = 2.550000e+02 : f64, min = 0.000000e+00 : f64}
// CHECK: graph.cast %[[CLIPPED]] : tensor<3xf32> to tensor<3xui8>
func.func @quantize_units(%x: tensor<3xf32>) -> tensor<3xui8> {
  %q = graph.quantize %x by !quant.uniform<u8:f32, 1.000000e+00> : tensor<3xf32> -> tensor<3xui8>
  return %q : tensor<3xui8>
}
