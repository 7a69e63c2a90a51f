// RUN: dlc-opt %s --dlc-cpu-prefetch-panels --canonicalize --split-input-file | FileCheck %s

memref.global "private" constant @panels : memref<4x64x32xf32> = dense<1.0>

// Three row blocks read panel %p, 64 steps each: step k of block r prefetches row
// (r * 64 + k) / 3 of panel min(p + 1, 3), one prefetch per 64-byte line of the row.
// CHECK-LABEL: func.func @spread
// CHECK: scf.for %[[P:.+]] = %c0 to %c4 step %c1
// CHECK:   scf.for %[[M:.+]] = %c0 to %c24 step %c8
// CHECK:     %[[BLOCK:.+]] = arith.divui %[[M]], %c8
// CHECK:     %[[FIRST:.+]] = arith.muli %[[BLOCK]], %c64
// CHECK:     scf.for %[[K:.+]] = %c0 to %c64 step %c1
// CHECK:       %[[NEXT:.+]] = arith.addi %[[P]], %c1
// CHECK:       %[[PANEL:.+]] = arith.minui %[[NEXT]], %c3
// CHECK:       %[[SUM:.+]] = arith.addi %[[FIRST]], %[[K]]
// CHECK:       %[[ROW:.+]] = arith.divui %[[SUM]], %c3
// CHECK:       memref.prefetch %{{.+}}[%[[PANEL]], %[[ROW]], %c0], read, locality<3>, data
// CHECK:       memref.prefetch %{{.+}}[%[[PANEL]], %[[ROW]], %c16], read, locality<3>, data
// CHECK:       vector.transfer_read %{{.+}}[%[[P]], %[[K]], %c0]
func.func @spread(%a: memref<24x64xf32>, %c: memref<24x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %b = memref.get_global @panels : memref<4x64x32xf32>
  scf.for %p = %c0 to %c4 step %c1 {
    scf.for %m = %c0 to %c24 step %c8 {
      %init = arith.constant dense<0.0> : vector<32xf32>
      %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
        %x = memref.load %a[%m, %k] : memref<24x64xf32>
        %xv = vector.broadcast %x : f32 to vector<32xf32>
        %row = vector.transfer_read %b[%p, %k, %c0], %pad {in_bounds = [true]} : memref<4x64x32xf32>, vector<32xf32>
        %t = vector.fma %xv, %row, %s : vector<32xf32>
        scf.yield %t : vector<32xf32>
      }
      %col = arith.muli %p, %c8 : index
      vector.transfer_write %acc, %c[%m, %col] {in_bounds = [true]} : vector<32xf32>, memref<24x128xf32>
    }
  }
  return
}

// -----

memref.global "private" constant @panels : memref<4x64x32xf32> = dense<1.0>

// With no row-block loop around the k loop, step k prefetches its own row of the next panel.
// CHECK-LABEL: func.func @same_row
// CHECK: scf.for %[[K:.+]] = %c0 to %c64 step %c1
// CHECK:   memref.prefetch %{{.+}}[%{{.+}}, %[[K]], %c0], read, locality<3>, data
func.func @same_row(%a: memref<64xf32>, %c: memref<32xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %b = memref.get_global @panels : memref<4x64x32xf32>
  %init = arith.constant dense<0.0> : vector<32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
    %x = memref.load %a[%k] : memref<64xf32>
    %xv = vector.broadcast %x : f32 to vector<32xf32>
    %row = vector.transfer_read %b[%p, %k, %c0], %pad {in_bounds = [true]} : memref<4x64x32xf32>, vector<32xf32>
    %t = vector.fma %xv, %row, %s : vector<32xf32>
    scf.yield %t : vector<32xf32>
  }
  vector.transfer_write %acc, %c[%c0] {in_bounds = [true]} : vector<32xf32>, memref<32xf32>
  return
}

// -----

// Reads of a buffer that is not a constant global (an activation) get no prefetch.
// CHECK-LABEL: func.func @not_a_panel
// CHECK-NOT: memref.prefetch
func.func @not_a_panel(%b: memref<4x64x32xf32>, %c: memref<32xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %init = arith.constant dense<0.0> : vector<32xf32>
  %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
    %row = vector.transfer_read %b[%p, %k, %c0], %pad {in_bounds = [true]} : memref<4x64x32xf32>, vector<32xf32>
    %t = arith.addf %row, %s : vector<32xf32>
    scf.yield %t : vector<32xf32>
  }
  vector.transfer_write %acc, %c[%c0] {in_bounds = [true]} : vector<32xf32>, memref<32xf32>
  return
}

// -----

memref.global "private" constant @panels : memref<4x64x32xf32> = dense<1.0>

// With more than 32 row blocks per panel (here 64), the first block's read of a panel is a
// small part of the panel's time: nothing is prefetched.
// CHECK-LABEL: func.func @many_blocks
// CHECK-NOT: memref.prefetch
func.func @many_blocks(%a: memref<512x64xf32>, %c: memref<512x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c512 = arith.constant 512 : index
  %pad = arith.constant 0.0 : f32
  %b = memref.get_global @panels : memref<4x64x32xf32>
  scf.for %p = %c0 to %c4 step %c1 {
    scf.for %m = %c0 to %c512 step %c8 {
      %init = arith.constant dense<0.0> : vector<32xf32>
      %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<32xf32>) {
        %x = memref.load %a[%m, %k] : memref<512x64xf32>
        %xv = vector.broadcast %x : f32 to vector<32xf32>
        %row = vector.transfer_read %b[%p, %k, %c0], %pad {in_bounds = [true]} : memref<4x64x32xf32>, vector<32xf32>
        %t = vector.fma %xv, %row, %s : vector<32xf32>
        scf.yield %t : vector<32xf32>
      }
      %col = arith.muli %p, %c8 : index
      vector.transfer_write %acc, %c[%m, %col] {in_bounds = [true]} : vector<32xf32>, memref<512x128xf32>
    }
  }
  return
}

// -----

memref.global "private" constant @panels6 : memref<6x64x16xf32> = dense<1.0>

// A read that spans 2 panels (the block of a one-row product): without a row-block loop, step k
// prefetches its own row of the 2 panels after them, p + 2 and p + 3 (the last panel at most).
// CHECK-LABEL: func.func @span
// CHECK: scf.for %[[P:.+]] = %c0 to %c6 step %c2
// CHECK:   scf.for %[[K:.+]] = %c0 to %c64 step %c1
// CHECK:     %[[NEXT:.+]] = arith.addi %[[P]], %c2
// CHECK:     %[[FIRST:.+]] = arith.minui %[[NEXT]], %c5
// CHECK:     memref.prefetch %{{.+}}[%[[FIRST]], %[[K]], %c0], read, locality<3>, data
// CHECK:     %[[AFTER:.+]] = arith.addi %[[P]], %c3
// CHECK:     %[[SECOND:.+]] = arith.minui %[[AFTER]], %c5
// CHECK:     memref.prefetch %{{.+}}[%[[SECOND]], %[[K]], %c0], read, locality<3>, data
// CHECK:     vector.transfer_read %{{.+}}[%[[P]], %[[K]], %c0]
func.func @span(%a: memref<1x64xf32>, %c: memref<1x6x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c6 = arith.constant 6 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %b = memref.get_global @panels6 : memref<6x64x16xf32>
  scf.for %p = %c0 to %c6 step %c2 {
    %init = arith.constant dense<0.0> : vector<2x16xf32>
    %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%s = %init) -> (vector<2x16xf32>) {
      %x = memref.load %a[%c0, %k] : memref<1x64xf32>
      %xv = vector.broadcast %x : f32 to vector<2x16xf32>
      %rows = vector.transfer_read %b[%p, %k, %c0], %pad {in_bounds = [true, true], permutation_map = affine_map<(d0, d1, d2) -> (d0, d2)>} : memref<6x64x16xf32>, vector<2x16xf32>
      %t = vector.fma %xv, %rows, %s : vector<2x16xf32>
      scf.yield %t : vector<2x16xf32>
    }
    vector.transfer_write %acc, %c[%c0, %p, %c0] {in_bounds = [true, true]} : vector<2x16xf32>, memref<1x6x16xf32>
  }
  return
}
