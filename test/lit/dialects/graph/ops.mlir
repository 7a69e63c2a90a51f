// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// Round trip of every graph op: each prints in its custom assembly form and parses back.

// A constant carries its typed elements attribute.
// CHECK-LABEL: func.func @constant
// CHECK: %{{.+}} = graph.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %{{.+}} = graph.constant dense<3> : tensor<i64>
func.func @constant() -> (tensor<2xf32>, tensor<i64>) {
  %0 = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = graph.constant dense<3> : tensor<i64>
  return %0, %1 : tensor<2xf32>, tensor<i64>
}

// Binary ops print their operand and result types as a function type; operands broadcast.
// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<3xf32>, %[[C:.+]]: tensor<2x1xf32>
// CHECK: %[[ADD:.+]] = graph.add %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[SUB:.+]] = graph.sub %[[ADD]], %[[C]] : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
// CHECK: %[[MUL:.+]] = graph.mul %[[SUB]], %[[A]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: %[[DIV:.+]] = graph.div %[[MUL]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: %[[MAX:.+]] = graph.max %[[DIV]], %[[C]] : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
// CHECK: %[[MIN:.+]] = graph.min %[[MAX]], %[[A]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: graph.pow %[[MIN]], %[[C]] : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>) -> tensor<2x3xf32> {
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = graph.sub %0, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %2 = graph.mul %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = graph.div %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = graph.max %3, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  %5 = graph.min %4, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = graph.pow %5, %c : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
  return %6 : tensor<2x3xf32>
}

// Pow may raise to an exponent of another element type (ONNX Pow-12+).
// CHECK-LABEL: func.func @pow_int_exponent
// CHECK: graph.pow %{{.+}}, %{{.+}} : (tensor<4xf32>, tensor<i64>) -> tensor<4xf32>
func.func @pow_int_exponent(%x: tensor<4xf32>, %e: tensor<i64>) -> tensor<4xf32> {
  %0 = graph.pow %x, %e : (tensor<4xf32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Unary ops print only their result type.
// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.+]]: tensor<4xf32>, %[[I:.+]]: tensor<4xi32>)
// CHECK: %[[RELU:.+]] = graph.relu %[[X]] : tensor<4xf32>
// CHECK: %[[NEG:.+]] = graph.neg %[[RELU]] : tensor<4xf32>
// CHECK: %[[ABS:.+]] = graph.abs %[[NEG]] : tensor<4xf32>
// CHECK: %[[SIG:.+]] = graph.sigmoid %[[ABS]] : tensor<4xf32>
// CHECK: %[[TANH:.+]] = graph.tanh %[[SIG]] : tensor<4xf32>
// CHECK: %[[ERF:.+]] = graph.erf %[[TANH]] : tensor<4xf32>
// CHECK: %[[SQRT:.+]] = graph.sqrt %[[ERF]] : tensor<4xf32>
// CHECK: %[[EXP:.+]] = graph.exp %[[SQRT]] : tensor<4xf32>
// CHECK: graph.log %[[EXP]] : tensor<4xf32>
// CHECK: graph.relu %[[I]] : tensor<4xi32>
// CHECK: graph.neg %[[I]] : tensor<4xi32>
// CHECK: graph.abs %[[I]] : tensor<4xi32>
func.func @unary(%x: tensor<4xf32>, %i: tensor<4xi32>)
    -> (tensor<4xf32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %0 = graph.relu %x : tensor<4xf32>
  %1 = graph.neg %0 : tensor<4xf32>
  %2 = graph.abs %1 : tensor<4xf32>
  %3 = graph.sigmoid %2 : tensor<4xf32>
  %4 = graph.tanh %3 : tensor<4xf32>
  %5 = graph.erf %4 : tensor<4xf32>
  %6 = graph.sqrt %5 : tensor<4xf32>
  %7 = graph.exp %6 : tensor<4xf32>
  %8 = graph.log %7 : tensor<4xf32>
  %9 = graph.relu %i : tensor<4xi32>
  %10 = graph.neg %i : tensor<4xi32>
  %11 = graph.abs %i : tensor<4xi32>
  return %8, %9, %10, %11 : tensor<4xf32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// Clip's bounds are optional f64 attributes.
// CHECK-LABEL: func.func @clip
// CHECK: %[[BOTH:.+]] = graph.clip %{{.+}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<2x3xf32>
// CHECK: %[[LOW:.+]] = graph.clip %[[BOTH]] {min = -1.000000e+00 : f64} : tensor<2x3xf32>
// CHECK: %[[HIGH:.+]] = graph.clip %[[LOW]] {max = 2.500000e+00 : f64} : tensor<2x3xf32>
// CHECK: graph.clip %[[HIGH]] : tensor<2x3xf32>
func.func @clip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = graph.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
  %1 = graph.clip %0 {min = -1.0 : f64} : tensor<2x3xf32>
  %2 = graph.clip %1 {max = 2.5 : f64} : tensor<2x3xf32>
  %3 = graph.clip %2 : tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// Cast prints both types, `to` between them.
// CHECK-LABEL: func.func @cast
// CHECK: %[[I:.+]] = graph.cast %{{.+}} : tensor<2x3xf32> to tensor<2x3xi32>
// CHECK: graph.cast %[[I]] : tensor<2x3xi32> to tensor<2x3xi1>
func.func @cast(%x: tensor<2x3xf32>) -> tensor<2x3xi1> {
  %0 = graph.cast %x : tensor<2x3xf32> to tensor<2x3xi32>
  %1 = graph.cast %0 : tensor<2x3xi32> to tensor<2x3xi1>
  return %1 : tensor<2x3xi1>
}

// Unsigned integers (ONNX's uint8..uint64) are ui element types.
// CHECK-LABEL: func.func @unsigned
// CHECK: %[[MAX:.+]] = graph.max %{{.+}}, %{{.+}} : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
// CHECK: graph.cast %[[MAX]] : tensor<4xui8> to tensor<4xf32>
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<1xui8>) -> tensor<4xf32> {
  %0 = graph.max %a, %b : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
  %1 = graph.cast %0 : tensor<4xui8> to tensor<4xf32>
  return %1 : tensor<4xf32>
}

// MatMul contracts the last two dimensions and broadcasts the batch dimensions.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[MM:.+]] = graph.matmul %{{.+}}, %{{.+}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK: graph.matmul %{{.+}}, %{{.+}} : (tensor<5x1x2x3xf32>, tensor<7x3x4xf32>) -> tensor<5x7x2x4xf32>
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<5x1x2x3xf32>,
                  %d: tensor<7x3x4xf32>) -> (tensor<2x4xf32>, tensor<5x7x2x4xf32>) {
  %0 = graph.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = graph.matmul %c, %d : (tensor<5x1x2x3xf32>, tensor<7x3x4xf32>) -> tensor<5x7x2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<5x7x2x4xf32>
}

// Conv takes an optional bias; strides, dilations, pads and group are attributes.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[IN:.+]]: tensor<1x4x8x8xf32>, %[[W:.+]]: tensor<6x2x3x3xf32>, %[[BIAS:.+]]: tensor<6xf32>)
// CHECK: graph.conv %[[IN]], %[[W]], %[[BIAS]] {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
// CHECK: graph.conv %[[IN]], %[[W]] {dilations = array<i64: 2, 2>, group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>)
    -> (tensor<1x6x4x4xf32>, tensor<1x6x4x4xf32>) {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                              pads = array<i64: 1, 1, 1, 1>, group = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  %1 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 2, 2>,
                          pads = array<i64: 0, 0, 0, 0>, group = 2 : i64}
      : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0, %1 : tensor<1x6x4x4xf32>, tensor<1x6x4x4xf32>
}

// Pooling ops carry their window as attributes; a ceil-mode result has one more window.
// CHECK-LABEL: func.func @pool
// CHECK: graph.max_pool %{{.+}} {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
// CHECK: graph.max_pool %{{.+}} {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
// CHECK: graph.avg_pool %{{.+}} {count_include_pad = true, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x5x5xf32> -> tensor<1x3x5x5xf32>
func.func @pool(%x: tensor<1x3x5x5xf32>)
    -> (tensor<1x3x2x2xf32>, tensor<1x3x3x3xf32>, tensor<1x3x5x5xf32>) {
  %0 = graph.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                          dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : tensor<1x3x5x5xf32> -> tensor<1x3x2x2xf32>
  %1 = graph.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                          dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
  %2 = graph.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>,
                          dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
                          count_include_pad = true}
      : tensor<1x3x5x5xf32> -> tensor<1x3x5x5xf32>
  return %0, %1, %2 : tensor<1x3x2x2xf32>, tensor<1x3x3x3xf32>, tensor<1x3x5x5xf32>
}

// Reductions take sorted axes and keepdims.
// CHECK-LABEL: func.func @reduce
// CHECK: graph.reduce_sum %{{.+}} {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
// CHECK: graph.reduce_mean %{{.+}} {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
// CHECK: graph.reduce_max %{{.+}} {axes = array<i64: 0, 1, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
// CHECK: graph.reduce_min %{{.+}} {axes = array<i64: 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
// CHECK: graph.reduce_prod %{{.+}} {axes = array<i64: 0>, keepdims = true} : tensor<2x3x4xi64> -> tensor<1x3x4xi64>
func.func @reduce(%x: tensor<2x3x4xf32>, %i: tensor<2x3x4xi64>)
    -> (tensor<2x1x4xf32>, tensor<3xf32>, tensor<f32>, tensor<2x3xf32>, tensor<1x3x4xi64>) {
  %0 = graph.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %1 = graph.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  %2 = graph.reduce_max %x {axes = array<i64: 0, 1, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = graph.reduce_min %x {axes = array<i64: 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  %4 = graph.reduce_prod %i {axes = array<i64: 0>, keepdims = true} : tensor<2x3x4xi64> -> tensor<1x3x4xi64>
  return %0, %1, %2, %3, %4 : tensor<2x1x4xf32>, tensor<3xf32>, tensor<f32>, tensor<2x3xf32>, tensor<1x3x4xi64>
}

// Softmax normalizes along one non-negative axis.
// CHECK-LABEL: func.func @softmax
// CHECK: graph.softmax %{{.+}} {axis = 1 : i64} : tensor<2x3xf32>
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = graph.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Reshape and transpose print input and result types.
// CHECK-LABEL: func.func @reshape_transpose
// CHECK: %[[R:.+]] = graph.reshape %{{.+}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
// CHECK: graph.transpose %[[R]] {perm = array<i64: 1, 0>} : tensor<6x4xf32> -> tensor<4x6xf32>
func.func @reshape_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = graph.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = graph.transpose %0 {perm = array<i64: 1, 0>} : tensor<6x4xf32> -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// Concat is variadic and prints a function type of its inputs.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.+]]: tensor<2x3xf32>, %[[B:.+]]: tensor<2x5xf32>)
// CHECK: graph.concat %[[A]], %[[B]], %[[A]] {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x3xf32>) -> tensor<2x11xf32>
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x11xf32> {
  %0 = graph.concat %a, %b, %a {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>, tensor<2x3xf32>) -> tensor<2x11xf32>
  return %0 : tensor<2x11xf32>
}

// Slice has one start and one (possibly negative) step per dimension.
// CHECK-LABEL: func.func @slice
// CHECK: graph.slice %{{.+}} {starts = array<i64: 9, 1>, steps = array<i64: -3, 2>} : tensor<10x5xf32> -> tensor<4x2xf32>
func.func @slice(%x: tensor<10x5xf32>) -> tensor<4x2xf32> {
  %0 = graph.slice %x {starts = array<i64: 9, 1>, steps = array<i64: -3, 2>} : tensor<10x5xf32> -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// Gather takes i32 or i64 indices; their shape replaces the gathered axis.
// CHECK-LABEL: func.func @gather
// CHECK: graph.gather %{{.+}}, %{{.+}} {axis = 1 : i64} : (tensor<3x4x5xf32>, tensor<2x2xi64>) -> tensor<3x2x2x5xf32>
// CHECK: graph.gather %{{.+}}, %{{.+}} {axis = 0 : i64} : (tensor<3x4x5xf32>, tensor<i32>) -> tensor<4x5xf32>
func.func @gather(%x: tensor<3x4x5xf32>, %i: tensor<2x2xi64>, %j: tensor<i32>)
    -> (tensor<3x2x2x5xf32>, tensor<4x5xf32>) {
  %0 = graph.gather %x, %i {axis = 1 : i64} : (tensor<3x4x5xf32>, tensor<2x2xi64>) -> tensor<3x2x2x5xf32>
  %1 = graph.gather %x, %j {axis = 0 : i64} : (tensor<3x4x5xf32>, tensor<i32>) -> tensor<4x5xf32>
  return %0, %1 : tensor<3x2x2x5xf32>, tensor<4x5xf32>
}

// Scatters name their reduction; top_k gives the values and their int64 indices.
// CHECK-LABEL: func.func @scatter_top_k
// CHECK: graph.scatter_elements %{{.+}}, %{{.+}}, %{{.+}} {axis = 1 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<3x2xi32>, tensor<3x2xf32>) -> tensor<3x4xf32>
// CHECK: graph.scatter_nd %{{.+}}, %{{.+}}, %{{.+}} {reduction = "add"} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
// CHECK: graph.top_k %{{.+}} {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<3x4xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
func.func @scatter_top_k(%x: tensor<3x4xf32>, %i: tensor<3x2xi32>, %u: tensor<3x2xf32>,
                         %t: tensor<2x1xi64>, %v: tensor<2x4xf32>)
    -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x2xf32>, tensor<3x2xi64>) {
  %0 = graph.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<3x2xi32>, tensor<3x2xf32>) -> tensor<3x4xf32>
  %1 = graph.scatter_nd %x, %t, %v {reduction = "add"} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %2:2 = graph.top_k %x {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<3x4xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  return %0, %1, %2#0, %2#1 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x2xf32>, tensor<3x2xi64>
}
