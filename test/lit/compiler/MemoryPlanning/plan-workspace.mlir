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
