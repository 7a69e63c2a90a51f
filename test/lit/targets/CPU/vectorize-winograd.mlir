// RUN: dlc-opt %s --split-input-file --dlc-convert-graph-to-linalg --dlc-cpu-lower-convolutions --dlc-cpu-align-epilogues --dlc-cpu-vectorize-winograd --canonicalize --cse | FileCheck %s

// The transforms around a Winograd convolution (built by the lowering, which runs first here)
// become vector loops over 16 tiles; only the batched product stays a linalg.generic. A 10x32
// map has too few 4x4 tiles for F(4x4, 3x3) (3 x 8): F(2x2, 3x3), 5 x 16 tiles.
//
// Input transform, per channel: the first and last tile rows read rows of padding; the tile
// rows in between read 4 input rows, each as 3 reads of 32 lanes (columns 0, 1 and 2 on), from
// which every second column is picked 4 times (the first time after a padding lane is shifted
// in front; from column 2, the lane past the row is replaced by padding), and combine them with
// additions and subtractions only.
// CHECK-LABEL: func.func @winograd
// CHECK-SAME: %[[X:.+]]: tensor<1x16x10x32xf32>, %[[B:.+]]: tensor<16xf32>
// CHECK: scf.for %[[C:.+]] = %c0 to %c16 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (tensor<4x4x16x1x5x16xf32>)
// CHECK-COUNT-16: vector.transfer_write {{.+}}[%c{{[0-3]}}, %c{{[0-3]}}, %[[C]], %c0, %c0, %c0]
// CHECK: scf.for %[[TY:.+]] = %c1 to %c4 step %c1 iter_args(%[[V:.+]] = %{{.+}})
// CHECK:   %[[ROW:.+]] = arith.muli %[[TY]], %c2 : index
// CHECK:   %[[ABOVE:.+]] = arith.subi %[[ROW]], %c1 : index
// CHECK:   %[[R0:.+]] = vector.transfer_read %[[X]][%c0, %[[C]], %[[ABOVE]], %c0], %{{.+}} {in_bounds = [true]} : tensor<1x16x10x32xf32>, vector<32xf32>
// CHECK:   %[[P0:.+]] = vector.shuffle %{{.+}}, %[[R0]] [0, 32, 33, {{.+}}, 62] : vector<32xf32>, vector<32xf32>
// CHECK:   vector.shuffle %[[P0]], %[[P0]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// CHECK:   vector.shuffle %[[R0]], %[[R0]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// CHECK:   %[[R2:.+]] = vector.transfer_read %[[X]][%c0, %[[C]], %[[ABOVE]], %c2], %{{.+}} : tensor<1x16x10x32xf32>, vector<32xf32>
// CHECK:   arith.select %{{.+}}, %[[R2]], %{{.+}} : vector<32xi1>, vector<32xf32>
// CHECK-COUNT-13: vector.shuffle {{.+}} [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xf32>, vector<32xf32>
// CHECK-NOT: arith.mulf
// CHECK:   arith.subf {{.+}} : vector<16xf32>
// CHECK:   vector.transfer_write %{{.+}}, %[[V]][%c0, %c0, %[[C]], %c0, %[[TY]], %c0] {in_bounds = [true]} : vector<16xf32>, tensor<4x4x16x1x5x16xf32>
// CHECK-COUNT-15: vector.transfer_write {{.+}}[%c{{[0-3]}}, %c{{[0-3]}}, %[[C]], %c0, %[[TY]], %c0]
// CHECK: scf.yield
//
// The product: 16 batched [16 filters x 16 channels] x [16 channels x 80 tiles].
// CHECK: %[[M:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK: } -> tensor<16x16x80xf32>
// CHECK: %[[M6:.+]] = tensor.expand_shape %[[M]]
//
// Output transform, per filter: starts from the bias, applies the ReLU that followed the
// convolution, and writes each tile row's two output rows as interleaved 32-lane rows.
// CHECK: scf.for %[[F:.+]] = %c0 to %c16 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (tensor<1x16x10x32xf32>)
// CHECK:   %[[BIAS:.+]] = tensor.extract %[[B]][%[[F]]] : tensor<16xf32>
// CHECK:   %[[START:.+]] = vector.broadcast %[[BIAS]] : f32 to vector<16xf32>
// CHECK:   scf.for %[[OTY:.+]] = %c0 to %c5 step %c1 iter_args(%[[Y:.+]] = %{{.+}})
// CHECK-COUNT-16: vector.transfer_read %[[M6]][%c{{[0-3]}}, %c{{[0-3]}}, %[[F]], %c0, %[[OTY]], %c0]
// CHECK-NOT: arith.mulf
// CHECK:     %[[S:.+]] = arith.addf %[[START]], %{{.+}} : vector<16xf32>
// CHECK:     %[[O00:.+]] = arith.maximumf %[[S]], %{{.+}} : vector<16xf32>
// CHECK:     %[[O01:.+]] = arith.maximumf %{{.+}}, %{{.+}} : vector<16xf32>
// CHECK:     %[[ROW0:.+]] = vector.interleave %[[O00]], %[[O01]] : vector<16xf32> -> vector<32xf32>
// CHECK:     %[[Y0:.+]] = arith.muli %[[OTY]], %c2 : index
// CHECK:     %[[W0:.+]] = vector.transfer_write %[[ROW0]], %[[Y]][%c0, %[[F]], %[[Y0]], %c0] {in_bounds = [true]} : vector<32xf32>, tensor<1x16x10x32xf32>
// CHECK:     vector.interleave
// CHECK:     %[[Y1:.+]] = arith.addi %[[Y0]], %c1 : index
// CHECK:     vector.transfer_write %{{.+}}, %[[W0]][%c0, %[[F]], %[[Y1]], %c0] {in_bounds = [true]} : vector<32xf32>, tensor<1x16x10x32xf32>
// CHECK-NOT: linalg.generic
func.func @winograd(%x: tensor<1x16x10x32xf32>, %b: tensor<16xf32>) -> tensor<1x16x10x32xf32> {
  %w = arith.constant dense<1.0> : tensor<16x16x3x3xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x16x10x32xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>) -> tensor<1x16x10x32xf32>
  %1 = graph.relu %0 : tensor<1x16x10x32xf32>
  return %1 : tensor<1x16x10x32xf32>
}

// -----

// F(4x4, 3x3) on a 32x32 map (8 x 8 tiles of 4x4 outputs): the input transform reads 6x6
// tiles 4 apart (every fourth column of 32-lane reads) and writes 36 transformed vectors per tile row, its
// entries other than 1 and -1 as fused multiply-adds; 36 batched products; the output
// transform interleaves each tile row's four outputs into one 32-lane row, four rows per tile.
// CHECK-LABEL: func.func @winograd_4x4
// CHECK: scf.for %[[C:.+]] = %c0 to %c16 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (tensor<6x6x16x1x8x8xf32>)
// CHECK: scf.for %[[TY:.+]] = %c1 to %c7 step %c1
// CHECK:   arith.muli %[[TY]], %c4 : index
// CHECK:   vector.shuffle {{.+}} [0, 4, 8, 12, 16, 20, 24, 28] : vector<32xf32>, vector<32xf32>
// CHECK:   vector.fma {{.+}} : vector<8xf32>
// CHECK-COUNT-36: vector.transfer_write {{.+}} : vector<8xf32>, tensor<6x6x16x1x8x8xf32>
// CHECK: } -> tensor<36x16x64xf32>
// CHECK: scf.for %[[F:.+]] = %c0 to %c16 step %c1 iter_args(%{{.+}} = %{{.+}}) -> (tensor<1x16x32x32xf32>)
// CHECK:   scf.for %[[OTY:.+]] = %c0 to %c8 step %c1
// CHECK-COUNT-36: vector.transfer_read {{.+}} : tensor<6x6x16x1x8x8xf32>, vector<8xf32>
// CHECK-COUNT-4: vector.transfer_write {{.+}} : vector<32xf32>, tensor<1x16x32x32xf32>
// CHECK-NOT: linalg.generic
func.func @winograd_4x4(%x: tensor<1x16x32x32xf32>, %b: tensor<16xf32>) -> tensor<1x16x32x32xf32> {
  %w = arith.constant dense<1.0> : tensor<16x16x3x3xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x16x32x32xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>) -> tensor<1x16x32x32xf32>
  return %0 : tensor<1x16x32x32xf32>
}
