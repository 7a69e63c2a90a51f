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

// -----

// A large elementwise op is split along its outer dimension into 32 pieces of 8 rows, which run
// as parallel tasks; a small one stays inline.
// CHECK-LABEL: func.func @split_elementwise
// CHECK: %[[PIECES:.+]] = arith.constant 32 : index
// CHECK: call @split_elementwise_dispatch0(%{{.+}}, %{{.+}}, %[[PIECES]])
// CHECK: linalg.generic {{.+}} outs(%{{.+}} : memref<4x4xf32>)
// CHECK: func.func private @split_elementwise_task0
// CHECK: scf.for
// CHECK: memref.subview {{.+}} [8, 256] [1, 1]
// CHECK: linalg.generic
func.func @split_elementwise(%in: memref<256x256xf32>, %out: memref<256x256xf32>) {
  %small = memref.subview %out[0, 0] [4, 4] [1, 1] : memref<256x256xf32> to memref<4x4xf32, strided<[256, 1]>>
  %buf = memref.alloca() : memref<4x4xf32>
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%in : memref<256x256xf32>) outs(%out : memref<256x256xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.addf %x, %x : f32
    linalg.yield %y : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%small : memref<4x4xf32, strided<[256, 1]>>) outs(%buf : memref<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  return
}

// -----

// A loop over the chunks of a reduction writes the same blocks in every iteration, so it stays
// sequential; the block loop inside it is dispatched once per chunk, with the chunk's offset
// passed to the task after the function's arguments.
// CHECK-LABEL: func.func @reduction_chunks
// CHECK-SAME: (%[[IN:.+]]: memref<4x64xf32>, %[[OUT:.+]]: memref<64xf32>)
// CHECK: scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step %{{.+}} {
// CHECK:   call @reduction_chunks_dispatch0(%[[IN]], %[[OUT]], %[[K]], %{{.+}}) : (memref<4x64xf32>, memref<64xf32>, index, index) -> ()
// CHECK: func.func private @reduction_chunks_task0(%[[TIN:.+]]: memref<4x64xf32>, %[[TOUT:.+]]: memref<64xf32>, %[[TK:.+]]: index, %{{.+}}: index, %{{.+}}: index)
// CHECK: vector.transfer_read %[[TIN]][%[[TK]], %{{.+}}]
func.func @reduction_chunks(%in: memref<4x64xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c64 step %c16 {
      %a = vector.transfer_read %in[%k, %j], %pad {in_bounds = [true]} : memref<4x64xf32>, vector<16xf32>
      %b = vector.transfer_read %out[%j], %pad {in_bounds = [true]} : memref<64xf32>, vector<16xf32>
      %s = arith.addf %a, %b : vector<16xf32>
      vector.transfer_write %s, %out[%j] {in_bounds = [true]} : vector<16xf32>, memref<64xf32>
    }
  }
  return
}

// -----

// An intrinsic on registers and immediates (a conversion with its rounding operand) reads and
// writes no memory: the block loop around it is still dispatched.
// CHECK-LABEL: func.func @rounding_intrinsic
// CHECK: call @rounding_intrinsic_dispatch0
// CHECK: func.func private @rounding_intrinsic_task0
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.mask.cvtps2dq.512"
func.func @rounding_intrinsic(%in: memref<64xf32>, %out: memref<64xi32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %zero = arith.constant dense<0> : vector<16xi32>
  %all = arith.constant -1 : i16
  %rn = arith.constant 8 : i32
  scf.for %j = %c0 to %c64 step %c16 {
    %v = vector.transfer_read %in[%j], %pad {in_bounds = [true]} : memref<64xf32>, vector<16xf32>
    %i = llvm.call_intrinsic "llvm.x86.avx512.mask.cvtps2dq.512"(%v, %zero, %all, %rn) : (vector<16xf32>, vector<16xi32>, i16, i32) -> vector<16xi32>
    vector.transfer_write %i, %out[%j] {in_bounds = [true]} : vector<16xi32>, memref<64xi32>
  }
  return
}

// -----

// A vector read of a constant global hoisted out of the block loop (the bias every column block
// starts from) is read again in the task; a read of a global that is not constant is not, and
// its loop stays sequential.
// CHECK-LABEL: func.func @hoisted_bias
// CHECK: call @hoisted_bias_dispatch0
// CHECK-NOT: scf.for
// CHECK: return
// CHECK: func.func private @hoisted_bias_task0
// CHECK: %[[BIAS:.+]] = memref.get_global @bias
// CHECK: %[[V:.+]] = vector.transfer_read %[[BIAS]]
// CHECK: scf.for
// CHECK:   vector.transfer_write %[[V]]
// CHECK-LABEL: func.func @hoisted_variable
// CHECK: vector.transfer_read
// CHECK: scf.for
// CHECK-NOT: call
memref.global "private" constant @bias : memref<16xf32> = dense<1.0>
memref.global "private" @state : memref<16xf32> = dense<1.0>
func.func @hoisted_bias(%out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %bias = memref.get_global @bias : memref<16xf32>
  %v = vector.transfer_read %bias[%c0], %pad {in_bounds = [true]} : memref<16xf32>, vector<16xf32>
  scf.for %j = %c0 to %c64 step %c16 {
    vector.transfer_write %v, %out[%j] {in_bounds = [true]} : vector<16xf32>, memref<64xf32>
  }
  return
}
func.func @hoisted_variable(%out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %state = memref.get_global @state : memref<16xf32>
  %v = vector.transfer_read %state[%c0], %pad {in_bounds = [true]} : memref<16xf32>, vector<16xf32>
  scf.for %j = %c0 to %c64 step %c16 {
    vector.transfer_write %v, %out[%j] {in_bounds = [true]} : vector<16xf32>, memref<64xf32>
  }
  return
}

// -----

// A store mask hoisted out of the block loop (a transposed convolution's blocks store fewer
// positions than a vector holds) is re-created in the task, so the loop still runs on threads.
// CHECK-LABEL: func.func @hoisted_mask
// CHECK: call @hoisted_mask_dispatch0
// CHECK: func.func private @hoisted_mask_task0
// CHECK: %[[MASK:.+]] = vector.constant_mask [14] : vector<16xi1>
// CHECK: scf.for
// CHECK: vector.transfer_write %{{.+}}, %{{.+}}[%{{.+}}], %[[MASK]]
func.func @hoisted_mask(%in: memref<64xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %mask = vector.constant_mask [14] : vector<16xi1>
  scf.for %j = %c0 to %c64 step %c16 {
    %v = vector.transfer_read %in[%j], %pad {in_bounds = [true]} : memref<64xf32>, vector<16xf32>
    vector.transfer_write %v, %out[%j], %mask {in_bounds = [true]} : vector<16xf32>, memref<64xf32>
  }
  return
}

// -----

// AMX blocks: a block loop whose blocks write their sums into a scratch buffer (tile stores)
// and read them back runs on threads, each task with a scratch buffer of its own; loading and
// zeroing tiles write tile registers, not memory. A loop that only reads a scratch buffer
// written before it stays in the function.
// CHECK-LABEL: func.func @tile_blocks
// CHECK: call @tile_blocks_dispatch0
// CHECK: %[[SHARED:.+]] = memref.alloca() : memref<16x16xf32>
// CHECK: amx.tile_store %[[SHARED]]
// CHECK: scf.for
// CHECK:   vector.transfer_read %[[SHARED]]
// CHECK: func.func private @tile_blocks_task0
// CHECK: %[[OWN:.+]] = memref.alloca() : memref<16x16xf32>
// CHECK: scf.for
// CHECK:   amx.tile_zero
// CHECK:   amx.tile_store %[[OWN]][%c0{{.*}}, %c0{{.*}}]
// CHECK:   vector.transfer_read %[[OWN]]
// CHECK-NOT: func.func private @tile_blocks_task1
func.func @tile_blocks(%a: memref<64x32xbf16>, %b: memref<16x32xbf16>, %out: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  %scratch = memref.alloca() : memref<16x16xf32>
  scf.for %m = %c0 to %c64 step %c16 {
    %z = amx.tile_zero : !amx.tile<16x16xf32>
    %ta = amx.tile_load %a[%m, %c0] : memref<64x32xbf16> into !amx.tile<16x32xbf16>
    %tb = amx.tile_load %b[%c0, %c0] : memref<16x32xbf16> into !amx.tile<16x32xbf16>
    %t = amx.tile_mulf %ta, %tb, %z : !amx.tile<16x32xbf16>, !amx.tile<16x32xbf16>, !amx.tile<16x16xf32>
    amx.tile_store %scratch[%c0, %c0], %t : memref<16x16xf32>, !amx.tile<16x16xf32>
    %v = vector.transfer_read %scratch[%c0, %c0], %pad {in_bounds = [true]} : memref<16x16xf32>, vector<16xf32>
    vector.transfer_write %v, %out[%m, %c0] {in_bounds = [true]} : vector<16xf32>, memref<64x16xf32>
  }
  %shared = memref.alloca() : memref<16x16xf32>
  %z = amx.tile_zero : !amx.tile<16x16xf32>
  amx.tile_store %shared[%c0, %c0], %z : memref<16x16xf32>, !amx.tile<16x16xf32>
  scf.for %r = %c0 to %c16 step %c1 {
    %v = vector.transfer_read %shared[%r, %c0], %pad {in_bounds = [true]} : memref<16x16xf32>, vector<16xf32>
    vector.transfer_write %v, %out[%r, %c0] {in_bounds = [true]} : vector<16xf32>, memref<64x16xf32>
  }
  return
}

// -----

// A block loop inside a sequential one reads a vector of a constant global that the hoisting
// left in the outer loop's body: the task re-creates the read after the padding value and the
// global's address it uses, though they lie in the function's block and it in the loop's.
// CHECK-LABEL: func.func private @nested_read_task0
// CHECK-DAG: %[[PAD:.+]] = ub.poison : f32
// CHECK-DAG: %[[BIAS:.+]] = memref.get_global @bias
// CHECK: vector.transfer_read %[[BIAS]][%c32], %[[PAD]]
memref.global "private" constant @bias : memref<40xf32> = dense<1.0>
func.func @nested_read(%out: memref<2x64xf32>, %flag: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %one = arith.constant 1.0 : f32
  %pad = ub.poison : f32
  %bias = memref.get_global @bias : memref<40xf32>
  scf.for %b = %c0 to %c2 step %c1 {
    %v = vector.transfer_read %bias[%c32], %pad : memref<40xf32>, vector<16xf32>
    scf.for %j = %c0 to %c64 step %c16 {
      vector.transfer_write %v, %out[%b, %j] {in_bounds = [true]} : vector<16xf32>, memref<2x64xf32>
    }
    memref.store %one, %flag[%c0] : memref<1xf32>
  }
  return
}
