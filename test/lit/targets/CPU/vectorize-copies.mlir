// RUN: dlc-opt %s --dlc-cpu-vectorize-copies --canonicalize --split-input-file | FileCheck %s

// A padded input's interior: 2 channels of 3 rows of 56 bytes into rows 58 bytes apart. Each
// row moves as one vector, read whole and written whole.
// CHECK-LABEL: func.func @interior
// CHECK: scf.for %[[C:.+]] = %c0 to %c2 step %c1 {
// CHECK:   scf.for %[[R:.+]] = %c0 to %c3 step %c1 {
// CHECK:     %[[ROW:.+]] = vector.transfer_read %arg0[%[[C]], %[[R]], %c0]{{.*}} {in_bounds = [true]} : memref<2x3x56xi8>, vector<56xi8>
// CHECK:     vector.transfer_write %[[ROW]], %arg1[%[[C]], %[[R]], %c0] {in_bounds = [true]} : vector<56xi8>, memref<2x3x56xi8, strided<[174, 58, 1], offset: 59>>
// CHECK-NOT: linalg.copy
func.func @interior(%x: memref<2x3x56xi8>, %y: memref<2x3x56xi8, strided<[174, 58, 1], offset: 59>>) {
  linalg.copy ins(%x : memref<2x3x56xi8>) outs(%y : memref<2x3x56xi8, strided<[174, 58, 1], offset: 59>>)
  return
}

// -----

// Rows longer than 256 bytes move 64 floats at a time, the rest (300 = 4 x 64 + 44) masked.
// CHECK-LABEL: func.func @long_rows
// CHECK: scf.for %[[R:.+]] = %c0 to %c2 step %c1 {
// CHECK:   scf.for %[[K:.+]] = %c0 to %c256 step %c64 {
// CHECK:     vector.transfer_read %arg0[%[[R]], %[[K]]]{{.*}} {in_bounds = [true]} : memref<2x300xf32, strided<[310, 1]>>, vector<64xf32>
// CHECK:   vector.transfer_read %arg0[%[[R]], %c256]{{.*}} : memref<2x300xf32, strided<[310, 1]>>, vector<64xf32>
// CHECK-NOT: in_bounds
// CHECK:   vector.transfer_write %{{.+}}, %arg1[%[[R]], %c256] : vector<64xf32>, memref<2x300xf32>
func.func @long_rows(%x: memref<2x300xf32, strided<[310, 1]>>, %y: memref<2x300xf32>) {
  linalg.copy ins(%x : memref<2x300xf32, strided<[310, 1]>>) outs(%y : memref<2x300xf32>)
  return
}

// -----

// A copy whose last dimension is strided (a transposed view) stays a linalg.copy.
// CHECK-LABEL: func.func @strided_rows
// CHECK: linalg.copy
// CHECK-NOT: vector.transfer_read
func.func @strided_rows(%x: memref<4x8xf32, strided<[1, 4]>>, %y: memref<4x8xf32>) {
  linalg.copy ins(%x : memref<4x8xf32, strided<[1, 4]>>) outs(%y : memref<4x8xf32>)
  return
}

// -----

// bf16 rows move in vectors of a power of two (LLVM selects no instructions for 34 bf16
// lanes): a row of 34 is 32 and the 2 left masked.
// CHECK-LABEL: func.func @bf16_rows
// CHECK: vector.transfer_read %arg0[%{{.+}}, %c0]{{.*}} {in_bounds = [true]} : memref<3x34xbf16, strided<[40, 1]>>, vector<32xbf16>
// CHECK: vector.transfer_read %arg0[%{{.+}}, %c32]{{.*}} : memref<3x34xbf16, strided<[40, 1]>>, vector<32xbf16>
// CHECK-NOT: in_bounds
// CHECK: vector.transfer_write %{{.+}}, %arg1[%{{.+}}, %c32] : vector<32xbf16>, memref<3x34xbf16>
func.func @bf16_rows(%x: memref<3x34xbf16, strided<[40, 1]>>, %y: memref<3x34xbf16>) {
  linalg.copy ins(%x : memref<3x34xbf16, strided<[40, 1]>>) outs(%y : memref<3x34xbf16>)
  return
}
