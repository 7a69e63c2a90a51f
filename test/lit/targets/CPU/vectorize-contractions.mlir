// RUN: dlc-opt %s --dlc-cpu-vectorize-contractions --canonicalize --split-input-file | FileCheck %s
// RUN: dlc-opt %s "--dlc-cpu-vectorize-contractions=lanes=8 block-rows=6" --canonicalize --split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: dlc-opt %s "--dlc-cpu-vectorize-contractions=lanes=8 block-rows=6 l2-bytes=65536" --canonicalize --split-input-file | FileCheck %s --check-prefix=SMALL-L2

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
// On AVX2 (8 lanes, blocks of at most 6 rows) 6 does not divide the 16 rows: in each column
// block, 12 run in blocks of 6 rows by 16 columns, the other 4 in a block of their own, on the
// rhs columns the first 12 have just read.
// AVX2-LABEL: func.func @matmul
// AVX2: scf.for %{{.+}} = %c0 to %c128 step %c16
// AVX2:   scf.for %{{.+}} = %c0 to %c12 step %c6
// AVX2:     scf.for {{.+}} -> (vector<6x16xf32>)
// AVX2-NOT: scf.for %{{.+}} = %c0 to %c128
// AVX2:   scf.for {{.+}} -> (vector<4x16xf32>)
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

// 8 rows in blocks of at most 6 (the AVX2 run): no split leaves a multiple of 4 (6 + 2, and
// 2-row blocks hold too few accumulators to hide the FMA latency), so they stay whole, in two
// blocks of 4.
// AVX2-LABEL: func.func @eight_rows
// AVX2-NOT: vector<6x16xf32>
// AVX2: scf.for %{{.+}} = %c0 to %c8 step %c4
// AVX2:   scf.for {{.+}} -> (vector<4x16xf32>)
// AVX2-NOT: vector<2x16xf32>
// AVX2: return
func.func @eight_rows(%a: tensor<8x24xf32>, %b: tensor<24x128xf32>, %c: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x24xf32>, tensor<24x128xf32>) outs(%c : tensor<8x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x128xf32>
  return %r : tensor<8x128xf32>
}

// -----

// 13 rows times a constant right-hand side (weights): no block height of 4 or more divides
// them, so they are split, in each column block 12 in blocks of 6 and the last one a block of
// its own (they ran in 1-row blocks: a 197 x 768 x 768 product 3.1x slower on a Zen 3).
// AVX2-LABEL: func.func @odd_rows_constant_rhs
// AVX2: scf.for %{{.+}} = %c0 to %c128 step %c16
// AVX2:   scf.for %{{.+}} = %c0 to %c12 step %c6
// AVX2:     scf.for {{.+}} -> (vector<6x16xf32>)
// AVX2-NOT: scf.for %{{.+}} = %c0 to %c128
// AVX2:   scf.for {{.+}} -> (vector<1x16xf32>)
// AVX2: return
func.func @odd_rows_constant_rhs(%a: tensor<13x24xf32>, %c: tensor<13x128xf32>) -> tensor<13x128xf32> {
  %b = arith.constant dense<1.0> : tensor<24x128xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<13x24xf32>, tensor<24x128xf32>) outs(%c : tensor<13x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<13x128xf32>
  return %r : tensor<13x128xf32>
}

// -----

// A left-hand side indexed [k, row]: a block's rows are contiguous at each step, and each is
// read as one element broadcast along the lanes (read together, the 6 elements became one short
// vector load and a shuffle per row, which spilled the accumulators).
// AVX2-LABEL: func.func @rows_contiguous
// AVX2: scf.for {{.+}} -> (vector<6x16xf32>)
// AVX2-COUNT-6: vector.transfer_read {{.+}} : tensor<1x6xf32>, vector<1x1x16xf32>
// AVX2-NOT: tensor<1x6xf32>, vector<6x
// AVX2: vector.transfer_read {{.+}} : tensor<1x16xf32>, vector<6x1x16xf32>
func.func @rows_contiguous(%a: tensor<24x12xf32>, %b: tensor<24x128xf32>, %c: tensor<12x128xf32>) -> tensor<12x128xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (k, m)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<24x12xf32>, tensor<24x128xf32>) outs(%c : tensor<12x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<12x128xf32>
  return %r : tensor<12x128xf32>
}

// -----

// A product starting from a bias broadcast that only it reads: the broadcast is fused into each
// register block, which starts from the bias in registers (no pass writing the whole result
// with the bias first, no read of it back).
// AVX2-LABEL: func.func @bias_init
// AVX2-NOT: linalg.generic
// AVX2: scf.for %{{.+}} = %c0 to %c128 step %c16
// AVX2:   scf.for %{{.+}} = %c0 to %c12 step %c6
// AVX2-COUNT-6: vector.transfer_read {{.+}} : tensor<6xf32>, vector<1x16xf32>
// AVX2-NOT: tensor<6x16xf32>, vector<6x16xf32>
// AVX2:     scf.for {{.+}} -> (vector<6x16xf32>)
// AVX2-NOT: linalg.generic
// AVX2: return
func.func @bias_init(%a: tensor<12x24xf32>, %b: tensor<24x128xf32>, %bias: tensor<12xf32>) -> tensor<12x128xf32> {
  %e = tensor.empty() : tensor<12x128xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<12xf32>) outs(%e : tensor<12x128xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  } -> tensor<12x128xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<12x24xf32>, tensor<24x128xf32>) outs(%c : tensor<12x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<12x128xf32>
  return %r : tensor<12x128xf32>
}

// -----

// Rows split (16 = 12 + 4) where a column block's reduction would be cut into chunks (a 64 KiB
// L2: 16 rows by 2048 do not fit) are split whole, each part chunked on its own: inside the
// chunk loop, the column blocks' parts made bufferization copy each block out and back.
// SMALL-L2-LABEL: func.func @split_rows_chunked
// SMALL-L2: scf.for %{{.+}} = %c0 to %c2048 step %c256 {{.+}} -> (tensor<12x128xf32>)
// SMALL-L2:   scf.for %{{.+}} = %c0 to %c128 step %c16
// SMALL-L2:     scf.for %{{.+}} = %c0 to %c12 step %c6
// SMALL-L2: scf.for %{{.+}} = %c0 to %c2048 step %c256 {{.+}} -> (tensor<4x128xf32>)
// SMALL-L2: return
func.func @split_rows_chunked(%a: tensor<16x2048xf32>, %b: tensor<2048x128xf32>, %c: tensor<16x128xf32>) -> tensor<16x128xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x2048xf32>, tensor<2048x128xf32>) outs(%c : tensor<16x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  return %r : tensor<16x128xf32>
}

// -----

// A left-hand side larger than L2 (96 x 256 floats, 96 KiB, with a 64 KiB L2) is cut into
// chunks of 24 rows (24 KiB, within half of L2), each computed whole with column blocks
// outside row blocks and its ReLU on the registers; the reduction is not cut.
// SMALL-L2-LABEL: func.func @row_chunks
// SMALL-L2: scf.for %{{.+}} = %c0 to %c96 step %c24
// SMALL-L2:   scf.for %{{.+}} = %c0 to %c64 step %c16
// SMALL-L2:     scf.for %{{.+}} = %c0 to %c24 step %c6
// SMALL-L2:       scf.for %{{.+}} = %c0 to %c256 step %c1 {{.+}} -> (vector<6x16xf32>)
// SMALL-L2:       arith.maximumf %{{.+}} : vector<6x16xf32>
// SMALL-L2-NOT: scf.for
// SMALL-L2: return
func.func @row_chunks(%a: tensor<96x256xf32>, %b: tensor<256x64xf32>, %c: tensor<96x64xf32>) -> tensor<96x64xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<96x256xf32>, tensor<256x64xf32>) outs(%c : tensor<96x64xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<96x64xf32>
  %e = tensor.empty() : tensor<96x64xf32>
  %zero = arith.constant 0.0 : f32
  %relu = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%r : tensor<96x64xf32>) outs(%e : tensor<96x64xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<96x64xf32>
  return %relu : tensor<96x64xf32>
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

// A broadcast batch dimension is tiled by 1; 6 rows divide M = 6; N = 48 splits into 32
// columns vectorized 32 wide and 16 vectorized 16 wide.
// CHECK-LABEL: func.func @batch_of_rows
// CHECK: vector<1x6x1x32xf32>
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

// -----

#lhs = affine_map<(m, k, n) -> (m, k)>
#rhs = affine_map<(m, k, n) -> (k, n)>
#out = affine_map<(m, k, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>

// A product that starts from a bias broadcast and is followed by a residual add and ReLU: both
// run on each register block. The block starts as the broadcast bias (no pass over memory), and
// after the k loop the skip input is read, added, clamped and written once, into the result of
// the add; the product's own result is never stored.
// CHECK-LABEL: func.func @product_epilogue
// CHECK-SAME: (%[[A:.+]]: tensor<16x24xf32>, %[[B:.+]]: tensor<24x128xf32>, %[[BIAS:.+]]: tensor<128xf32>, %[[SKIP:.+]]: tensor<16x128xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.for
// CHECK:   scf.for
// CHECK:     %[[BIASTILE:.+]] = tensor.extract_slice %[[BIAS]]
// CHECK:     %[[INIT:.+]] = vector.transfer_read %[[BIASTILE]]{{.+}} : tensor<32xf32>, vector<8x32xf32>
// CHECK:     %[[SUM:.+]] = scf.for {{.+}} iter_args(%{{.+}} = %[[INIT]]) -> (vector<8x32xf32>)
// CHECK:     %[[SKIPTILE:.+]] = tensor.extract_slice %[[SKIP]]
// CHECK:     %[[RES:.+]] = vector.transfer_read %[[SKIPTILE]]{{.+}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK:     %[[ADD:.+]] = arith.addf %[[SUM]], %[[RES]] : vector<8x32xf32>
// CHECK:     %[[RELU:.+]] = arith.maximumf %[[ADD]], %{{.+}} : vector<8x32xf32>
// CHECK:     vector.transfer_write %[[RELU]], %{{.+}} : vector<8x32xf32>, tensor<8x32xf32>
func.func @product_epilogue(%a: tensor<16x24xf32>, %b: tensor<24x128xf32>, %bias: tensor<128xf32>, %skip: tensor<16x128xf32>) -> tensor<16x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x128xf32>
  %init = linalg.generic {indexing_maps = [#row, #id], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<128xf32>) outs(%e : tensor<16x128xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<16x128xf32>
  %p = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x24xf32>, tensor<24x128xf32>) outs(%init : tensor<16x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  %e2 = tensor.empty() : tensor<16x128xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%p, %skip : tensor<16x128xf32>, tensor<16x128xf32>) outs(%e2 : tensor<16x128xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %m = arith.maximumf %s, %zero : f32
    linalg.yield %m : f32
  } -> tensor<16x128xf32>
  return %r : tensor<16x128xf32>
}

// -----

#lhs = affine_map<(m, k, n) -> (m, k)>
#rhs = affine_map<(m, k, n) -> (k, n)>
#out = affine_map<(m, k, n) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>

// An epilogue that reads bools (a mask for Where) stays a separate generic: memory holds one byte
// per i1, but a vector of i1 would be loaded as packed bits.
// CHECK-LABEL: func.func @bool_epilogue
// CHECK: scf.for
// CHECK-NOT: vector<8x32xi1>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<16x128xi1>, tensor<16x128xf32>)
func.func @bool_epilogue(%a: tensor<16x24xf32>, %b: tensor<24x128xf32>, %c: tensor<16x128xf32>, %mask: tensor<16x128xi1>) -> tensor<16x128xf32> {
  %low = arith.constant -1.0e+30 : f32
  %p = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<16x24xf32>, tensor<24x128xf32>) outs(%c : tensor<16x128xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  %e = tensor.empty() : tensor<16x128xf32>
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%mask, %p : tensor<16x128xi1>, tensor<16x128xf32>) outs(%e : tensor<16x128xf32>) {
  ^bb0(%k: i1, %x: f32, %o: f32):
    %s = arith.select %k, %x, %low : f32
    linalg.yield %s : f32
  } -> tensor<16x128xf32>
  return %r : tensor<16x128xf32>
}

// -----

// A product whose 48 columns split into 32 + 16 keeps its ReLU: the ReLU is split at the same
// column, and each part computes its product blocks (8x32, then 8x16) and applies the ReLU to
// them before the one store.
// CHECK-LABEL: func.func @split_epilogue
// CHECK-NOT: linalg.generic
// CHECK: %[[WIDE:.+]] = scf.for {{.+}} -> (vector<8x32xf32>)
// CHECK: arith.maximumf %[[WIDE]], %{{.+}} : vector<8x32xf32>
// CHECK: %[[NARROW:.+]] = scf.for {{.+}} -> (vector<8x16xf32>)
// CHECK: arith.maximumf %[[NARROW]], %{{.+}} : vector<8x16xf32>
func.func @split_epilogue(%a: tensor<8x24xf32>, %b: tensor<24x48xf32>, %c: tensor<8x48xf32>) -> tensor<8x48xf32> {
  %zero = arith.constant 0.0 : f32
  %p = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x24xf32>, tensor<24x48xf32>) outs(%c : tensor<8x48xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x48xf32>
  %e = tensor.empty() : tensor<8x48xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<8x48xf32>) outs(%e : tensor<8x48xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  } -> tensor<8x48xf32>
  return %r : tensor<8x48xf32>
}

// -----

// A result indexed [columns, rows]: the register blocks are the same (7 rows divide 14, 32
// columns), and the accumulator block is read and written once each through a transposing
// map, outside the k loop.
// CHECK-DAG: #[[T:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @transposed_result
// CHECK: %[[INIT:.+]] = vector.transfer_read {{.+}} {in_bounds = [true, true], permutation_map = #[[T]]} : tensor<32x7xf32>, vector<7x32xf32>
// CHECK: %[[LOOP:.+]] = scf.for %{{.+}} = %c0 to %c24 step %c1 iter_args(%{{.+}} = %[[INIT]]) -> (vector<7x32xf32>)
// CHECK: vector.transfer_write %[[LOOP]], {{.+}} {in_bounds = [true, true], permutation_map = #[[T]]} : vector<7x32xf32>, tensor<32x7xf32>
func.func @transposed_result(%a: tensor<14x24xf32>, %b: tensor<24x64xf32>, %c: tensor<64x14xf32>) -> tensor<64x14xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (n, m)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<14x24xf32>, tensor<24x64xf32>) outs(%c : tensor<64x14xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x14xf32>
  return %r : tensor<64x14xf32>
}

// -----

// A reduction so long that one panel of the rhs (8192 x 32 floats, 1 MiB) would not stay in
// cache is cut into chunks. With 8 column blocks, the column loop runs outside the row loop:
// each panel's slice and the lhs slice it meets must stay in L2, and the largest divisor of K
// whose slices (kc x (32 + 14) floats) fit half of it (512 KiB) is 2048. The chunk loop runs
// outermost, carrying the result; the register blocks inside accumulate 2048 steps at a time.
// CHECK-LABEL: func.func @long_reduction
// CHECK: scf.for %{{.+}} = %c0 to %c8192 step %c2048 iter_args
// CHECK:   scf.for %{{.+}} = %c0 to %c256 step %c32
// CHECK:     scf.for %{{.+}} = %c0 to %c14 step %c7
// CHECK:       vector.transfer_read {{.+}} : tensor<7x32xf32>, vector<7x32xf32>
// CHECK:       scf.for %{{.+}} = %c0 to %c2048 step %c1 iter_args
func.func @long_reduction(%a: tensor<14x8192xf32>, %b: tensor<8192x256xf32>, %c: tensor<14x256xf32>) -> tensor<14x256xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<14x8192xf32>, tensor<8192x256xf32>) outs(%c : tensor<14x256xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<14x256xf32>
  return %r : tensor<14x256xf32>
}

// -----

// With 2 column blocks the row loop runs outside: every row block reads the whole rhs
// (8192 x 64 floats, 2 MiB), so its chunks are sized for L1 (48 KiB by default): the largest
// divisor of K whose slices (kc x (64 + 8) floats) fit 3/4 of it is 128.
// CHECK-LABEL: func.func @long_reduction_rows_outside
// CHECK: scf.for %{{.+}} = %c0 to %c8192 step %c128 iter_args
// CHECK:   scf.for %{{.+}} = %c0 to %c14 step %c7
// CHECK:     scf.for %{{.+}} = %c0 to %c64 step %c32
// CHECK:       scf.for %{{.+}} = %c0 to %c128 step %c1 iter_args
func.func @long_reduction_rows_outside(%a: tensor<14x8192xf32>, %b: tensor<8192x64xf32>, %c: tensor<14x64xf32>) -> tensor<14x64xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<14x8192xf32>, tensor<8192x64xf32>) outs(%c : tensor<14x64xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<14x64xf32>
  return %r : tensor<14x64xf32>
}

// -----

// A long reduction keeps its chunks when an epilogue follows: the ReLU is not fused into the
// register blocks (which see only kc steps of the sum at a time) but runs once, after the
// product. Its row block runs outside its column blocks, so the whole product is chunked
// first (its rhs, 8192 x 48 floats, does not fit half of L2; kc x (48 + 8) floats fit 3/4
// of L1 for kc = 128) and both parts of its column split (32 + 16) run inside each chunk.
// CHECK-LABEL: func.func @long_reduction_epilogue
// CHECK: scf.for %{{.+}} = %c0 to %c8192 step %c128 iter_args({{.+}}) -> (vector<8x32xf32>, vector<8x16xf32>)
// CHECK:   scf.for %{{.+}} = %c0 to %c128 step %c1 iter_args({{.+}}) -> (vector<8x32xf32>)
// CHECK:   scf.for %{{.+}} = %c0 to %c128 step %c1 iter_args({{.+}}) -> (vector<8x16xf32>)
// CHECK-NOT: arith.maximumf
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func @long_reduction_epilogue(%a: tensor<8x8192xf32>, %b: tensor<8192x48xf32>, %c: tensor<8x48xf32>) -> tensor<8x48xf32> {
  %zero = arith.constant 0.0 : f32
  %p = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x8192xf32>, tensor<8192x48xf32>) outs(%c : tensor<8x48xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x48xf32>
  %e = tensor.empty() : tensor<8x48xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<8x48xf32>) outs(%e : tensor<8x48xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  } -> tensor<8x48xf32>
  return %r : tensor<8x48xf32>
}

// -----

// Fewer than 16 columns (the 4 left of 196 positions after 192): the rhs columns are transposed
// into rows, and blocks of 4 rows x 4 columns keep 4 x 4 vectors of partial sums over 16
// consecutive k (the reduction innermost), added up once per block.
// CHECK-LABEL: func.func @narrow
// CHECK: %[[T:.+]] = linalg.transpose ins(%{{.+}} : tensor<64x4xf32>) outs(%{{.+}} : tensor<4x64xf32>) permutation = [1, 0]
// CHECK: scf.for %{{.+}} = %c0 to %c8 step %c4
// CHECK:   %[[SUMS:.+]] = scf.for %{{.+}} = %c0 to %c64 step %c16 iter_args(%[[ACC:.+]] = %{{.+}}) -> (vector<4x4x16xf32>)
// CHECK:     arith.mulf {{.+}} : vector<4x4x16xf32>
// CHECK:     arith.addf %[[ACC]], {{.+}} : vector<4x4x16xf32>
// CHECK:   vector.multi_reduction <add>, %[[SUMS]], %{{.+}} [2] : vector<4x4x16xf32> to vector<4x4xf32>
func.func @narrow(%a: tensor<8x64xf32>, %b: tensor<64x4xf32>, %c: tensor<8x4xf32>) -> tensor<8x4xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, k, n) -> (m, k)>, affine_map<(m, k, n) -> (k, n)>, affine_map<(m, k, n) -> (m, n)>], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x64xf32>, tensor<64x4xf32>) outs(%c : tensor<8x4xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %z, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}
