// RUN: dlc-opt %s --dlc-cpu-hoist-vector-transfers | FileCheck %s

// The accumulator block read and written at loop-invariant indices moves out of the loop and
// is carried in registers.
// CHECK-LABEL: func.func @accumulate
// CHECK: %[[INIT:.+]] = vector.transfer_read %[[C:.+]][%c0, %c0]
// CHECK: %[[SUM:.+]] = scf.for {{.+}} iter_args(%[[ACC:.+]] = %[[INIT]]) -> (vector<8x32xf32>)
// CHECK:   vector.transfer_read %{{.+}}[%{{.+}}, %c0]
// CHECK:   %[[NEXT:.+]] = arith.addf %[[ACC]]
// CHECK:   scf.yield %[[NEXT]]
// CHECK: vector.transfer_write %[[SUM]], %[[C]][%c0, %c0]
func.func @accumulate(%b: memref<64x32xf32>, %c: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c64 step %c1 {
    %row = vector.transfer_read %b[%k, %c0], %pad {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (0, d1)>} : memref<64x32xf32>, vector<8x32xf32>
    %acc = vector.transfer_read %c[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x32xf32>, vector<8x32xf32>
    %sum = arith.addf %acc, %row : vector<8x32xf32>
    vector.transfer_write %sum, %c[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32>
  }
  return
}
