// RUN: dlc-opt %s --dlc-cpu-pack-constant-operands --split-input-file | FileCheck %s

#lhs = affine_map<(m, k, n) -> (m, k)>
#rhs = affine_map<(m, k, n) -> (k, n)>
#out = affine_map<(m, k, n) -> (m, n)>

// A constant [K=2, N=64] rhs is repacked into panels [2, 2, 32]: panel p holds columns
// 32p..32p+31 of every row, so element (k, n) moves to (n / 32, k, n % 32).
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d1, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-LABEL: func.func @panels
// CHECK: %[[PACKED:.+]] = arith.constant dense<{{.+}}> : tensor<2x2x32xf32>
// CHECK: %[[SPLIT:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2]] output_shape [4, 2, 32] : tensor<4x64xf32> into tensor<4x2x32xf32>
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
// CHECK-SAME: ins(%{{.+}}, %[[PACKED]] : tensor<4x2xf32>, tensor<2x2x32xf32>) outs(%[[SPLIT]] : tensor<4x2x32xf32>)
// CHECK: tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2]] : tensor<4x2x32xf32> into tensor<4x64xf32>
func.func @panels(%a: tensor<4x2xf32>, %c: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %b = arith.constant dense<1.0> : tensor<2x64xf32>
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<4x2xf32>, tensor<2x64xf32>) outs(%c : tensor<4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}

// -----

// The packed values: row 0 of panel 1 is B[0, 32..63].
// CHECK-LABEL: func.func @packed_values
// CHECK: arith.constant dense<{{\[}}{{\[}}[0.000000e+00, 1.000000e+00, {{.+}}3.100000e+01]], {{\[}}[3.200000e+01, {{.+}}6.300000e+01]]]> : tensor<2x1x32xf32>
func.func @packed_values(%a: tensor<4x1xf32>, %c: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0]]> : tensor<1x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<4x1xf32>, tensor<1x64xf32>) outs(%c : tensor<4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}

// -----

// A rhs that is not a constant is left as it is.
// CHECK-LABEL: func.func @not_constant
// CHECK-NOT: tensor.expand_shape
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<4x2xf32>, tensor<2x64xf32>)
func.func @not_constant(%a: tensor<4x2xf32>, %b: tensor<2x64xf32>, %c: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<4x2xf32>, tensor<2x64xf32>) outs(%c : tensor<4x64xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x64xf32>
  return %r : tensor<4x64xf32>
}

// -----

// A result indexed [columns, rows] (a transposed product): the column dimension of the result is
// split into (panel, column) where it stands, before the rows.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d1, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3, d0)>
// CHECK-LABEL: func.func @transposed_result
// CHECK: %[[SPLIT:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2]] output_shape [2, 32, 4] : tensor<64x4xf32> into tensor<2x32x4xf32>
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
// CHECK-SAME: outs(%[[SPLIT]] : tensor<2x32x4xf32>)
// CHECK: tensor.collapse_shape %[[R]] {{\[}}[0, 1], [2]] : tensor<2x32x4xf32> into tensor<64x4xf32>
func.func @transposed_result(%a: tensor<4x2xf32>, %c: tensor<64x4xf32>) -> tensor<64x4xf32> {
  %b = arith.constant dense<1.0> : tensor<2x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (n, m)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<4x2xf32>, tensor<2x64xf32>) outs(%c : tensor<64x4xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x4xf32>
  return %r : tensor<64x4xf32>
}

// -----

// 60 columns, which 32-column panels do not divide: the constant is packed into two panels,
// the second holding columns 32..59 and 4 zero columns; the product runs on an init padded to
// 64 zero-extended columns, and the result is its first 60.
// CHECK-LABEL: func.func @padded_panels
// CHECK: %[[PACKED:.+]] = arith.constant dense<{{\[}}{{\[}}[0.000000e+00, 1.000000e+00, {{.+}}3.100000e+01]], {{\[}}[3.200000e+01, {{.+}}5.900000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]> : tensor<2x1x32xf32>
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0] high[0, 4]
// CHECK: tensor.yield %{{.+}} : f32
// CHECK: } : tensor<4x60xf32> to tensor<4x64xf32>
// CHECK: %[[SPLIT:.+]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1, 2]] output_shape [4, 2, 32] : tensor<4x64xf32> into tensor<4x2x32xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[PACKED]] : tensor<4x1xf32>, tensor<2x1x32xf32>) outs(%[[SPLIT]] : tensor<4x2x32xf32>)
// CHECK: %[[WHOLE:.+]] = tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2]] : tensor<4x2x32xf32> into tensor<4x64xf32>
// CHECK: %[[SLICE:.+]] = tensor.extract_slice %[[WHOLE]][0, 0] [4, 60] [1, 1] : tensor<4x64xf32> to tensor<4x60xf32>
// CHECK: return %[[SLICE]]
func.func @padded_panels(%a: tensor<4x1xf32>, %c: tensor<4x60xf32>) -> tensor<4x60xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0]]> : tensor<1x60xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<4x1xf32>, tensor<1x60xf32>) outs(%c : tensor<4x60xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x60xf32>
  return %r : tensor<4x60xf32>
}

// -----

// 40 columns would be 64 with padding, 24 of them (more than an eighth) wasted: the constant
// stays as it is.
// CHECK-LABEL: func.func @wasteful_padding
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<4x1xf32>, tensor<1x40xf32>) outs(%{{.+}} : tensor<4x40xf32>)
func.func @wasteful_padding(%a: tensor<4x1xf32>, %c: tensor<4x40xf32>) -> tensor<4x40xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0]]> : tensor<1x40xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<4x1xf32>, tensor<1x40xf32>) outs(%c : tensor<4x40xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x40xf32>
  return %r : tensor<4x40xf32>
}
