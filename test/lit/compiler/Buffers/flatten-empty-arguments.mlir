// RUN: dlc-opt %s --dlc-flatten-empty-arguments --split-input-file | FileCheck %s

// An unused argument with a zero dimension becomes a rank-1 empty buffer; the others keep
// their types.
// CHECK-LABEL: func.func @unused_empty
// CHECK-SAME: (%{{.*}}: memref<0xi64>, %{{.*}}: memref<0xf32>, %{{.*}}: memref<4xf32>)
func.func @unused_empty(%x: memref<3x0x5xi64>, %y: memref<0x2xf32>, %w: memref<4xf32>) {
  return
}

// -----

// An empty argument that is still used is left alone.
// CHECK-LABEL: func.func @used_empty
// CHECK-SAME: (%{{.*}}: memref<3x0xf32>)
func.func @used_empty(%x: memref<3x0xf32>) {
  %c0 = arith.constant 0 : index
  %d = memref.dim %x, %c0 : memref<3x0xf32>
  return
}
