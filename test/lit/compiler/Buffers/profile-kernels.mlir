// RUN: dlc-opt %s --dlc-profile-kernels | FileCheck %s

// Each top-level loop nest, structured op and copy of a graph function (one with a planned
// workspace) is timed; views and constants are not. The name joins the ONNX nodes of the
// kernel's ops; the arithmetic multiplies each vector multiply and add by the loops' trip
// counts (8 x 4 x (16 + 16) = 1024; the fill has none); index arithmetic does not count.
// CHECK-DAG: llvm.mlir.global internal constant @__dlc_profile_name_0("n_MatMul_0+n_Relu_1\00")
// CHECK-DAG: llvm.mlir.global internal constant @__dlc_profile_name_1("memref.copy\00")
// CHECK-DAG: func.func private @dlc_rt_profile_clock() -> i64
// CHECK-DAG: func.func private @dlc_rt_profile_record(!llvm.ptr, i64, i32, i64)
// CHECK-LABEL: func.func @graph
// CHECK: memref.alloca
// CHECK-NEXT: %[[T0:.*]] = call @dlc_rt_profile_clock() : () -> i64
// CHECK-NEXT: scf.for
// CHECK: llvm.mlir.addressof @__dlc_profile_name_0
// CHECK: %[[OPS:.*]] = arith.constant 1024 : i64
// CHECK: %[[FP32:.*]] = arith.constant 0 : i32
// CHECK: call @dlc_rt_profile_record(%{{.*}}, %[[OPS]], %[[FP32]], %[[T0]])
// CHECK: %[[T1:.*]] = call @dlc_rt_profile_clock() : () -> i64
// CHECK-NEXT: memref.copy
// CHECK: arith.constant 0 : i64
// CHECK: call @dlc_rt_profile_record(%{{.*}}, %{{.*}}, %{{.*}}, %[[T1]])
// CHECK-NEXT: return
func.func @graph(%x: memref<8x64xf32>, %y: memref<8x64xf32>)
    attributes {dlc.workspace_size = 64 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  %t = memref.alloca() : memref<8x64xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c64 step %c16 {
      %k = arith.addi %i, %j : index
      %v = vector.transfer_read %x[%i, %j], %zero : memref<8x64xf32>, vector<16xf32>
      %p = arith.mulf %v, %v : vector<16xf32> loc("n_MatMul_0")
      %s = arith.addf %p, %v : vector<16xf32> loc("n_MatMul_0")
      %r = arith.maximumf %s, %v : vector<16xf32> loc("n_Relu_1")
      vector.transfer_write %r, %t[%i, %j] : vector<16xf32>, memref<8x64xf32>
    }
  }
  memref.copy %t, %y : memref<8x64xf32> to memref<8x64xf32>
  return
}

// A function without a planned workspace (a helper) is left alone.
// CHECK-LABEL: func.func @helper
// CHECK-NOT: dlc_rt_profile
// CHECK: return
func.func @helper(%x: memref<4xf32>, %y: memref<4xf32>) {
  memref.copy %x, %y : memref<4xf32> to memref<4xf32>
  return
}
