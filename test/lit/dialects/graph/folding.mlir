// RUN: dlc-opt %s --canonicalize --split-input-file | FileCheck %s

// A transposed constant is transposed at compile time.
// CHECK-LABEL: func.func @transpose_constant
// CHECK: %[[C:.+]] = graph.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NOT: graph.transpose
// CHECK: return %[[C]]
func.func @transpose_constant() -> tensor<3x2xf32> {
  %c = graph.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %t = graph.transpose %c {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %t : tensor<3x2xf32>
}

// -----

// A rank-3 permutation moves every element to its permuted index.
// CHECK-LABEL: func.func @transpose_rank3
// CHECK: graph.constant dense<{{\[}}{{\[}}[0, 4], [1, 5]], {{\[}}[2, 6], [3, 7]]]> : tensor<2x2x2xi32>
func.func @transpose_rank3() -> tensor<2x2x2xi32> {
  %c = graph.constant dense<[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]> : tensor<2x2x2xi32>
  %t = graph.transpose %c {perm = array<i64: 1, 2, 0>} : tensor<2x2x2xi32> -> tensor<2x2x2xi32>
  return %t : tensor<2x2x2xi32>
}

// -----

// The identity permutation folds away; a non-constant transpose stays.
// CHECK-LABEL: func.func @transpose_identity
// CHECK-NEXT: %[[T:.+]] = graph.transpose %arg0 {perm = array<i64: 1, 0>}
// CHECK-NEXT: return %arg0, %[[T]]
func.func @transpose_identity(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %i = graph.transpose %x {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %t = graph.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %i, %t : tensor<2x3xf32>, tensor<3x2xf32>
}

// -----

// Reshapes of constants fold, and chains of reshapes collapse into one.
// CHECK-LABEL: func.func @reshapes
// CHECK-DAG: graph.constant dense<{{\[}}[1, 2, 3, 4]]> : tensor<1x4xi64>
// CHECK-DAG: graph.reshape %arg0 : tensor<2x6xf32> -> tensor<12xf32>
// CHECK-NOT: graph.reshape %{{[0-9]+}}
func.func @reshapes(%x: tensor<2x6xf32>) -> (tensor<1x4xi64>, tensor<12xf32>) {
  %c = graph.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %r = graph.reshape %c : tensor<2x2xi64> -> tensor<1x4xi64>
  %a = graph.reshape %x : tensor<2x6xf32> -> tensor<3x4xf32>
  %b = graph.reshape %a : tensor<3x4xf32> -> tensor<12xf32>
  return %r, %b : tensor<1x4xi64>, tensor<12xf32>
}
