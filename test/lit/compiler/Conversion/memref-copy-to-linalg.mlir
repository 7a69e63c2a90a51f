// RUN: dlc-opt %s --dlc-convert-memref-copy-to-linalg | FileCheck %s

// A copy into a strided view becomes linalg.copy (and later loops), not a runtime call.
// CHECK-LABEL: func.func @strided_copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.+}} : memref<3x8xf32>) outs(%{{.+}} : memref<3x8xf32, strided<[10, 1], offset: 11>>)
func.func @strided_copy(%a: memref<3x8xf32>, %b: memref<3x8xf32, strided<[10, 1], offset: 11>>) {
  memref.copy %a, %b : memref<3x8xf32> to memref<3x8xf32, strided<[10, 1], offset: 11>>
  return
}
