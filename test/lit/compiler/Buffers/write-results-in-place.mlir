// RUN: dlc-opt %s --dlc-write-results-in-place --split-input-file | FileCheck %s

// A depthwise convolution's result, computed with its group dimension and collapsed: the
// buffer becomes the output viewed in that shape, and the copy at the end disappears.
// CHECK-LABEL: func.func @collapsed
// CHECK-SAME: (%[[X:.*]]: memref<2x3xf32>, %[[OUT:.*]]: memref<2x3xf32>)
// CHECK: %[[V:.*]] = memref.expand_shape %[[OUT]] {{\[\[}}0], [1, 2]] output_shape [2, 3, 1]
// CHECK-NOT: memref.alloc
// CHECK: memref.copy %{{.*}}, %[[V]] : memref<2x3x1xf32> to memref<2x3x1xf32>
// CHECK-NOT: memref.copy
// CHECK: return
func.func @collapsed(%x: memref<2x3xf32>, %out: memref<2x3xf32>) {
  %a = memref.alloc() : memref<2x3x1xf32>
  %e = memref.expand_shape %x [[0], [1, 2]] output_shape [2, 3, 1]
      : memref<2x3xf32> into memref<2x3x1xf32>
  memref.copy %e, %a : memref<2x3x1xf32> to memref<2x3x1xf32>
  %c = memref.collapse_shape %a [[0], [1, 2]] : memref<2x3x1xf32> into memref<2x3xf32>
  memref.copy %c, %out : memref<2x3xf32> to memref<2x3xf32>
  return
}

// -----

// Two reshapes: each is inverted, the last one first.
// CHECK-LABEL: func.func @two_reshapes
// CHECK-SAME: %[[OUT:[^:]*]]: memref<6xf32>
// CHECK: %[[A:.*]] = memref.expand_shape %[[OUT]] {{\[\[}}0, 1]] output_shape [2, 3]
// CHECK: %[[B:.*]] = memref.expand_shape %[[A]] {{\[\[}}0], [1, 2]] output_shape [2, 3, 1]
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[B]] : memref<2x3x1xf32>)
// CHECK-NOT: memref.copy
func.func @two_reshapes(%x: f32, %out: memref<6xf32>) {
  %a = memref.alloc() : memref<2x3x1xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<2x3x1xf32>)
  %c = memref.collapse_shape %a [[0], [1, 2]] : memref<2x3x1xf32> into memref<2x3xf32>
  %d = memref.collapse_shape %c [[0, 1]] : memref<2x3xf32> into memref<6xf32>
  memref.copy %d, %out : memref<6xf32> to memref<6xf32>
  return
}

// -----

// The same value in two outputs: the buffer is still read after the first copy, so the second
// output is the one computed in place, and the first is copied from it.
// CHECK-LABEL: func.func @twice
// CHECK-SAME: (%{{.*}}: f32, %[[OUT0:.*]]: memref<4xf32>, %[[OUT1:.*]]: memref<4xf32>)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[OUT1]] : memref<4xf32>)
// CHECK-NEXT: memref.copy %[[OUT1]], %[[OUT0]]
func.func @twice(%x: f32, %out0: memref<4xf32>, %out1: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<4xf32>)
  memref.copy %a, %out0 : memref<4xf32> to memref<4xf32>
  memref.copy %a, %out1 : memref<4xf32> to memref<4xf32>
  return
}

// -----

// The buffer is read after the copy: it keeps its own memory.
// CHECK-LABEL: func.func @read_after
// CHECK: memref.alloc
// CHECK: memref.copy
func.func @read_after(%x: f32, %out: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<4xf32>
  linalg.fill ins(%x : f32) outs(%a : memref<4xf32>)
  memref.copy %a, %out : memref<4xf32> to memref<4xf32>
  %v = memref.load %a[%c0] : memref<4xf32>
  return %v : f32
}

// -----

// A copy of an input (the model returns its input) or of a strided view is left alone.
// CHECK-LABEL: func.func @not_fresh
// CHECK-COUNT-2: memref.copy
func.func @not_fresh(%x: memref<4xf32>, %out0: memref<4xf32>, %out1: memref<2xf32>) {
  memref.copy %x, %out0 : memref<4xf32> to memref<4xf32>
  %a = memref.alloc() : memref<4xf32>
  %s = memref.subview %a[0] [2] [2] : memref<4xf32> to memref<2xf32, strided<[2]>>
  memref.copy %s, %out1 : memref<2xf32, strided<[2]>> to memref<2xf32>
  return
}
