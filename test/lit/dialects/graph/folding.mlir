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

// -----

// Shape arithmetic as exporters write it: broadcasting integer ops, a negation, a slice, a
// concat and a gather of constants all become one constant.
// CHECK-LABEL: func.func @shape_arithmetic
// CHECK-NEXT: %[[C:.+]] = graph.constant dense<[4, 2, 1, 4]> : tensor<4xi64>
// CHECK-NEXT: return %[[C]]
func.func @shape_arithmetic() -> tensor<4xi64> {
  %shape = graph.constant dense<[2, 3, 4]> : tensor<3xi64>
  %rank = graph.constant dense<3> : tensor<i64>
  %axis = graph.constant dense<[2]> : tensor<1xi64>
  %prefix = graph.slice %shape {starts = array<i64: 2>, steps = array<i64: -2>} : tensor<3xi64> -> tensor<2xi64>
  %reduced = graph.sub %rank, %axis : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %neg = graph.neg %axis : tensor<1xi64>
  %minus_one = graph.add %reduced, %neg : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %idx = graph.constant dense<[-2]> : tensor<1xi64>
  %mid = graph.gather %shape, %idx {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %one = graph.div %mid, %mid : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %sum = graph.sub %mid, %minus_one : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %r = graph.concat %prefix, %one, %sum {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// -----

// Casts fold with graph.cast's rules: floats truncate toward zero, bools compare with zero.
// CHECK-LABEL: func.func @cast_constants
// CHECK-DAG: graph.constant dense<[-1, 2, 0]> : tensor<3xi32>
// CHECK-DAG: graph.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-NOT: graph.cast
func.func @cast_constants() -> (tensor<3xi32>, tensor<3xi1>) {
  %c = graph.constant dense<[-1.5, 2.75, 0.0]> : tensor<3xf32>
  %i = graph.cast %c : tensor<3xf32> to tensor<3xi32>
  %b = graph.cast %c : tensor<3xf32> to tensor<3xi1>
  return %i, %b : tensor<3xi32>, tensor<3xi1>
}

// -----

// Integer division by zero is left to run time; float products broadcast.
// CHECK-LABEL: func.func @no_fold_division_by_zero
// CHECK-DAG: graph.div
// CHECK-DAG: graph.constant dense<{{\[}}[2.000000e+00, 4.000000e+00], [6.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
func.func @no_fold_division_by_zero() -> (tensor<2xi32>, tensor<2x2xf32>) {
  %a = graph.constant dense<[4, 5]> : tensor<2xi32>
  %z = graph.constant dense<[2, 0]> : tensor<2xi32>
  %d = graph.div %a, %z : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %f = graph.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %two = graph.constant dense<2.0> : tensor<f32>
  %m = graph.mul %f, %two : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  return %d, %m : tensor<2xi32>, tensor<2x2xf32>
}

// -----

// Comparisons of constants fold, broadcasting like the other binary ops: signed and unsigned
// integers order by their signedness, and a NaN compares false (even to itself).
// CHECK-LABEL: func.func @compare_constants
// CHECK-DAG: graph.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-DAG: graph.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG: graph.constant dense<[false, true]> : tensor<2xi1>
// CHECK-DAG: graph.constant dense<[true, false]> : tensor<2xi1>
// CHECK-DAG: graph.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-NOT: graph.equal
// CHECK-NOT: graph.less
// CHECK-NOT: graph.greater
func.func @compare_constants() -> (tensor<3xi1>, tensor<3xi1>, tensor<2xi1>, tensor<2xi1>, tensor<3xi1>) {
  %a = graph.constant dense<[1, 2, 3]> : tensor<3xi64>
  %two = graph.constant dense<2> : tensor<i64>
  %eq = graph.equal %a, %two : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %lt = graph.less %a, %two : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %s = graph.constant dense<[-1, 1]> : tensor<2xi8>
  %u = graph.constant dense<[1, 255]> : tensor<2xui8>
  %zero = graph.constant dense<0> : tensor<i8>
  %half = graph.constant dense<128> : tensor<ui8>
  %sgt = graph.greater %s, %zero : (tensor<2xi8>, tensor<i8>) -> tensor<2xi1>
  %ugt = graph.less %u, %half : (tensor<2xui8>, tensor<ui8>) -> tensor<2xi1>
  %f = graph.constant dense<[1.0, 2.0, 0x7FC00000]> : tensor<3xf32>
  %g = graph.constant dense<[1.0, 3.0, 0x7FC00000]> : tensor<3xf32>
  %le = graph.less_equal %f, %g : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  return %eq, %lt, %sgt, %ugt, %le : tensor<3xi1>, tensor<3xi1>, tensor<2xi1>, tensor<2xi1>, tensor<3xi1>
}

// -----

// Quantizing what a dequantize of the same parameters produced is the integers themselves
// (with other parameters it is a requantization: @requantization_of_dequantize below).
// CHECK-LABEL: func.func @quantize_of_dequantize
// CHECK-NEXT: return %arg0
func.func @quantize_of_dequantize(%q: tensor<4xui8>) -> tensor<4xui8> {
  %x = graph.dequantize %q by !quant.uniform<u8:f32, 5.000000e-01:10> : tensor<4xui8> -> tensor<4xf32>
  %same = graph.quantize %x by !quant.uniform<u8:f32, 5.000000e-01:10> : tensor<4xf32> -> tensor<4xui8>
  return %same : tensor<4xui8>
}

// -----

// Dequantized constants fold per axis: row 0 by 0.25 less zero point 2, row 1 by 0.5 less -1.
// CHECK-LABEL: func.func @dequantize_constant
// CHECK: %[[X:.+]] = graph.constant dense<{{\[\[}}-5.000000e-01, 0.000000e+00, 2.500000e-01], [1.000000e+00, -6.350000e+01, 6.400000e+01]]> : tensor<2x3xf32>
// CHECK: return %[[X]]
func.func @dequantize_constant() -> tensor<2x3xf32> {
  %q = graph.constant dense<[[0, 2, 3], [1, -128, 127]]> : tensor<2x3xi8>
  %x = graph.dequantize %q by !quant.uniform<i8:f32:0, {2.500000e-01:2, 5.000000e-01:-1}> : tensor<2x3xi8> -> tensor<2x3xf32>
  return %x : tensor<2x3xf32>
}

// -----

// A requantization folds into the scaling before it: quantize(y * a + b) by (2, 5) becomes
// quantize(y * (a / 2) + (b / 2 + 5)) by a scale of 1, the quotients computed here.
// CHECK-LABEL: func.func @requantization
// CHECK-DAG: %[[A:.+]] = graph.constant dense<{{\[\[\[}}2.500000e-01]], {{\[\[}}5.000000e-01]]]> : tensor<2x1x1xf32>
// CHECK-DAG: %[[B:.+]] = graph.constant dense<{{\[\[\[}}5.500000e+00]], {{\[\[}}4.500000e+00]]]> : tensor<2x1x1xf32>
// CHECK: %[[F:.+]] = graph.cast %arg0 : tensor<1x2x3x3xi32> to tensor<1x2x3x3xf32>
// CHECK: %[[M:.+]] = graph.mul %[[F]], %[[A]]
// CHECK: %[[S:.+]] = graph.add %[[M]], %[[B]]
// CHECK: graph.quantize %[[S]] by !quant.uniform<u8:f32, 1.000000e+00> : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xui8>
// CHECK-NOT: graph.div
func.func @requantization(%acc: tensor<1x2x3x3xi32>) -> tensor<1x2x3x3xui8> {
  %a = graph.constant dense<[[[0.5]], [[1.0]]]> : tensor<2x1x1xf32>
  %b = graph.constant dense<[[[1.0]], [[-1.0]]]> : tensor<2x1x1xf32>
  %f = graph.cast %acc : tensor<1x2x3x3xi32> to tensor<1x2x3x3xf32>
  %m = graph.mul %f, %a : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = graph.add %m, %b : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %q = graph.quantize %y by !quant.uniform<u8:f32, 2.0:5> : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xui8>
  return %q : tensor<1x2x3x3xui8>
}

// -----

// A dequantize per tensor is (q - zq) * sq: requantized by another scale, q times 0.5 / 0.25
// less 10 times that, plus the zero point, 10: q * 2 - 10, one multiply and one add. A value
// already in units (scale 1) is left as it is.
// CHECK-LABEL: func.func @requantization_of_dequantize
// CHECK-DAG: %[[TWO:.+]] = graph.constant dense<2.000000e+00> : tensor<f32>
// CHECK-DAG: %[[SHIFT:.+]] = graph.constant dense<-1.000000e+01> : tensor<f32>
// CHECK: %[[F:.+]] = graph.cast %arg0 : tensor<4xui8> to tensor<4xf32>
// CHECK-NOT: graph.sub
// CHECK: %[[M:.+]] = graph.mul %[[F]], %[[TWO]]
// CHECK: %[[S:.+]] = graph.add %[[M]], %[[SHIFT]]
// CHECK: %[[Q:.+]] = graph.quantize %[[S]] by !quant.uniform<u8:f32, 1.000000e+00>
// CHECK: %[[U:.+]] = graph.quantize %arg1 by !quant.uniform<u8:f32, 1.000000e+00>
// CHECK: return %[[Q]], %[[U]]
func.func @requantization_of_dequantize(%q: tensor<4xui8>, %units: tensor<4xf32>) -> (tensor<4xui8>, tensor<4xui8>) {
  %x = graph.dequantize %q by !quant.uniform<u8:f32, 5.000000e-01:10> : tensor<4xui8> -> tensor<4xf32>
  %r = graph.quantize %x by !quant.uniform<u8:f32, 2.500000e-01:10> : tensor<4xf32> -> tensor<4xui8>
  %u = graph.quantize %units by !quant.uniform<u8:f32, 1.000000e+00> : tensor<4xf32> -> tensor<4xui8>
  return %r, %u : tensor<4xui8>, tensor<4xui8>
}

// -----

// A residual sum of two dequantized tensors, requantized: each operand is scaled by its own
// scale over the result's (0.25 / 0.5 and 1 / 0.5), as onnxruntime's QLinearAdd does, with no
// division left, and the zero points join one constant: 3 - 7 * 2 = -11.
// CHECK-LABEL: func.func @requantization_of_residual
// CHECK-DAG: %[[HALF:.+]] = graph.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG: %[[TWO:.+]] = graph.constant dense<2.000000e+00> : tensor<f32>
// CHECK-DAG: %[[SHIFT:.+]] = graph.constant dense<-1.100000e+01> : tensor<f32>
// CHECK: %[[A:.+]] = graph.cast %arg0 : tensor<4xi8> to tensor<4xf32>
// CHECK: %[[AS:.+]] = graph.mul %[[A]], %[[HALF]]
// CHECK: %[[B:.+]] = graph.cast %arg1 : tensor<4xui8> to tensor<4xf32>
// CHECK-NOT: graph.sub
// CHECK: %[[BS:.+]] = graph.mul %[[B]], %[[TWO]]
// CHECK: %[[BSHIFT:.+]] = graph.add %[[BS]], %[[SHIFT]]
// CHECK: %[[SUM:.+]] = graph.add %[[AS]], %[[BSHIFT]]
// CHECK: graph.quantize %[[SUM]] by !quant.uniform<u8:f32, 1.000000e+00>
// CHECK-NOT: graph.div
func.func @requantization_of_residual(%a: tensor<4xi8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %x = graph.dequantize %a by !quant.uniform<i8:f32, 2.500000e-01> : tensor<4xi8> -> tensor<4xf32>
  %y = graph.dequantize %b by !quant.uniform<u8:f32, 1.000000e+00:7> : tensor<4xui8> -> tensor<4xf32>
  %s = graph.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q = graph.quantize %s by !quant.uniform<u8:f32, 5.000000e-01:3> : tensor<4xf32> -> tensor<4xui8>
  return %q : tensor<4xui8>
}
