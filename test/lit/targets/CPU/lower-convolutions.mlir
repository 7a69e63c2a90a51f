// RUN: dlc-opt %s --dlc-convert-graph-to-linalg --dlc-cpu-lower-convolutions --split-input-file | FileCheck %s

// The graph convolutions below are lowered to linalg's named convolutions first (the hand-off),
// then computed the CPU's way: a product over im2col columns, that product transposed for small
// maps, or Winograd.

// An ungrouped convolution is im2col plus a matrix product over (n, f, r, p): filters are the
// rows, output positions the contiguous columns; the bias initializes the product.
// CHECK-DAG: #[[GATHER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
// CHECK-DAG: #[[FILTER:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @conv_as_matmul
// CHECK: %[[PADDED:.+]] = tensor.pad
// CHECK: %[[GATHERED:.+]] = linalg.generic {indexing_maps = [#[[GATHER]], {{.+}}]{{.*}} ins(%[[PADDED]] : tensor<1x3x6x6xf32>) outs(%{{.+}} : tensor<1x3x3x3x4x4xf32>)
// CHECK: %[[COLS:.+]] = tensor.collapse_shape %[[GATHERED]] {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x3x3x3x4x4xf32> into tensor<1x27x16xf32>
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<8x3x3x3xf32> into tensor<8x27xf32>
// CHECK: linalg.generic {indexing_maps = [#[[FILTER]], #[[COL]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[ROWS]], %[[COLS]] : tensor<8x27xf32>, tensor<1x27x16xf32>)
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1], [2, 3]] output_shape [1, 8, 4, 4]
func.func @conv_as_matmul(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x4x4xf32> {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x3x4x4xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// A 1x1, stride-1 convolution needs no gather: its columns are a view of the input.
// CHECK-LABEL: func.func @pointwise_conv
// CHECK: %[[COLS:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : tensor<1x4x5x5xf32> into tensor<1x4x25xf32>
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic {{.+}} ins(%{{.+}}, %[[COLS]] : tensor<6x4xf32>, tensor<1x4x25xf32>)
func.func @pointwise_conv(%x: tensor<1x4x5x5xf32>, %w: tensor<6x4x1x1xf32>) -> tensor<1x6x5x5xf32> {
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x5x5xf32>, tensor<6x4x1x1xf32>) -> tensor<1x6x5x5xf32>
  return %0 : tensor<1x6x5x5xf32>
}

// -----

// A 1x1 convolution with 49 output positions (7x7; vectors of 16 do not divide it) and 32
// filters is computed transposed: positions are the rows of the left-hand side, the input
// transposed to [n, position, channel], the filter, transposed at compile time into a
// [channels, filters] constant, the right-hand side; the result is still indexed
// [n, filter, position], so no transpose follows.
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[FILTER:.+]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1)>
// CHECK-LABEL: func.func @conv_transposed_product
// The transposed filter starts 0.0, 4.0 (w[0][0], w[1][0]; little-endian hex).
// CHECK: %[[XT:.+]] = linalg.transpose ins(%{{.+}} : tensor<1x4x49xf32>) outs(%{{.+}} : tensor<1x49x4xf32>) permutation = [0, 2, 1]
// CHECK: %[[FT:.+]] = arith.constant dense<"0x0000000000008040{{.*}}"> : tensor<4x32xf32>
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[COL]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[XT]], %[[FT]] : tensor<1x49x4xf32>, tensor<4x32xf32>) outs(%{{.+}} : tensor<1x32x49xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: tensor.expand_shape %[[P]] {{\[}}[0], [1], [2, 3]] output_shape [1, 32, 7, 7]
func.func @conv_transposed_product(%x: tensor<1x4x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %w = arith.constant dense<[[[[0.0]], [[1.0]], [[2.0]], [[3.0]]], [[[4.0]], [[5.0]], [[6.0]], [[7.0]]], [[[8.0]], [[9.0]], [[10.0]], [[11.0]]], [[[12.0]], [[13.0]], [[14.0]], [[15.0]]], [[[16.0]], [[17.0]], [[18.0]], [[19.0]]], [[[20.0]], [[21.0]], [[22.0]], [[23.0]]], [[[24.0]], [[25.0]], [[26.0]], [[27.0]]], [[[28.0]], [[29.0]], [[30.0]], [[31.0]]], [[[32.0]], [[33.0]], [[34.0]], [[35.0]]], [[[36.0]], [[37.0]], [[38.0]], [[39.0]]], [[[40.0]], [[41.0]], [[42.0]], [[43.0]]], [[[44.0]], [[45.0]], [[46.0]], [[47.0]]], [[[48.0]], [[49.0]], [[50.0]], [[51.0]]], [[[52.0]], [[53.0]], [[54.0]], [[55.0]]], [[[56.0]], [[57.0]], [[58.0]], [[59.0]]], [[[60.0]], [[61.0]], [[62.0]], [[63.0]]], [[[64.0]], [[65.0]], [[66.0]], [[67.0]]], [[[68.0]], [[69.0]], [[70.0]], [[71.0]]], [[[72.0]], [[73.0]], [[74.0]], [[75.0]]], [[[76.0]], [[77.0]], [[78.0]], [[79.0]]], [[[80.0]], [[81.0]], [[82.0]], [[83.0]]], [[[84.0]], [[85.0]], [[86.0]], [[87.0]]], [[[88.0]], [[89.0]], [[90.0]], [[91.0]]], [[[92.0]], [[93.0]], [[94.0]], [[95.0]]], [[[96.0]], [[97.0]], [[98.0]], [[99.0]]], [[[100.0]], [[101.0]], [[102.0]], [[103.0]]], [[[104.0]], [[105.0]], [[106.0]], [[107.0]]], [[[108.0]], [[109.0]], [[110.0]], [[111.0]]], [[[112.0]], [[113.0]], [[114.0]], [[115.0]]], [[[116.0]], [[117.0]], [[118.0]], [[119.0]]], [[[120.0]], [[121.0]], [[122.0]], [[123.0]]], [[[124.0]], [[125.0]], [[126.0]], [[127.0]]]]> : tensor<32x4x1x1xf32>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x7x7xf32>, tensor<32x4x1x1xf32>) -> tensor<1x32x7x7xf32>
  return %0 : tensor<1x32x7x7xf32>
}

// -----

// With a bias, the transposed product starts from zero and the bias is added after it, by an
// elementwise op (register blocks then start from a constant instead of reading a filled buffer
// transposed). The transposed kernel stores its blocks transposed and takes this add as its
// epilogue in the product's shape.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @conv_transposed_product_bias
// CHECK-SAME: %{{.+}}: tensor<1x4x7x7xf32>, %[[B:.+]]: tensor<32xf32>
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x32x49xf32>)
// CHECK: %[[P:.+]] = linalg.generic {{.+}} outs(%[[ZERO]] : tensor<1x32x49xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[BIAS]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[P]], %[[B]] : tensor<1x32x49xf32>, tensor<32xf32>)
// CHECK: arith.addf
// CHECK: tensor.expand_shape %[[SUM]]
func.func @conv_transposed_product_bias(%x: tensor<1x4x7x7xf32>, %b: tensor<32xf32>) -> tensor<1x32x7x7xf32> {
  %w = arith.constant dense<1.0> : tensor<32x4x1x1xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x7x7xf32>, tensor<32x4x1x1xf32>, tensor<32xf32>) -> tensor<1x32x7x7xf32>
  return %0 : tensor<1x32x7x7xf32>
}

// -----

// A 3x3, stride-1 convolution of constant f32 filters with enough channels and tiles becomes
// Winograd F(2x2, 3x3): an input transform of 4x4 tiles 2 apart (B^T d B, from the padded input,
// one more row and column of padding for the odd 7x7 output), 16 batched products with the
// filters transformed at compile time (G g G^T: for filters of ones, 1.0 at [0, 0] and 1.5 at
// [0, 1]), and an output transform (A^T M A) that starts from the bias and keeps 7 of 8 rows
// and columns. (A batch of 2 makes 32 tiles; with fewer the convolution would keep im2col.)
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d2, d4 * 2 + d6, d5 * 2 + d7)>
// CHECK-DAG: #[[BA:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d6)>
// CHECK-DAG: #[[BB:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d7)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4, d5)>
// CHECK-DAG: #[[M:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d6, d7, d1, d0, d2, d4)>
// CHECK-DAG: #[[AI:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d3, d6)>
// CHECK-DAG: #[[AJ:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d7)>
// CHECK-DAG: #[[FILTER:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[TILES:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[PRODUCT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @conv_winograd
// CHECK-SAME: %[[X:.+]]: tensor<2x16x7x7xf32>, %[[B:.+]]: tensor<32xf32>
// CHECK: %[[PADDED:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: %[[BT:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 0.000000e+00, -1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00], [0.000000e+00, -1.000000e+00, 1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, 0.000000e+00, -1.000000e+00]]> : tensor<4x4xf32>
// CHECK: %[[VT:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[BA]], #[[BB]], #[[V]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[PADDED]], %[[BT]], %[[BT]] : tensor<2x16x10x10xf32>, tensor<4x4xf32>, tensor<4x4xf32>) outs(%{{.+}} : tensor<4x4x16x2x4x4xf32>)
// CHECK: %[[VM:.+]] = tensor.collapse_shape %[[VT]] {{\[}}[0, 1], [2], [3, 4, 5]] : tensor<4x4x16x2x4x4xf32> into tensor<16x16x32xf32>
// CHECK: %[[U:.+]] = arith.constant dense<"0x0000803F{{.*}}"> : tensor<16x32x16xf32>
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[FILTER]], #[[TILES]], #[[PRODUCT]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[U]], %[[VM]] : tensor<16x32x16xf32>, tensor<16x16x32xf32>) outs(%{{.+}} : tensor<16x32x32xf32>)
// CHECK: %[[PM:.+]] = tensor.expand_shape %[[P]] {{\[}}[0, 1], [2], [3, 4, 5]] output_shape [4, 4, 32, 2, 4, 4]
// CHECK: %[[INIT:.+]] = linalg.generic {{.+}} ins(%[[B]] : tensor<32xf32>) outs(%{{.+}} : tensor<2x32x4x2x4x2xf32>)
// CHECK: %[[AT:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00, -1.000000e+00, -1.000000e+00]]> : tensor<2x4xf32>
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[M]], #[[AI]], #[[AJ]], #[[V]]]
// CHECK-SAME: ins(%[[PM]], %[[AT]], %[[AT]] : tensor<4x4x32x2x4x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) outs(%[[INIT]] : tensor<2x32x4x2x4x2xf32>)
// CHECK: %[[YC:.+]] = tensor.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3], [4, 5]] : tensor<2x32x4x2x4x2xf32> into tensor<2x32x8x8xf32>
// CHECK: tensor.extract_slice %[[YC]][0, 0, 0, 0] [2, 32, 7, 7] [1, 1, 1, 1]
func.func @conv_winograd(%x: tensor<2x16x7x7xf32>, %b: tensor<32xf32>) -> tensor<2x32x7x7xf32> {
  %w = arith.constant dense<1.0> : tensor<32x16x3x3xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<2x16x7x7xf32>, tensor<32x16x3x3xf32>, tensor<32xf32>) -> tensor<2x32x7x7xf32>
  return %0 : tensor<2x32x7x7xf32>
}

// -----

// With 16 tiles (one 7x7 map) the transformed filters would be read for too few columns: the
// convolution stays im2col and one product over the 9 * 16 = 144 gathered rows.
// CHECK-LABEL: func.func @conv_few_tiles
// CHECK-NOT: tensor<4x4xf32>
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3], [4, 5]] : tensor<1x16x3x3x7x7xf32> into tensor<1x144x49xf32>
func.func @conv_few_tiles(%x: tensor<1x16x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %w = arith.constant dense<1.0> : tensor<32x16x3x3xf32>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x16x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x7x7xf32>
  return %0 : tensor<1x32x7x7xf32>
}

// -----

// An init that is neither a fill nor a broadcast bias (here a residual, an argument) is reshaped
// to the product's [n, f, positions] and accumulated onto.
// CHECK-LABEL: func.func @conv_accumulates_onto_init
// CHECK-SAME: %[[X:.+]]: tensor<1x4x5x5xf32>, %[[W:.+]]: tensor<6x4x1x1xf32>, %[[R:.+]]: tensor<1x6x5x5xf32>
// CHECK: %[[START:.+]] = tensor.collapse_shape %[[R]] {{\[}}[0], [1], [2, 3]] : tensor<1x6x5x5xf32> into tensor<1x6x25xf32>
// CHECK: linalg.generic {{.+}} outs(%[[START]] : tensor<1x6x25xf32>)
func.func @conv_accumulates_onto_init(%x: tensor<1x4x5x5xf32>, %w: tensor<6x4x1x1xf32>, %r: tensor<1x6x5x5xf32>) -> tensor<1x6x5x5xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x5x5xf32>, tensor<6x4x1x1xf32>) outs(%r : tensor<1x6x5x5xf32>) -> tensor<1x6x5x5xf32>
  return %0 : tensor<1x6x5x5xf32>
}

// -----

// The same for Winograd with an odd output: the init is padded to whole 2x2 tiles, then split
// into them; the input (no padding of its own here) gets one zero row and column at the end.
// CHECK-LABEL: func.func @winograd_accumulates_onto_init
// CHECK-SAME: %[[X:.+]]: tensor<2x16x9x9xf32>, %[[R:.+]]: tensor<2x16x7x7xf32>
// CHECK: tensor.pad %[[X]] low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: %[[RP:.+]] = tensor.pad %[[R]] low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: %[[START:.+]] = tensor.expand_shape %[[RP]] {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [2, 16, 4, 2, 4, 2]
// CHECK: linalg.generic {{.+}} outs(%[[START]] : tensor<2x16x4x2x4x2xf32>)
func.func @winograd_accumulates_onto_init(%x: tensor<2x16x9x9xf32>, %r: tensor<2x16x7x7xf32>) -> tensor<2x16x7x7xf32> {
  %w = arith.constant dense<1.0> : tensor<16x16x3x3xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<2x16x9x9xf32>, tensor<16x16x3x3xf32>) outs(%r : tensor<2x16x7x7xf32>) -> tensor<2x16x7x7xf32>
  return %0 : tensor<2x16x7x7xf32>
}

// -----

// An int8 convolution (summed in int32) is a product over columns packed for vpdpbusd: 6
// channels padded to 8 (two groups of 4), col[n, cq, kh, kw, oh, ow, j] = x[n, 4 cq + j, oh + kh,
// ow + kw], and the filters reordered at compile time to [F, (cq, kh, kw), j]: filter 0's first
// group holds channels 0..3 at (0, 0), 1, 10, 19, 28; its group (1, 0, 0) channels 4, 5 and two
// zeros, 37, 46, 0, 0. The operands are sign-extended, and the result stays [N, F, OH*OW].
// CHECK-DAG: #[[PACK:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 4 + d6, d2 + d4, d3 + d5)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2, d4)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @int8_conv
// CHECK: %[[PADDED:.+]] = tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 2, 0, 0]
// CHECK: %[[PACKED:.+]] = linalg.generic {indexing_maps = [#[[PACK]], {{.+}}]{{.*}} ins(%[[PADDED]] : tensor<1x8x5x5xi8>) outs(%{{.+}} : tensor<1x2x3x3x3x3x4xi8>)
// CHECK: %[[COLS:.+]] = tensor.collapse_shape %[[PACKED]] {{\[}}[0], [1, 2, 3], [4, 5], [6]] : tensor<1x2x3x3x3x3x4xi8> into tensor<1x18x9x4xi8>
// CHECK: %[[WEIGHTS:.+]] = arith.constant dense<"0x010A131C020B141D{{.+}}252E0000262F0000{{.+}}"> : tensor<2x18x4xi8>
// CHECK: linalg.generic {indexing_maps = [#[[W]], #[[COL]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[WEIGHTS]], %[[COLS]] : tensor<2x18x4xi8>, tensor<1x18x9x4xi8>) outs(%{{.+}} : tensor<1x2x9xi32>)
// CHECK: arith.extsi
// CHECK: arith.extsi
// CHECK: arith.muli
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1], [2, 3]] output_shape [1, 2, 3, 3]
func.func @int8_conv(%x: tensor<1x6x5x5xi8>) -> tensor<1x2x3x3xi32> {
  %w = graph.constant dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[10, 11, 12], [13, 14, 15], [16, 17, 18]], [[19, 20, 21], [22, 23, 24], [25, 26, 27]], [[28, 29, 30], [31, 32, 33], [34, 35, 36]], [[37, 38, 39], [40, 41, 42], [43, 44, 45]], [[46, 47, 48], [49, 50, 51], [52, 53, 54]]], [[[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]], [[-10, -11, -12], [-13, -14, -15], [-16, -17, -18]], [[-19, -20, -21], [-22, -23, -24], [-25, -26, -27]], [[-28, -29, -30], [-31, -32, -33], [-34, -35, -36]], [[-37, -38, -39], [-40, -41, -42], [-43, -44, -45]], [[-46, -47, -48], [-49, -50, -51], [-52, -53, -54]]]]> : tensor<2x6x3x3xi8>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x6x5x5xi8>, tensor<2x6x3x3xi8>) -> tensor<1x2x3x3xi32>
  return %0 : tensor<1x2x3x3xi32>
}

// -----

// A bf16 convolution (summed in f32) packs pairs of channels, with stride 2 in the packing's
// map, and starts from zero: the bias is added after the product, where fusion merges it with
// what follows.
// CHECK-DAG: #[[PACK:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 * 2 + d6, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-LABEL: func.func @bf16_conv
// CHECK: linalg.generic {indexing_maps = [#[[PACK]], {{.+}}]{{.*}} outs(%{{.+}} : tensor<1x2x1x1x3x3x2xbf16>)
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x8x9xf32>)
// CHECK: %[[PRODUCT:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %{{.+}} : tensor<8x2x2xbf16>, tensor<1x2x9x2xbf16>) outs(%[[ZERO]] : tensor<1x8x9xf32>)
// CHECK: arith.extf
// CHECK: arith.extf
// CHECK: %[[SUMS:.+]] = tensor.expand_shape %[[PRODUCT]]
// CHECK: linalg.generic {{.+}} ins(%[[SUMS]], %{{.+}} : tensor<1x8x3x3xf32>, tensor<8xf32>)
// CHECK: arith.addf
func.func @bf16_conv(%x: tensor<1x4x6x6xbf16>, %b: tensor<8xf32>) -> tensor<1x8x3x3xf32> {
  %w = graph.constant dense<1.0> : tensor<8x4x1x1xbf16>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x6x6xbf16>, tensor<8x4x1x1xbf16>, tensor<8xf32>) -> tensor<1x8x3x3xf32>
  return %0 : tensor<1x8x3x3xf32>
}

// -----

// An int8 depthwise convolution (group = channels = filters) is the depthwise product of
// DotConvolution.h: the taps grouped 4 along the filter's width, the input read in place. A
// 3-wide filter becomes one group per row, its fourth tap zero; the 9-wide rows are padded by
// one column, where output column 6's zero tap reads (6 + 3 = 9). Stride 2 along the height
// only: (oh * 2 + kh, ow + kq * 4 + j).
// CHECK-DAG: #[[INPUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2 * 2 + d4, d3 + d5 * 4 + d6)>
// CHECK-DAG: #[[FILTER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-DAG: #[[OUTPUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @int8_depthwise
// CHECK: tensor.pad %{{.+}} low[0, 0, 0, 0] high[0, 0, 0, 1]
// CHECK: } : tensor<1x2x6x9xi8> to tensor<1x2x6x10xi8>
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[\[\[}}1, 2, 3, 0]], {{\[\[}}4, 5, 6, 0]], {{\[\[}}7, 8, 9, 0]]], {{\[\[\[}}-1, -2, -3, 0]], {{\[\[}}-4, -5, -6, 0]], {{\[\[}}-7, -8, -9, 0]]]]> : tensor<2x3x1x4xi8>
// CHECK: linalg.generic {indexing_maps = [#[[INPUT]], #[[FILTER]], #[[OUTPUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.+}}, %[[W]] : tensor<1x2x6x10xi8>, tensor<2x3x1x4xi8>) outs(%{{.+}} : tensor<1x2x2x7xi32>)
// CHECK: arith.extsi
// CHECK: arith.extsi
// CHECK: arith.muli
func.func @int8_depthwise(%x: tensor<1x2x6x9xi8>) -> tensor<1x2x2x7xi32> {
  %w = graph.constant dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]]]> : tensor<2x1x3x3xi8>
  %0 = graph.conv %x, %w {strides = array<i64: 2, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x2x6x9xi8>, tensor<2x1x3x3xi8>) -> tensor<1x2x2x7xi32>
  return %0 : tensor<1x2x2x7xi32>
}

// -----

// A bf16 depthwise convolution with a bias groups its taps in pairs (a 3-wide filter: 2
// groups, the last one's second tap zero) and sums from zero; the bias, which the grouped
// lowering broadcast over [N, G, 1, OH, OW], is added after as the [C] vector along the
// channels, in an elementwise op that fusion merges with what follows.
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @bf16_depthwise_bias
// CHECK: %[[W:.+]] = arith.constant dense<{{.+}}> : tensor<2x3x2x2xbf16>
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x2x2x4xf32>)
// CHECK: %[[P:.+]] = linalg.generic {{.+}} ins(%{{.+}}, %[[W]] : tensor<1x2x4x7xbf16>, tensor<2x3x2x2xbf16>) outs(%[[ZERO]] : tensor<1x2x2x4xf32>)
// CHECK: %[[B:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<2x1xf32> into tensor<2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[BIAS]], #{{.+}}]{{.+}} ins(%[[P]], %[[B]] : tensor<1x2x2x4xf32>, tensor<2xf32>)
// CHECK: arith.addf
func.func @bf16_depthwise_bias(%x: tensor<1x2x4x6xbf16>, %b: tensor<2xf32>) -> tensor<1x2x2x4xf32> {
  %w = graph.constant dense<1.0> : tensor<2x1x3x3xbf16>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x2x4x6xbf16>, tensor<2x1x3x3xbf16>, tensor<2xf32>) -> tensor<1x2x2x4xf32>
  return %0 : tensor<1x2x2x4xf32>
}

// -----

// Fewer channels than a vector (an image's 3) and a 3x3 filter: computed directly (the rules'
// dlc-cpu-vectorize-direct-convolutions), the input read in place rather than as im2col columns.
// The stride 2 along the width splits the padded input's rows into their two phases (even and
// odd columns), padded on the right to whole vectors: 6 positions round up to 16, and the last
// tap (kw = 2) starts one column later in phase 0, so 17 columns per phase, 34 padded.
// CHECK-DAG: #[[PHASE:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4 * 2 + d3)>
// CHECK-DAG: #[[X:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d6 mod 2, d3 + d6 floordiv 2)>
// CHECK-DAG: #[[W:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_direct
// CHECK-SAME: 3 channels: im2col columns 9 taps long
// CHECK: %[[PADDED:.+]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 22]
// CHECK: to tensor<1x3x13x34xf32>
// CHECK: %[[PHASES:.+]] = linalg.generic {indexing_maps = [#[[PHASE]], {{.+}}]{{.*}} ins(%[[PADDED]] : tensor<1x3x13x34xf32>) outs(%{{.+}} : tensor<1x3x13x2x17xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[PHASES]], %{{.+}} : tensor<1x3x13x2x17xf32>, tensor<8x3x3x3xf32>)
func.func @conv_direct(%x: tensor<1x3x11x11xf32>, %b: tensor<8xf32>) -> tensor<1x8x6x6xf32> {
  %w = arith.constant dense<0.5> : tensor<8x3x3x3xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x3x11x11xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// A 1x1 convolution on a 14x14 map, whose 196 positions vectors of 16 do not divide, with whole
// vectors of filters: computed as a transposed direct convolution (the rules'
// dlc-cpu-vectorize-transposed-convolutions), the named convolution's own generic over the
// input as it is, starting from the bias.
// CHECK-DAG: #[[TX:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[TW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-DAG: #[[TOUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_transposed_direct
// CHECK-SAME: 196 output positions, not a multiple of 16 lanes, in rows of 14
// CHECK: linalg.generic {indexing_maps = [#[[TX]], #[[TW]], #[[TOUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%arg0, %{{.+}} : tensor<1x32x14x14xf32>, tensor<16x32x1x1xf32>) outs(%{{.+}} : tensor<1x16x14x14xf32>)
func.func @conv_transposed_direct(%x: tensor<1x32x14x14xf32>, %b: tensor<16xf32>) -> tensor<1x16x14x14xf32> {
  %w = arith.constant dense<0.5> : tensor<16x32x1x1xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x32x14x14xf32>, tensor<16x32x1x1xf32>, tensor<16xf32>) -> tensor<1x16x14x14xf32>
  return %0 : tensor<1x16x14x14xf32>
}

// -----

// An image's stem with 147 taps (3 channels, 7x7) and 16 filters: transposed direct too, over
// the padded input, its stride in the map.
// CHECK-DAG: #[[SX:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 2 + d6)>
// CHECK-LABEL: func.func @stem_transposed_direct
// CHECK-SAME: 147 taps of 3 channels: whole vectors of filters instead
// CHECK: %[[PADDED:.+]] = tensor.pad %arg0 low[0, 0, 3, 3] high[0, 0, 3, 3]
// CHECK: linalg.generic {indexing_maps = [#[[SX]], {{.+}}]
// CHECK-SAME: ins(%[[PADDED]], %{{.+}} : tensor<1x3x38x38xf32>, tensor<16x3x7x7xf32>)
func.func @stem_transposed_direct(%x: tensor<1x3x32x32xf32>) -> tensor<1x16x16x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x3x7x7xf32>
  %0 = graph.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 3, 3, 3, 3>, group = 1 : i64} : (tensor<1x3x32x32xf32>, tensor<16x3x7x7xf32>) -> tensor<1x16x16x16xf32>
  return %0 : tensor<1x16x16x16xf32>
}
