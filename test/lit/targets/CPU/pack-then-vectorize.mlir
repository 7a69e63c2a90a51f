// RUN: dlc-opt %s --dlc-cpu-pack-constant-operands --dlc-cpu-vectorize-contractions --canonicalize | FileCheck %s

// After packing, the 4 column panels of a 128-column constant still count as 4 column blocks,
// so the panel loop stays outside the row loop (each packed panel is reused by every row block).
// CHECK-LABEL: func.func @packed_panels_outer
// CHECK: scf.for %{{.+}} = %c0 to %c4 step %c1
// CHECK:   scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK:     scf.for %{{.+}} = %c0 to %c8 step %c1 iter_args(%{{.+}}) -> (vector<8x1x32xf32>)
func.func @packed_panels_outer(%a: tensor<16x8xf32>, %c: tensor<16x128xf32>) -> tensor<16x128xf32> {
  %b = arith.constant dense<0.5> : tensor<8x128xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x8xf32>, tensor<8x128xf32>) outs(%c : tensor<16x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  return %r : tensor<16x128xf32>
}
