// RUN: dlc-opt %s --dlc-cpu-vectorize-contractions --canonicalize --split-input-file | FileCheck %s

#lhs = affine_map<(m, k, n) -> (m, k)>
#rhs = affine_map<(m, k, n) -> (k, n)>
#out = affine_map<(m, k, n) -> (m, n)>

// A matmul becomes 8x32 register blocks, column blocks outermost when there are at least 4 of
// them (a rhs panel is reused by every row block); inside each block, k steps by 1.
// The accumulator block is read before the k loop, carried in registers, written after it.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for %{{.+}} = %c0 to %c128 step %c32
// CHECK:   scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK:     %[[INIT:.+]] = vector.transfer_read {{.+}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK:     %[[LOOP:.+]] = scf.for %{{.+}} = %c0 to %c24 step %c1 iter_args(%[[ACC:.+]] = %[[INIT]]) -> (vector<8x32xf32>)
// CHECK:       vector.transfer_read {{.+}} : tensor<8x1xf32>, vector<8x1x32xf32>
// CHECK:       vector.transfer_read {{.+}} : tensor<1x32xf32>, vector<8x1x32xf32>
// CHECK:       arith.mulf {{.+}} : vector<8x1x32xf32>
// CHECK:       %[[SUM:.+]] = arith.addf %[[ACC]], {{.+}} : vector<8x32xf32>
// CHECK:       scf.yield %[[SUM]]
// CHECK:     vector.transfer_write %[[LOOP]], {{.+}} : vector<8x32xf32>, tensor<8x32xf32>
func.func @matmul(%a: tensor<16x24xf32>, %b: tensor<24x128xf32>, %c: tensor<16x128xf32>) -> tensor<16x128xf32> {
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x24xf32>, tensor<24x128xf32>) outs(%c : tensor<16x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  return %r : tensor<16x128xf32>
}

// -----

// With fewer than 4 column blocks, row blocks go outside (more outer iterations for threads).
// CHECK-LABEL: func.func @few_column_blocks
// CHECK: scf.for %{{.+}} = %c0 to %c16 step %c8
// CHECK:   scf.for %{{.+}} = %c0 to %c64 step %c32
func.func @few_column_blocks(%a: tensor<16x24xf32>, %b: tensor<24x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x24xf32>, tensor<24x64xf32>) outs(%c : tensor<16x64xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>
  return %r : tensor<16x64xf32>
}

// -----

#lhs3 = affine_map<(b, m, k, n) -> (b, m, k)>
#rhs3 = affine_map<(b, m, k, n) -> (k, n)>
#out3 = affine_map<(b, m, k, n) -> (b, m, n)>

// A broadcast batch dimension is tiled by 1; 6 rows divide M = 6, 16 columns divide N = 48.
// CHECK-LABEL: func.func @batch_of_rows
// CHECK: scf.for %{{.+}} = %c0 to %c48 step %c16
// CHECK: vector<1x6x1x16xf32>
func.func @batch_of_rows(%a: tensor<1x6x8xf32>, %b: tensor<8x48xf32>, %c: tensor<1x6x48xf32>) -> tensor<1x6x48xf32> {
  %r = linalg.generic {indexing_maps = [#lhs3, #rhs3, #out3], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<1x6x8xf32>, tensor<8x48xf32>) outs(%c : tensor<1x6x48xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x6x48xf32>
  return %r : tensor<1x6x48xf32>
}

// -----

// 40 columns split into the 32 that 16 divides and the last 8; each part is vectorized with
// its own static block width, so no masking is needed.
// CHECK-LABEL: func.func @split_columns
// CHECK: tensor.extract_slice %{{.+}}[0, 0] [8, 32] [1, 1] : tensor<8x40xf32> to tensor<8x32xf32>
// CHECK: vector<4x1x32xf32>
// CHECK: tensor.extract_slice %{{.+}}[0, 32] [8, 8] [1, 1] : tensor<8x40xf32> to tensor<8x8xf32>
// CHECK: vector<4x1x8xf32>
func.func @split_columns(%a: tensor<4x8xf32>, %b: tensor<8x40xf32>, %c: tensor<4x40xf32>) -> tensor<4x40xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x40xf32>) outs(%c : tensor<4x40xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x40xf32>
  return %r : tensor<4x40xf32>
}
