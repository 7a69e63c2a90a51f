// RUN: dlc-opt %s --dlc-cpu-parallelize-block-loops --split-input-file | FileCheck %s

// The block loop becomes a dispatch over its 4 iterations; the task re-creates the workspace
// view from its own arguments and runs iterations [begin, end) as j = 16 * t.
// CHECK-LABEL: func.func @blocks
// CHECK-SAME: (%[[IN:.+]]: memref<64xf32>, %[[WS:.+]]: memref<256xi8>)
// CHECK: %[[COUNT:.+]] = arith.constant 4 : index
// CHECK: call @blocks_dispatch0(%[[IN]], %[[WS]], %[[COUNT]]) : (memref<64xf32>, memref<256xi8>, index) -> ()
// CHECK-NOT: scf.for
// CHECK: return
// CHECK: func.func private @blocks_task0(%[[TIN:.+]]: memref<64xf32>, %[[TWS:.+]]: memref<256xi8>, %[[BEGIN:.+]]: index, %[[END:.+]]: index)
// CHECK: %[[VIEW:.+]] = memref.view %[[TWS]]
// CHECK: scf.for %[[T:.+]] = %[[BEGIN]] to %[[END]] step %{{.+}} {
// CHECK:   %[[SCALED:.+]] = arith.muli %[[T]], %{{.+}} : index
// CHECK:   %[[J:.+]] = arith.addi %[[SCALED]], %{{.+}} : index
// CHECK:   vector.transfer_read %[[TIN]][%[[J]]]
// CHECK:   vector.transfer_write %{{.+}}, %[[VIEW]][%[[J]]]
// CHECK: func.func private @blocks_dispatch0(memref<64xf32>, memref<256xi8>, index)
func.func @blocks(%in: memref<64xf32>, %ws: memref<256xi8>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %out = memref.view %ws[%c0][] : memref<256xi8> to memref<64xf32>
  scf.for %j = %c0 to %c64 step %c16 {
    %v = vector.transfer_read %in[%j], %pad {in_bounds = [true]} : memref<64xf32>, vector<16xf32>
    vector.transfer_write %v, %out[%j] {in_bounds = [true]} : vector<16xf32>, memref<64xf32>
  }
  return
}

// -----

// A loop without vector code, or with one iteration, stays where it is.
// CHECK-LABEL: func.func @left_alone
// CHECK: scf.for
// CHECK: scf.for
// CHECK-NOT: call
func.func @left_alone(%in: memref<64xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  scf.for %j = %c0 to %c64 step %c1 {
    %x = memref.load %in[%j] : memref<64xf32>
    memref.store %x, %out[%j] : memref<64xf32>
  }
  scf.for %j = %c0 to %c16 step %c16 {
    %v = vector.transfer_read %in[%j], %pad {in_bounds = [true]} : memref<64xf32>, vector<16xf32>
    vector.transfer_write %v, %out[%j] {in_bounds = [true]} : vector<16xf32>, memref<64xf32>
  }
  return
}
