// RUN: dlc-opt %s --dlc-fuse-elementwise --split-input-file | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// Scale, shift and relu become one loop nest reading the three original inputs.
// CHECK-LABEL: func.func @scale_shift_relu
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
func.func @scale_shift_relu(%x: tensor<4x8xf32>, %a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %a : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %m = arith.mulf %u, %v : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %t = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %m = arith.addf %u, %v : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%u: f32, %o: f32):
    %m = arith.maximumf %u, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// An elementwise producer of a matrix product stays separate: fusing it would recompute it
// for every reduction step.
// CHECK-LABEL: func.func @producer_of_matmul
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.addf
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction", "parallel"]
func.func @producer_of_matmul(%x: tensor<4x8xf32>, %b: tensor<8xf32>, %w: tensor<8x16xf32>, %acc: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %t = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %m = arith.addf %u, %v : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%t, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%acc : tensor<4x16xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %p = arith.mulf %u, %v : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A producer with two users stays materialized instead of being recomputed in each.
// CHECK-LABEL: func.func @shared_producer
// CHECK: %[[SHARED:.+]] = linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic {{.+}} ins(%[[SHARED]]
// CHECK: linalg.generic {{.+}} ins(%[[SHARED]]
func.func @shared_producer(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%u: f32, %o: f32):
    %m = math.exp %u : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%u: f32, %o: f32):
    %m = arith.addf %u, %u : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%u: f32, %o: f32):
    %m = arith.mulf %u, %u : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A producer read through a map that is not a projected permutation (a convolution's packing
// copy gathers each element several times) is not fused: it would be computed once per read.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#gather = affine_map<(d0, d1, d2) -> (d0, d1 + d2)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @no_fusion_into_gather
// CHECK: %[[RELU:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<4x10xf32>)
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.+}} ins(%[[RELU]] : tensor<4x10xf32>) outs(%{{.+}} : tensor<4x8x3xf32>)
func.func @no_fusion_into_gather(%x: tensor<4x10xf32>) -> tensor<4x8x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10xf32>
  %relu = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x10xf32>) outs(%e : tensor<4x10xf32>) {
  ^bb0(%u: f32, %o: f32):
    %m = arith.maximumf %u, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x10xf32>
  %g = tensor.empty() : tensor<4x8x3xf32>
  %cols = linalg.generic {indexing_maps = [#gather, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%relu : tensor<4x10xf32>) outs(%g : tensor<4x8x3xf32>) {
  ^bb0(%u: f32, %o: f32):
    linalg.yield %u : f32
  } -> tensor<4x8x3xf32>
  return %cols : tensor<4x8x3xf32>
}

// -----

#id1 = affine_map<(d0) -> (d0)>

// A quantization to int8 and the dequantization of its result in one body: the conversion to
// i8 and back is left out, the dequantization reads the clamped value (integers in [-128, 127]
// with nsz). The i8 result the body also yields keeps its conversion. Where the bounds exceed
// the integer type (300 for i8), the value is not integral (no rounding) or the clamp lacks
// nsz, the round trip stays.
// CHECK-LABEL: func.func @quantize_dequantize
// CHECK: %[[R:.+]] = math.roundeven
// CHECK: %[[LO:.+]] = arith.maximumf %[[R]]
// CHECK: %[[X:.+]] = arith.minimumf %[[LO]]
// CHECK: %[[Q:.+]] = arith.fptosi %[[X]] : f32 to i8
// CHECK-NOT: arith.sitofp %[[Q]]
// CHECK: %[[Y:.+]] = arith.mulf %[[X]]
// CHECK: linalg.yield %[[Y]], %[[Q]]
func.func @quantize_dequantize(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xi8>) {
  %lo = arith.constant -128.0 : f32
  %hi = arith.constant 127.0 : f32
  %s = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<8xf32>
  %e8 = tensor.empty() : tensor<8xi8>
  %y:2 = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%e, %e8 : tensor<8xf32>, tensor<8xi8>) {
  ^bb0(%u: f32, %o: f32, %o8: i8):
    %r = math.roundeven %u : f32
    %c = arith.maximumf %r, %lo fastmath<nnan,nsz> : f32
    %v = arith.minimumf %c, %hi fastmath<nnan,nsz> : f32
    %q = arith.fptosi %v : f32 to i8
    %f = arith.sitofp %q : i8 to f32
    %m = arith.mulf %f, %s : f32
    linalg.yield %m, %q : f32, i8
  } -> (tensor<8xf32>, tensor<8xi8>)
  return %y#0, %y#1 : tensor<8xf32>, tensor<8xi8>
}

// CHECK-LABEL: func.func @round_trips_kept
// CHECK-COUNT-3: arith.sitofp
func.func @round_trips_kept(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %lo = arith.constant -128.0 : f32
  %hi = arith.constant 127.0 : f32
  %wide = arith.constant 300.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %y:3 = linalg.generic {indexing_maps = [#id1, #id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%e, %e, %e : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  ^bb0(%u: f32, %o: f32, %p: f32, %t: f32):
    %r = math.roundeven %u : f32
    %c = arith.maximumf %r, %lo fastmath<nnan,nsz> : f32
    %v = arith.minimumf %c, %wide fastmath<nnan,nsz> : f32
    %q = arith.fptosi %v : f32 to i8
    %f = arith.sitofp %q : i8 to f32
    %c2 = arith.maximumf %u, %lo fastmath<nnan,nsz> : f32
    %v2 = arith.minimumf %c2, %hi fastmath<nnan,nsz> : f32
    %q2 = arith.fptosi %v2 : f32 to i8
    %f2 = arith.sitofp %q2 : i8 to f32
    %c3 = arith.maximumf %r, %lo : f32
    %v3 = arith.minimumf %c3, %hi : f32
    %q3 = arith.fptosi %v3 : f32 to i8
    %f3 = arith.sitofp %q3 : i8 to f32
    linalg.yield %f, %f2, %f3 : f32, f32, f32
  } -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
  return %y#0, %y#1, %y#2 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// Two products' quantized results summed (a residual add of two convolutions). The sum becomes
// the epilogue of the first product, so the second product's quantization stays separate, in
// its own product's epilogue: it stores int8 for the sum instead of its int32 sums.
// CHECK-LABEL: func.func @narrowing_for_another_kernel
// CHECK: %[[P1:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[P2:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[Q2:.+]] = linalg.generic
// CHECK-SAME: ins(%[[P2]] : tensor<4x16xi32>) outs(%{{.+}} : tensor<4x16xi8>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[P1]], %[[Q2]] : tensor<4x16xi32>, tensor<4x16xi8>)
// CHECK-NOT: linalg.generic
func.func @narrowing_for_another_kernel(%a: tensor<4x8xi8>, %w1: tensor<8x16xi8>, %w2: tensor<8x16xi8>) -> tensor<4x16xf32> {
  %zero = arith.constant 0 : i32
  %scale = arith.constant 0.25 : f32
  %e32 = tensor.empty() : tensor<4x16xi32>
  %acc = linalg.fill ins(%zero : i32) outs(%e32 : tensor<4x16xi32>) -> tensor<4x16xi32>
  %p1 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w1 : tensor<4x8xi8>, tensor<8x16xi8>) outs(%acc : tensor<4x16xi32>) {
  ^bb0(%u: i8, %v: i8, %o: i32):
    %x = arith.extsi %u : i8 to i32
    %y = arith.extsi %v : i8 to i32
    %m = arith.muli %x, %y : i32
    %s = arith.addi %o, %m : i32
    linalg.yield %s : i32
  } -> tensor<4x16xi32>
  %p2 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w2 : tensor<4x8xi8>, tensor<8x16xi8>) outs(%acc : tensor<4x16xi32>) {
  ^bb0(%u: i8, %v: i8, %o: i32):
    %x = arith.extsi %u : i8 to i32
    %y = arith.extsi %v : i8 to i32
    %m = arith.muli %x, %y : i32
    %s = arith.addi %o, %m : i32
    linalg.yield %s : i32
  } -> tensor<4x16xi32>
  %e8 = tensor.empty() : tensor<4x16xi8>
  %q1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p1 : tensor<4x16xi32>) outs(%e8 : tensor<4x16xi8>) {
  ^bb0(%u: i32, %o: i8):
    %f = arith.sitofp %u : i32 to f32
    %m = arith.mulf %f, %scale : f32
    %q = arith.fptosi %m : f32 to i8
    linalg.yield %q : i8
  } -> tensor<4x16xi8>
  %q2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p2 : tensor<4x16xi32>) outs(%e8 : tensor<4x16xi8>) {
  ^bb0(%u: i32, %o: i8):
    %f = arith.sitofp %u : i32 to f32
    %m = arith.mulf %f, %scale : f32
    %q = arith.fptosi %m : f32 to i8
    linalg.yield %q : i8
  } -> tensor<4x16xi8>
  %e = tensor.empty() : tensor<4x16xf32>
  %d1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%q1 : tensor<4x16xi8>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%u: i8, %o: f32):
    %f = arith.sitofp %u : i8 to f32
    linalg.yield %f : f32
  } -> tensor<4x16xf32>
  %d2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%q2 : tensor<4x16xi8>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%u: i8, %o: f32):
    %f = arith.sitofp %u : i8 to f32
    linalg.yield %f : f32
  } -> tensor<4x16xf32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%d1, %d2 : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%u: f32, %v: f32, %o: f32):
    %s = arith.addf %u, %v : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %sum : tensor<4x16xf32>
}
