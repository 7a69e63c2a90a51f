// RUN: dlc-opt %s --dlc-cpu-pack-constant-operands --dlc-cpu-vectorize-contractions --canonicalize | FileCheck %s
// On AVX2 (8 lanes, 16 registers: the CPU target passes panel=16, lanes=8, block-rows=6) the
// same product is packed into 8 panels of 16 columns and computed in blocks of at most 6 rows:
// 4 divides M = 16. (A product whose right-hand side is computed would be split into 12 rows in
// blocks of 6 and 4 more; a packed constant one is not: vectorize-contractions.mlir.)
// RUN: dlc-opt %s --dlc-cpu-pack-constant-operands=panel=16 "--dlc-cpu-vectorize-contractions=lanes=8 block-rows=6" --canonicalize | FileCheck %s --check-prefix=AVX2

// After packing, the 4 column panels of a 128-column constant still count as 4 column blocks,
// so the panel loop stays outside the row loop (each packed panel is reused by every row block).
// CHECK-LABEL: func.func @packed_panels_outer
// CHECK: scf.for %{{.+}} = %c0 to %c4 step %c1
// CHECK:   scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK:     scf.for %{{.+}} = %c0 to %c8 step %c1 iter_args(%{{.+}}) -> (vector<8x1x32xf32>)
// AVX2-LABEL: func.func @packed_panels_outer
// AVX2: scf.for %{{.+}} = %c0 to %c8 step %c1
// AVX2:   scf.for %{{.+}} = %c0 to %c16 step %c4
// AVX2:     scf.for %{{.+}} = %c0 to %c8 step %c1 iter_args(%{{.+}}) -> (vector<4x1x16xf32>)
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

// A product of one row (a matrix-vector product, such as a classifier): a block of one panel
// would hold 2 accumulators, too few to hide the FMA latency, so each block spans several
// panels, up to 8 accumulators: 3 of the 6 panels of 32 columns, or on AVX2 4 of the 12 of 16.
// CHECK-LABEL: func.func @one_row
// CHECK: scf.for %{{.+}} = %c0 to %c6 step %c3
// CHECK:   scf.for %{{.+}} = %c0 to %c64 step %c1 iter_args(%{{.+}}) -> (vector<1x3x32xf32>)
// AVX2-LABEL: func.func @one_row
// AVX2: scf.for %{{.+}} = %c0 to %c12 step %c4
// AVX2:   scf.for %{{.+}} = %c0 to %c64 step %c1 iter_args(%{{.+}}) -> (vector<1x4x16xf32>)
func.func @one_row(%a: tensor<1x64xf32>, %c: tensor<1x192xf32>) -> tensor<1x192xf32> {
  %b = arith.constant dense<0.5> : tensor<64x192xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<1x64xf32>, tensor<64x192xf32>) outs(%c : tensor<1x192xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x192xf32>
  return %r : tensor<1x192xf32>
}
