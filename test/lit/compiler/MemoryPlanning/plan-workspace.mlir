// RUN: dlc-opt %s --dlc-plan-workspace --split-input-file | FileCheck %s

// Buffers whose live ranges do not overlap share an offset; overlapping ones do not.
// %a dies once %b is computed, so %c reuses %a's bytes; %b stays live until the copy to %out.
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: %{{.+}}: memref<4xf32>, %{{.+}}: memref<4xf32>, %[[WS:.+]]: memref<128xi8>)
// CHECK-SAME: dlc.workspace_lower_bound = 32 : i64, dlc.workspace_size = 128 : i64
// CHECK-NOT: memref.alloc
// CHECK: memref.view %[[WS]][%c0][] : memref<128xi8> to memref<4xf32>
// CHECK: memref.view %[[WS]][%c64][] : memref<128xi8> to memref<4xf32>
// CHECK: memref.view %[[WS]][%c0_{{[0-9]+}}][] : memref<128xi8> to memref<4xf32>
// CHECK-NOT: memref.dealloc
func.func @reuse(%in: memref<4xf32>, %out: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %in, %a : memref<4xf32> to memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  memref.copy %a, %b : memref<4xf32> to memref<4xf32>
  %c = memref.alloc() : memref<4xf32>
  memref.copy %b, %c : memref<4xf32> to memref<4xf32>
  memref.copy %b, %out : memref<4xf32> to memref<4xf32>
  memref.copy %c, %out : memref<4xf32> to memref<4xf32>
  memref.dealloc %c : memref<4xf32>
  return
}

// -----

// A use through a view keeps the underlying buffer alive.
// CHECK-LABEL: func.func @view_keeps_alive
// CHECK: memref.view %{{.+}}[%c0][] : memref<128xi8> to memref<2x2xf32>
// CHECK: memref.view %{{.+}}[%c64][] : memref<128xi8> to memref<4xf32>
func.func @view_keeps_alive(%in: memref<4xf32>, %out: memref<4xf32>) {
  %a = memref.alloc() : memref<2x2xf32>
  %flat = memref.collapse_shape %a [[0, 1]] : memref<2x2xf32> into memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  memref.copy %in, %b : memref<4xf32> to memref<4xf32>
  memref.copy %b, %flat : memref<4xf32> to memref<4xf32>
  memref.copy %flat, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// A function without allocations still gets a (minimal) workspace argument.
// CHECK-LABEL: func.func @nothing
// CHECK-SAME: memref<64xi8>
// CHECK-SAME: dlc.workspace_size = 64
func.func @nothing(%in: memref<4xf32>, %out: memref<4xf32>) {
  memref.copy %in, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// Four residual blocks, as in ResNet-50: x(i) (3 units of 64 bytes) is alive while the block
// makes r(i)a (1 unit), col(i) (7 units, the im2col buffer), r(i)b (1 unit) and x(i+1). At most
// 11 units are live at once (x + r + col). Lowest-offset placement, in any of its orders,
// needs 14: the next x lands where the next col must go. Placing within 11 units, each buffer
// at the bottom or the top of a free gap, finds a plan at the bound.
// CHECK-LABEL: func.func @residual_chain
// CHECK-SAME: dlc.workspace_lower_bound = 704 : i64, dlc.workspace_size = 704 : i64
func.func @residual_chain(%in: memref<48xf32>, %out: memref<48xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %x0 = memref.alloc() {alignment = 64 : i64} : memref<48xf32>
  memref.copy %in, %x0 : memref<48xf32> to memref<48xf32>
  %r0a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %v3 = memref.load %x0[%c0] : memref<48xf32>
  memref.store %v3, %r0a[%c0] : memref<16xf32>
  %col0 = memref.alloc() {alignment = 64 : i64} : memref<112xf32>
  %v6 = memref.load %r0a[%c0] : memref<16xf32>
  memref.store %v6, %col0[%c0] : memref<112xf32>
  %r0b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %v9 = memref.load %col0[%c0] : memref<112xf32>
  memref.store %v9, %r0b[%c0] : memref<16xf32>
  %x1 = memref.alloc() {alignment = 64 : i64} : memref<48xf32>
  %v12 = memref.load %r0b[%c0] : memref<16xf32>
  memref.store %v12, %x1[%c0] : memref<48xf32>
  %v14 = memref.load %x0[%c1] : memref<48xf32>
  memref.store %v14, %x1[%c1] : memref<48xf32>
  %r1a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %v17 = memref.load %x1[%c0] : memref<48xf32>
  memref.store %v17, %r1a[%c0] : memref<16xf32>
  %col1 = memref.alloc() {alignment = 64 : i64} : memref<112xf32>
  %v20 = memref.load %r1a[%c0] : memref<16xf32>
  memref.store %v20, %col1[%c0] : memref<112xf32>
  %r1b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %v23 = memref.load %col1[%c0] : memref<112xf32>
  memref.store %v23, %r1b[%c0] : memref<16xf32>
  %x2 = memref.alloc() {alignment = 64 : i64} : memref<48xf32>
  %v26 = memref.load %r1b[%c0] : memref<16xf32>
  memref.store %v26, %x2[%c0] : memref<48xf32>
  %v28 = memref.load %x1[%c1] : memref<48xf32>
  memref.store %v28, %x2[%c1] : memref<48xf32>
  %r2a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %v31 = memref.load %x2[%c0] : memref<48xf32>
  memref.store %v31, %r2a[%c0] : memref<16xf32>
  %col2 = memref.alloc() {alignment = 64 : i64} : memref<112xf32>
  %v34 = memref.load %r2a[%c0] : memref<16xf32>
  memref.store %v34, %col2[%c0] : memref<112xf32>
  %r2b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %v37 = memref.load %col2[%c0] : memref<112xf32>
  memref.store %v37, %r2b[%c0] : memref<16xf32>
  %x3 = memref.alloc() {alignment = 64 : i64} : memref<48xf32>
  %v40 = memref.load %r2b[%c0] : memref<16xf32>
  memref.store %v40, %x3[%c0] : memref<48xf32>
  %v42 = memref.load %x2[%c1] : memref<48xf32>
  memref.store %v42, %x3[%c1] : memref<48xf32>
  %r3a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %v45 = memref.load %x3[%c0] : memref<48xf32>
  memref.store %v45, %r3a[%c0] : memref<16xf32>
  %col3 = memref.alloc() {alignment = 64 : i64} : memref<112xf32>
  %v48 = memref.load %r3a[%c0] : memref<16xf32>
  memref.store %v48, %col3[%c0] : memref<112xf32>
  %r3b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  %v51 = memref.load %col3[%c0] : memref<112xf32>
  memref.store %v51, %r3b[%c0] : memref<16xf32>
  %x4 = memref.alloc() {alignment = 64 : i64} : memref<48xf32>
  %v54 = memref.load %r3b[%c0] : memref<16xf32>
  memref.store %v54, %x4[%c0] : memref<48xf32>
  %v56 = memref.load %x3[%c1] : memref<48xf32>
  memref.store %v56, %x4[%c1] : memref<48xf32>
  memref.copy %x4, %out : memref<48xf32> to memref<48xf32>
  return
}
