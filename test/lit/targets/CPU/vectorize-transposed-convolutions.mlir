// RUN: dlc-opt %s --dlc-cpu-vectorize-transposed-convolutions='lanes=4' --split-input-file | FileCheck %s

// A transposed direct convolution (DirectConvolution.h) of 8 filters 1x1 over 2 channels, on a
// row of 7 positions, on vectors of 4 lanes: register blocks of 4 positions by 2 vectors of
// filters (8 accumulators), then the last 3 positions. The filters are packed at compile time
// in groups of 2 vectors, a step's two vectors adjacent: w[j][c] at c * 8 + j. Each step (a
// channel, and a tap in loops of their own) broadcasts each input element; after the reduction
// each vector of filters is transposed (2 stages of shuffles) into vectors of positions, to
// which the bias (the init's broadcast, not built) and the ReLU apply before one store of the
// block's positions (a mask of 4, then of 3 lanes, that store not in bounds: the vector
// reaches past the row).
// CHECK-LABEL: func.func @transposed
// CHECK: %[[W:.+]] = arith.constant dense<[0.000000e+00, 2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00, 1.000000e+01, 1.200000e+01, 1.400000e+01, 1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00, 9.000000e+00, 1.100000e+01, 1.300000e+01, 1.500000e+01]> : tensor<16xf32>
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[F0:[^ ]+]] = %{{.+}} to %c8{{.*}} step %c8
// CHECK: scf.for %[[OW0:[^ ]+]] = %{{.+}} to %c4{{.*}} step %c4
// CHECK: %[[ACC:.+]]:8 = scf.for %[[C:[^ ]+]] = {{.+}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK-COUNT-2: vector.transfer_read %[[W]]
// CHECK: %[[COL:.+]] = arith.addi %[[OW0]], %{{.+}} : index
// CHECK-NEXT: tensor.extract %arg0[%{{.+}}, %[[C]], %{{.+}}, %[[COL]]]
// CHECK-NEXT: vector.broadcast
// CHECK-NEXT: vector.fma
// CHECK-NEXT: vector.fma
// CHECK: %[[MASK:.+]] = vector.constant_mask [4] : vector<4xi1>
// CHECK-NEXT: vector.shuffle %[[ACC]]#0, %[[ACC]]#4 [0, 1, 4, 5]
// CHECK-NEXT: vector.shuffle %[[ACC]]#0, %[[ACC]]#4 [2, 3, 6, 7]
// CHECK-NEXT: vector.shuffle %[[ACC]]#2, %[[ACC]]#6 [0, 1, 4, 5]
// CHECK-NEXT: vector.shuffle %[[ACC]]#2, %[[ACC]]#6 [2, 3, 6, 7]
// CHECK-NEXT: %[[T0:.+]] = vector.shuffle %{{.+}}, %{{.+}} [0, 4, 2, 6]
// CHECK: tensor.extract %arg1[%[[F0]]]
// CHECK: %[[SUM:.+]] = arith.addf %{{.+}}, %[[T0]]
// CHECK: %[[RELU:.+]] = arith.maximumf %[[SUM]]
// CHECK: vector.transfer_write %[[RELU]], %{{.+}}[%{{.+}}, %[[F0]], %{{.+}}, %[[OW0]]], %[[MASK]] {in_bounds = [true]}
// CHECK-COUNT-7: vector.transfer_write
// The last 3 positions:
// CHECK: scf.for {{.+}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK: %[[REST:.+]] = vector.constant_mask [3] : vector<4xi1>
// CHECK: vector.transfer_write {{.+}}, %[[REST]] : vector<4xf32>, tensor<1x8x1x7xf32>
// CHECK-NOT: linalg.generic
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
#o = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @transposed(%x: tensor<1x2x1x7xf32>, %b: tensor<8xf32>) -> tensor<1x8x1x7xf32> {
  %w = arith.constant dense<[[[[0.0]], [[1.0]]], [[[2.0]], [[3.0]]], [[[4.0]], [[5.0]]], [[[6.0]], [[7.0]]], [[[8.0]], [[9.0]]], [[[10.0]], [[11.0]]], [[[12.0]], [[13.0]]], [[[14.0]], [[15.0]]]]> : tensor<8x2x1x1xf32>
  %e = tensor.empty() : tensor<1x8x1x7xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<8xf32>) outs(%e : tensor<1x8x1x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x1x7xf32>
  %conv = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x2x1x7xf32>, tensor<8x2x1x1xf32>) outs(%init : tensor<1x8x1x7xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %7 = arith.mulf %in, %in_4 : f32
    %8 = arith.addf %out, %7 : f32
    linalg.yield %8 : f32
  } -> tensor<1x8x1x7xf32>
  %e2 = tensor.empty() : tensor<1x8x1x7xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv : tensor<1x8x1x7xf32>) outs(%e2 : tensor<1x8x1x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x8x1x7xf32>
  return %relu : tensor<1x8x1x7xf32>
}

// -----

// Filters that whole vectors do not hold (6 on 4 lanes) are left alone.
// CHECK-LABEL: func.func @partial_vectors
// CHECK: linalg.generic
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
#o = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
func.func @partial_vectors(%x: tensor<1x2x1x7xf32>, %init: tensor<1x6x1x7xf32>) -> tensor<1x6x1x7xf32> {
  %w = arith.constant dense<1.0> : tensor<6x2x1x1xf32>
  %conv = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x2x1x7xf32>, tensor<6x2x1x1xf32>) outs(%init : tensor<1x6x1x7xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %7 = arith.mulf %in, %in_4 : f32
    %8 = arith.addf %out, %7 : f32
    linalg.yield %8 : f32
  } -> tensor<1x6x1x7xf32>
  return %conv : tensor<1x6x1x7xf32>
}
