// RUN: dlc-opt %s --dlc-cpu-vectorize-windows --canonicalize --cse --split-input-file | FileCheck %s

#in = affine_map<(n, g, f, c, kh, kw, oh, ow) -> (n, g, c, oh * 2 + kh, ow * 2 + kw)>
#filt = affine_map<(n, g, f, c, kh, kw, oh, ow) -> (g, f, c, kh, kw)>
#out = affine_map<(n, g, f, c, kh, kw, oh, ow) -> (n, g, f, oh, ow)>
#bias = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>

// A stride-2 depthwise convolution with its bias broadcast and a clip: per channel and output
// row, 16 results start from the bias, take 9 taps (32 contiguous inputs, the 31 needed
// rounded up to whole registers, even lanes picked, times a broadcast weight), are clipped and
// written once; the 4 remaining columns of the row are one vector<4> (from 8 inputs). The bias
// and clip generics are gone.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[C:.+]] = %c0 to %c8 step %c1 iter_args(%[[D:.+]] = %{{.+}})
// CHECK:   %[[BIAS:.+]] = tensor.extract %{{.+}}[%[[C]], %c0] : tensor<8x1xf32>
// CHECK:   %[[INIT:.+]] = vector.broadcast %[[BIAS]] : f32 to vector<16xf32>
// CHECK:   %[[W0:.+]] = vector.broadcast %{{.+}} : f32 to vector<16xf32>
// CHECK:   scf.for %[[H:.+]] = %c0 to %c20 step %c1 iter_args(%[[D2:.+]] = %[[D]])
// CHECK:     %[[ROW:.+]] = vector.transfer_read %{{.+}}[%c0, %[[C]], %c0, %{{.+}}, %c0], %{{.+}} {in_bounds = [true]} : tensor<1x8x1x41x41xf32>, vector<32xf32>
// CHECK:     %[[EVEN:.+]] = vector.shuffle %[[ROW]], %[[ROW]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
// CHECK:     %[[P:.+]] = arith.mulf %[[EVEN]], %[[W0]] : vector<16xf32>
// CHECK:     arith.addf %[[INIT]], %[[P]] : vector<16xf32>
// CHECK-COUNT-8: vector.transfer_read {{.+}} vector<32xf32>
// CHECK:     %[[LO:.+]] = arith.maximumf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK:     %[[CLIPPED:.+]] = arith.minimumf %[[LO]], %{{.+}} : vector<16xf32>
// CHECK:     %[[W:.+]] = vector.transfer_write %[[CLIPPED]], %[[D2]][%c0, %[[C]], %c0, %[[H]], %c0]
// CHECK:     vector.transfer_read %{{.+}}[%c0, %[[C]], %c0, %{{.+}}, %c32], %{{.+}} {in_bounds = [true]} : tensor<1x8x1x41x41xf32>, vector<8xf32>
// CHECK:     vector.transfer_write %{{.+}}, %[[W]][%c0, %[[C]], %c0, %[[H]], %c16] {{.+}} : vector<4xf32>
func.func @depthwise(%x: tensor<1x8x1x41x41xf32>, %f: tensor<8x1x1x3x3xf32>, %b: tensor<8x1xf32>) -> tensor<1x8x1x20x20xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %e = tensor.empty() : tensor<1x8x1x20x20xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<8x1xf32>) outs(%e : tensor<1x8x1x20x20xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x1x20x20xf32>
  %conv = linalg.generic {indexing_maps = [#in, #filt, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%x, %f : tensor<1x8x1x41x41xf32>, tensor<8x1x1x3x3xf32>) outs(%init : tensor<1x8x1x20x20xf32>) {
  ^bb0(%a: f32, %w: f32, %acc: f32):
    %p = arith.mulf %a, %w : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x8x1x20x20xf32>
  %e2 = tensor.empty() : tensor<1x8x1x20x20xf32>
  %clip = linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%conv : tensor<1x8x1x20x20xf32>) outs(%e2 : tensor<1x8x1x20x20xf32>) {
  ^bb0(%in: f32, %o: f32):
    %m = arith.maximumf %in, %zero : f32
    %n = arith.minimumf %m, %six : f32
    linalg.yield %n : f32
  } -> tensor<1x8x1x20x20xf32>
  return %clip : tensor<1x8x1x20x20xf32>
}

// -----

#in = affine_map<(n, c, kh, kw, oh, ow) -> (n, c, oh + kh, ow + kw)>
#win = affine_map<(n, c, kh, kw, oh, ow) -> (kh, kw)>
#out = affine_map<(n, c, kh, kw, oh, ow) -> (n, c, oh, ow)>

// A 2x2 max pool, stride 1, filled with the lowest value: the fill becomes a broadcast (which
// the canonicalizer folds into the first taps), the shape-only window operand is never read,
// each tap is a contiguous vector<16>, and the taps are spread over independent partial maxima
// combined at the end.
// CHECK-LABEL: func.func @max_pool
// CHECK-NOT: linalg.
// CHECK: scf.for %[[C:.+]] = %c0 to %c4
// CHECK:   scf.for %[[H:.+]] = %c0 to %c16
// CHECK:     vector.transfer_read %{{.+}}[%c0, %[[C]], %[[H]], %c0], {{.+}} : tensor<1x4x17x17xf32>, vector<16xf32>
// CHECK:     vector.transfer_read %{{.+}}[%c0, %[[C]], %[[H]], %c1], {{.+}} : tensor<1x4x17x17xf32>, vector<16xf32>
// CHECK-COUNT-2: vector.transfer_read
// CHECK-COUNT-3: arith.maximumf {{.+}} : vector<16xf32>
// CHECK:     vector.transfer_write {{.+}} : vector<16xf32>, tensor<1x4x16x16xf32>
func.func @max_pool(%x: tensor<1x4x17x17xf32>) -> tensor<1x4x16x16xf32> {
  %lowest = arith.constant 0xFF800000 : f32
  %window = tensor.empty() : tensor<2x2xf32>
  %e = tensor.empty() : tensor<1x4x16x16xf32>
  %init = linalg.fill ins(%lowest : f32) outs(%e : tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
  %pool = linalg.generic {indexing_maps = [#in, #win, #out], iterator_types = ["parallel", "parallel", "reduction", "reduction", "parallel", "parallel"]} ins(%x, %window : tensor<1x4x17x17xf32>, tensor<2x2xf32>) outs(%init : tensor<1x4x16x16xf32>) {
  ^bb0(%a: f32, %w: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x4x16x16xf32>
  return %pool : tensor<1x4x16x16xf32>
}

// -----

// A row sum (the reduction along the input's innermost dimension, as in softmax and layer
// normalization): per row, vectors of 16 accumulate along the row from zeros, are summed across
// lanes and added to the initial value, which comes from the fill.
// CHECK-LABEL: func.func @row_sum
// CHECK-NOT: linalg.
// CHECK: scf.for %[[I:.+]] = %c0 to %c64
// CHECK:   %[[ACC:.+]] = scf.for %[[J:.+]] = %c0 to %c32 step %c16 iter_args(%[[A:.+]] = %{{.+}}) -> (vector<16xf32>)
// CHECK:     %[[X:.+]] = vector.transfer_read %{{.+}}[%[[I]], %[[J]]]{{.+}} : tensor<64x32xf32>, vector<16xf32>
// CHECK:     %[[S:.+]] = arith.addf %[[A]], %[[X]] : vector<16xf32>
// CHECK:     scf.yield %[[S]]
// CHECK:   %[[SUM:.+]] = vector.reduction <add>, %[[ACC]] : vector<16xf32> into f32
// CHECK:   %[[R:.+]] = arith.addf {{.*}}%[[SUM]]{{.*}} : f32
// CHECK:   tensor.insert %[[R]] into %{{.+}}[%[[I]]] : tensor<64xf32>
func.func @row_sum(%x: tensor<64x32xf32>) -> tensor<64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<64xf32>) -> tensor<64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<64x32xf32>) outs(%init : tensor<64xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// -----

// A row maximum that keeps its reduced dimension (keepdims: the result is read back at column
// 0), over a long row of 216: 3 steps of 4 vectors (64 lanes: independent partial maxima), then
// 16, then the 8 left; each is reduced across lanes into the result at [i, 0].
// CHECK-LABEL: func.func @row_max_keepdims
// CHECK-NOT: linalg.
// CHECK: scf.for %[[I:.+]] = %c0 to %c4
// CHECK:   %[[WIDE:.+]] = scf.for %[[J:.+]] = %c0 to %c192 step %c64 iter_args(%[[A:.+]] = %{{.+}}) -> (vector<64xf32>)
// CHECK:     vector.transfer_read %{{.+}}[%[[I]], %[[J]]]{{.+}} : tensor<4x216xf32>, vector<64xf32>
// CHECK:     arith.maximumf %[[A]], %{{.+}} : vector<64xf32>
// CHECK:   vector.reduction <maximumf>, %[[WIDE]] : vector<64xf32> into f32
// CHECK:   vector.transfer_read %{{.+}}[%[[I]], %c192]{{.+}} : tensor<4x216xf32>, vector<16xf32>
// CHECK:   vector.reduction <maximumf>, %{{.+}} : vector<16xf32> into f32
// CHECK:   vector.transfer_read %{{.+}}[%[[I]], %c208]{{.+}} : tensor<4x216xf32>, vector<8xf32>
// CHECK:   vector.reduction <maximumf>, %{{.+}} : vector<8xf32> into f32
// CHECK:   tensor.insert %{{.+}} into %{{.+}}[%[[I]], %c0] : tensor<4x1xf32>
func.func @row_max_keepdims(%x: tensor<4x216xf32>) -> tensor<4x1xf32> {
  %low = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4x1xf32>
  %init = linalg.fill ins(%low : f32) outs(%e : tensor<4x1xf32>) -> tensor<4x1xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, 0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x216xf32>) outs(%init : tensor<4x1xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  } -> tensor<4x1xf32>
  return %r : tensor<4x1xf32>
}

// -----

// An elementwise op: exp of x minus a per-row value, 16 lanes at a time, the row value
// broadcast; the result's initial value is never read.
// CHECK-LABEL: func.func @exp_sub
// CHECK: scf.for %[[I:.+]] = %c0 to %c8
// CHECK:   %[[M:.+]] = tensor.extract %{{.+}}[%[[I]]] : tensor<8xf32>
// CHECK:   %[[MV:.+]] = vector.broadcast %[[M]] : f32 to vector<16xf32>
// CHECK:   scf.for %[[J:.+]] = %c0 to %c64 step %c16
// CHECK:     %[[X:.+]] = vector.transfer_read %{{.+}}[%[[I]], %[[J]]]{{.+}} : tensor<8x64xf32>, vector<16xf32>
// CHECK:     %[[D:.+]] = arith.subf %[[X]], %[[MV]] : vector<16xf32>
// CHECK:     math.exp %[[D]] : vector<16xf32>
func.func @exp_sub(%x: tensor<8x64xf32>, %m: tensor<8xf32>) -> tensor<8x64xf32> {
  %e = tensor.empty() : tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x, %m : tensor<8x64xf32>, tensor<8xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// A transpose reads along an outer dimension of its input for consecutive results: it would
// need a gather per lane, and is left alone.
// CHECK-LABEL: func.func @transpose
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @transpose(%x: tensor<64x32xf32>) -> tensor<32x64xf32> {
  %e = tensor.empty() : tensor<32x64xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (j, i)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x32xf32>) outs(%e : tensor<32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<32x64xf32>
  return %r : tensor<32x64xf32>
}

// -----

#in = affine_map<(c, kw, w) -> (c, w + kw)>
#filt = affine_map<(c, kw, w) -> (c, kw)>
#out = affine_map<(c, kw, w) -> (c, w)>

// A window op reading a zero-padded input reads the unpadded source instead: interior chunks
// read it directly, the first chunk's leftmost tap puts one zero lane in front of 15 source
// lanes, and the last tap of the tail chunk reads the 7 lanes left in the row (in bounds: a
// read past the row's end would read the next row once the read is folded into a reshaped
// buffer) and a shuffle appends a zero lane. The padded tensor is never built.
// CHECK-LABEL: func.func @padded_taps
// CHECK-SAME: (%[[X:.+]]: tensor<4x40xf32>, %{{.+}}: tensor<4x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: scf.for %[[C:.+]] = %c0 to %c4
// CHECK:   %[[HEAD:.+]] = vector.transfer_read %[[X]][%[[C]], %c0], %{{.+}} {in_bounds = [true]} : tensor<4x40xf32>, vector<15xf32>
// CHECK:   vector.shuffle %{{.+}}, %[[HEAD]] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] : vector<1xf32>, vector<15xf32>
// CHECK:   vector.transfer_read %[[X]][%[[C]], %c15]{{.+}} : tensor<4x40xf32>, vector<16xf32>
// CHECK:   %[[TAIL:.+]] = vector.transfer_read %[[X]][%[[C]], %c33], %{{.+}} {in_bounds = [true]} : tensor<4x40xf32>, vector<7xf32>
// CHECK:   vector.shuffle %[[TAIL]], %{{.+}} [0, 1, 2, 3, 4, 5, 6, 7] : vector<7xf32>, vector<1xf32>
func.func @padded_taps(%x: tensor<4x40xf32>, %f: tensor<4x3xf32>) -> tensor<4x40xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<4x40xf32> to tensor<4x42xf32>
  %e = tensor.empty() : tensor<4x40xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x40xf32>) -> tensor<4x40xf32>
  %r = linalg.generic {indexing_maps = [#in, #filt, #out], iterator_types = ["parallel", "reduction", "parallel"]} ins(%p, %f : tensor<4x42xf32>, tensor<4x3xf32>) outs(%init : tensor<4x40xf32>) {
  ^bb0(%a: f32, %w: f32, %acc: f32):
    %m = arith.mulf %a, %w : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x40xf32>
  return %r : tensor<4x40xf32>
}

// -----

#in = affine_map<(c, kw, w) -> (c, w * 2 + kw)>
#filt = affine_map<(c, kw, w) -> (c, kw)>
#out = affine_map<(c, kw, w) -> (c, w)>

// At stride 2 a chunk's 16 results read 31 source lanes, 32 with the power of two a read takes;
// the interior chunks (from 16 to 48, whose 32 lanes stay inside the row) read them in bounds,
// with no mask.
// CHECK-LABEL: func.func @padded_stride2
// CHECK-SAME: (%[[X:.+]]: tensor<4x160xf32>, %{{.+}}: tensor<4x3xf32>)
// CHECK: scf.for %[[C:.+]] = %c0 to %c4
// CHECK: scf.for %[[W:.+]] = %c16 to %c64 step %c16
// CHECK-COUNT-3: vector.transfer_read %[[X]][%[[C]], %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<4x160xf32>, vector<32xf32>
// CHECK: scf.yield
func.func @padded_stride2(%x: tensor<4x160xf32>, %f: tensor<4x3xf32>) -> tensor<4x80xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<4x160xf32> to tensor<4x162xf32>
  %e = tensor.empty() : tensor<4x80xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<4x80xf32>) -> tensor<4x80xf32>
  %r = linalg.generic {indexing_maps = [#in, #filt, #out], iterator_types = ["parallel", "reduction", "parallel"]} ins(%p, %f : tensor<4x162xf32>, tensor<4x3xf32>) outs(%init : tensor<4x80xf32>) {
  ^bb0(%a: f32, %w: f32, %acc: f32):
    %m = arith.mulf %a, %w : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x80xf32>
  return %r : tensor<4x80xf32>
}

// -----

// 6 int64 elements run on 8 lanes, the 2 past the row masked off: they read 1, not poison, so
// the remainder never divides by the 0 a masked load leaves there (x86 traps on it).
// CHECK-LABEL: func.func @integer_rest_past_row
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : i64
// CHECK: %[[X:.+]] = vector.transfer_read %{{.+}}[%{{.+}}], %[[ONE]] : tensor<6xi64>, vector<8xi64>
// CHECK: %[[Y:.+]] = vector.transfer_read %{{.+}}[%{{.+}}], %[[ONE]] : tensor<6xi64>, vector<8xi64>
// CHECK: arith.remsi %[[X]], %[[Y]] : vector<8xi64>
func.func @integer_rest_past_row(%x: tensor<6xi64>, %y: tensor<6xi64>) -> tensor<6xi64> {
  %e = tensor.empty() : tensor<6xi64>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x, %y : tensor<6xi64>, tensor<6xi64>) outs(%e : tensor<6xi64>) {
  ^bb0(%a: i64, %b: i64, %o: i64):
    %m = arith.remsi %a, %b : i64
    linalg.yield %m : i64
  } -> tensor<6xi64>
  return %r : tensor<6xi64>
}
