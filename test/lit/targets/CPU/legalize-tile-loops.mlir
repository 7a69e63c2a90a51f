// RUN: dlc-opt %s --dlc-cpu-legalize-tile-loops | FileCheck %s

// The loop carries LLVM's tile type; the tile operations, which convert-vector-to-llvm lowers
// later, read and write it through casts that reconcile-unrealized-casts then removes.
// CHECK-LABEL: func.func @carried
// CHECK: %[[Z:.+]] = amx.tile_zero : !amx.tile<16x16xf32>
// CHECK: %[[IN:.+]] = builtin.unrealized_conversion_cast %[[Z]] : !amx.tile<16x16xf32> to !llvm.x86_amx
// CHECK: %[[R:.+]] = scf.for {{.+}} iter_args(%[[ACC:.+]] = %[[IN]]) -> (!llvm.x86_amx)
// CHECK:   %[[T:.+]] = builtin.unrealized_conversion_cast %[[ACC]] : !llvm.x86_amx to !amx.tile<16x16xf32>
// CHECK:   %[[NEXT:.+]] = amx.tile_mulf %{{.+}}, %{{.+}}, %[[T]]
// CHECK:   %[[OUT:.+]] = builtin.unrealized_conversion_cast %[[NEXT]] : !amx.tile<16x16xf32> to !llvm.x86_amx
// CHECK:   scf.yield %[[OUT]] : !llvm.x86_amx
// CHECK: %[[LAST:.+]] = builtin.unrealized_conversion_cast %[[R]] : !llvm.x86_amx to !amx.tile<16x16xf32>
// CHECK: amx.tile_store %arg2[%c0, %c0], %[[LAST]]
func.func @carried(%a: memref<16x32xbf16>, %b: memref<16x32xbf16>, %c: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = amx.tile_zero : !amx.tile<16x16xf32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!amx.tile<16x16xf32>) {
    %ta = amx.tile_load %a[%c0, %c0] : memref<16x32xbf16> into !amx.tile<16x32xbf16>
    %tb = amx.tile_load %b[%c0, %c0] : memref<16x32xbf16> into !amx.tile<16x32xbf16>
    %next = amx.tile_mulf %ta, %tb, %acc : !amx.tile<16x32xbf16>, !amx.tile<16x32xbf16>, !amx.tile<16x16xf32>
    scf.yield %next : !amx.tile<16x16xf32>
  }
  amx.tile_store %c[%c0, %c0], %r : memref<16x16xf32>, !amx.tile<16x16xf32>
  return
}
