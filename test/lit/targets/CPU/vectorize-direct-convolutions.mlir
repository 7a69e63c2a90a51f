// RUN: dlc-opt %s --dlc-cpu-vectorize-direct-convolutions='lanes=8 block-rows=6' | FileCheck %s

// A direct convolution (DirectConvolution.h) of 8 filters 1x3 on rows of 8 positions (one
// vector of 8 lanes): register blocks of two output rows by 6 filters, then 2 (the filters'
// rest); the fifth row alone. The filters are reordered at compile time so a step's broadcasts
// are adjacent: block 0 holds w[i][q] at q * 6 + i (0, 3, 6, ..., then 1, 4, ...), block 1 at
// 18 + q * 2 + i. Blocks start from the bias (the init's broadcast, not built) and apply the
// ReLU before their one store.
// CHECK-LABEL: func.func @direct
// CHECK: %[[W:.+]] = arith.constant dense<[0.000000e+00, 3.000000e+00, 6.000000e+00, 9.000000e+00, 1.200000e+01, 1.500000e+01, 1.000000e+00, 4.000000e+00, 7.000000e+00, 1.000000e+01, 1.300000e+01, 1.600000e+01, 2.000000e+00, 5.000000e+00, 8.000000e+00, 1.100000e+01, 1.400000e+01, 1.700000e+01, 1.800000e+01, 2.100000e+01, 1.900000e+01, 2.200000e+01, 2.000000e+01, 2.300000e+01]> : tensor<24xf32>
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[OH:.+]] = %{{.+}} to %c4 step %c2
// CHECK: scf.for %[[F0:.+]] = %{{.+}} to %c6{{.*}} step %c6
// CHECK: tensor.extract %arg1
// CHECK: %[[ACC:.+]]:12 = scf.for %[[C:.+]] = {{.+}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-2: vector.transfer_read %arg0[{{.+}}]{{.+}} : tensor<1x1x5x1x10xf32>, vector<8xf32>
// CHECK: tensor.extract %[[W]]
// CHECK-COUNT-2: vector.fma
// CHECK: arith.maximumf %[[ACC]]#0
// CHECK: vector.transfer_write {{.+}} : vector<8xf32>, tensor<1x8x5x8xf32>
// The two filters left, two rows:
// CHECK: scf.for {{.+}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// The last row, 6 filters by one vector, then 2:
// CHECK: scf.for {{.+}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: scf.for {{.+}} -> (vector<8xf32>, vector<8xf32>)
// CHECK-NOT: linalg.generic
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, 0, d3 + d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
#o = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
#bias = affine_map<(d0, d1, d2, d3) -> (d1)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @direct(%phases: tensor<1x1x5x1x10xf32>, %b: tensor<8xf32>) -> tensor<1x8x5x8xf32> {
  %w = arith.constant dense<[[[[0.0, 1.0, 2.0]]], [[[3.0, 4.0, 5.0]]], [[[6.0, 7.0, 8.0]]], [[[9.0, 10.0, 11.0]]], [[[12.0, 13.0, 14.0]]], [[[15.0, 16.0, 17.0]]], [[[18.0, 19.0, 20.0]]], [[[21.0, 22.0, 23.0]]]]> : tensor<8x1x1x3xf32>
  %e = tensor.empty() : tensor<1x8x5x8xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<8xf32>) outs(%e : tensor<1x8x5x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x5x8xf32>
  %conv = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%phases, %w : tensor<1x1x5x1x10xf32>, tensor<8x1x1x3xf32>) outs(%init : tensor<1x8x5x8xf32>) {
  ^bb0(%in: f32, %in_4: f32, %out: f32):
    %7 = arith.mulf %in, %in_4 : f32
    %8 = arith.addf %out, %7 : f32
    linalg.yield %8 : f32
  } -> tensor<1x8x5x8xf32>
  %e2 = tensor.empty() : tensor<1x8x5x8xf32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv : tensor<1x8x5x8xf32>) outs(%e2 : tensor<1x8x5x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %z : f32
    linalg.yield %m : f32
  } -> tensor<1x8x5x8xf32>
  return %relu : tensor<1x8x5x8xf32>
}
