// RUN: dlc-opt %s --dlc-cpu-emulate-amx --cse | FileCheck %s

// Tiles become vectors, also where a loop carries them. tdpbf16ps of a 2-row tile by 2 pairs of
// rows: per row, the even and the odd products are summed apart from zero, one fused
// multiply-add per pair in k order (the lhs word broadcast, its low half the even element),
// each result with its denormals flushed (the select of a signed zero where the exponent is 0);
// then the destination row (denormals read as zero) gets even + odd.
// CHECK-LABEL: func.func @mulf
// CHECK-NOT: amx.
// CHECK: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : vector<2x16xf32>
// CHECK: scf.for {{.+}} iter_args(%[[ACC:.+]] = %[[ZERO]]) -> (vector<2x16xf32>)
// CHECK:   %[[A:.+]] = vector.transfer_read %arg0[%c0, %c0]{{.+}} : memref<2x4xbf16>, vector<2x4xbf16>
// CHECK:   %[[B:.+]] = vector.transfer_read %arg1[%c0, %c0]{{.+}} : memref<2x32xbf16>, vector<2x32xbf16>
// CHECK:   %[[ROW0:.+]] = vector.extract %[[A]][0] : vector<4xbf16> from vector<2x4xbf16>
// CHECK:   %[[E0:.+]] = math.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK:   arith.select
// CHECK:   %[[O0:.+]] = math.fma
// CHECK:   %[[E1:.+]] = math.fma
// CHECK:   %[[O1:.+]] = math.fma
// CHECK:   %[[PAIR:.+]] = arith.addf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK:   %[[DST:.+]] = arith.addf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK:   vector.insert %{{.+}}, %{{.+}} [0] : vector<16xf32> into vector<2x16xf32>
// CHECK-COUNT-4: math.fma
// CHECK:   vector.insert %{{.+}}, %{{.+}} [1] : vector<16xf32> into vector<2x16xf32>
// CHECK: vector.transfer_write %{{.+}}, %arg2[%c0, %c0] {{.+}} : vector<2x16xf32>, memref<2x16xf32>
func.func @mulf(%a: memref<2x4xbf16>, %b: memref<2x32xbf16>, %c: memref<2x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = amx.tile_zero : !amx.tile<2x16xf32>
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %z) -> (!amx.tile<2x16xf32>) {
    %ta = amx.tile_load %a[%c0, %c0] : memref<2x4xbf16> into !amx.tile<2x4xbf16>
    %tb = amx.tile_load %b[%c0, %c0] : memref<2x32xbf16> into !amx.tile<2x32xbf16>
    %next = amx.tile_mulf %ta, %tb, %acc : !amx.tile<2x4xbf16>, !amx.tile<2x32xbf16>, !amx.tile<2x16xf32>
    scf.yield %next : !amx.tile<2x16xf32>
  }
  amx.tile_store %c[%c0, %c0], %r : memref<2x16xf32>, !amx.tile<2x16xf32>
  return
}

// tdpbusd of one row by one group of 4 bytes: each lhs byte zero-extended (shift right, mask),
// each weight byte sign-extended (shift left, arithmetic shift right), 4 products added.
// CHECK-LABEL: func.func @muli
// CHECK-NOT: amx.
// CHECK-COUNT-4: arith.shrsi
// CHECK-COUNT-4: arith.muli
// CHECK-NOT: arith.shrsi
// CHECK: vector.transfer_write
func.func @muli(%a: memref<1x4xi8>, %b: memref<1x64xi8>, %c: memref<1x16xi32>) {
  %c0 = arith.constant 0 : index
  %z = amx.tile_zero : !amx.tile<1x16xi32>
  %ta = amx.tile_load %a[%c0, %c0] : memref<1x4xi8> into !amx.tile<1x4xi8>
  %tb = amx.tile_load %b[%c0, %c0] : memref<1x64xi8> into !amx.tile<1x64xi8>
  %r = amx.tile_muli %ta zext, %tb, %z : !amx.tile<1x4xi8>, !amx.tile<1x64xi8>, !amx.tile<1x16xi32>
  amx.tile_store %c[%c0, %c0], %r : memref<1x16xi32>, !amx.tile<1x16xi32>
  return
}
