// RUN: dlc-opt %s --dlc-convert-graph-to-linalg --split-input-file | FileCheck %s

// Broadcasting becomes indexing maps: the rank-1 operand reads the innermost dimension only.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<2x3xf32>, tensor<3xf32>) outs(%[[EMPTY]]
// CHECK: arith.addf
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A size-1 dimension stretched against a larger one reads index 0.
// CHECK-DAG: #[[STRETCH:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @sub_stretch
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[STRETCH]], #{{.+}}]
// CHECK: arith.subi
func.func @sub_stretch(%a: tensor<4x3xi32>, %b: tensor<1x3xi32>) -> tensor<4x3xi32> {
  %0 = graph.sub %a, %b : (tensor<4x3xi32>, tensor<1x3xi32>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

// Sigmoid is written out as 1 / (1 + exp(-x)).
// CHECK-LABEL: func.func @sigmoid
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @sigmoid(%a: tensor<8xf32>) -> tensor<8xf32> {
  %0 = graph.sigmoid %a : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Matmul iterates (batch, m, k, n) with k the only reduction; the accumulator starts at zero.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-LABEL: func.func @matmul_broadcast_batch
// CHECK: %[[ZERO:.+]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: outs(%[[ZERO]] : tensor<2x4x5xf32>)
func.func @matmul_broadcast_batch(%a: tensor<2x4x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x4x5xf32> {
  %0 = graph.matmul %a, %b : (tensor<2x4x3xf32>, tensor<3x5xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// Conv pads the input, splits channels into groups and reads input[o * stride + k * dilation];
// the bias initializes the accumulator.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d3, d6 * 2 + d4, d7 * 2 + d5)>
// CHECK-LABEL: func.func @conv_grouped
// CHECK: tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 10, 10]
// CHECK: %[[BIAS:.+]] = linalg.generic
// CHECK: linalg.generic {indexing_maps = [#[[IN]], {{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
// CHECK-SAME: outs(%[[BIAS]] : tensor<1x2x3x4x4xf32>)
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x4x4xf32> into tensor<1x6x4x4xf32>
func.func @conv_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x4x4xf32> {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// Average pooling divides by a compile-time table of window sizes that excludes padding.
// CHECK-LABEL: func.func @avg_pool_excludes_pads
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: %[[COUNTS:.+]] = arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00]]> : tensor<2x2xf32>
// CHECK: linalg.generic
// CHECK-SAME: %[[COUNTS]]
// CHECK: arith.divf
func.func @avg_pool_excludes_pads(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = graph.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, count_include_pad = false} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Softmax subtracts the maximum before exponentiating, then divides by the sum.
// CHECK-LABEL: func.func @softmax
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = graph.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// A reshape is a collapse to rank 1 and an expand: both are views after bufferization.
// CHECK-LABEL: func.func @reshape
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = graph.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// Positive steps give an extract_slice; a negative step reads input[start + i * step].
// CHECK-DAG: #[[REV:.+]] = affine_map<(d0, d1) -> (d0 + 1, -d1 + 4)>
// CHECK-LABEL: func.func @slices
// CHECK: tensor.extract_slice %{{.+}}[0, 1] [2, 2] [1, 2]
// CHECK: linalg.generic {indexing_maps = [#[[REV]],
func.func @slices(%x: tensor<3x5xf32>) -> (tensor<2x2xf32>, tensor<2x5xf32>) {
  %0 = graph.slice %x {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : tensor<3x5xf32> -> tensor<2x2xf32>
  %1 = graph.slice %x {starts = array<i64: 1, 4>, steps = array<i64: 1, -1>} : tensor<3x5xf32> -> tensor<2x5xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2x5xf32>
}

// -----

// Gather wraps negative indices and clamps every index into range before reading.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK: arith.index_cast
// CHECK: arith.select
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %{{.+}}] : tensor<10x4xf32>
func.func @gather(%data: tensor<10x4xf32>, %idx: tensor<3xi64>) -> tensor<3x4xf32> {
  %0 = graph.gather %data, %idx {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// gather_elements reads data at each index position, the index replacing dimension `axis`
// (after wrapping and clamping), the other coordinates those of the result.
// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic {{.+}} ins(%{{.+}} : tensor<2x3xi64>) outs(%{{.+}} : tensor<2x3xf32>)
// CHECK: ^bb0(%[[IDX:.+]]: i64, %{{.+}}: f32):
// CHECK: %[[ROW:.+]] = linalg.index 0 : index
// CHECK: arith.index_cast %[[IDX]]
// CHECK: %[[COL:.+]] = arith.minsi
// CHECK: tensor.extract %{{.+}}[%[[ROW]], %[[COL]]] : tensor<2x5xf32>
func.func @gather_elements(%data: tensor<2x5xf32>, %idx: tensor<2x3xi64>) -> tensor<2x3xf32> {
  %0 = graph.gather_elements %data, %idx {axis = 1 : i64} : (tensor<2x5xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Interior padding writes the input with strides into a filled tensor; edge padding reads each
// result position from the clamped input position.
// CHECK-LABEL: func.func @pad_modes
// CHECK: %[[FILL:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x7xf32>)
// CHECK: tensor.insert_slice %{{.+}} into %[[FILL]][0, 1] [2, 3] [1, 2] : tensor<2x3xf32> into tensor<2x7xf32>
// CHECK: linalg.generic
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[J:.+]] = arith.subi %[[I]], %c2
// CHECK: arith.maxsi %[[J]]
// CHECK: arith.minsi
// CHECK: tensor.extract
func.func @pad_modes(%x: tensor<2x3xf32>) -> (tensor<2x7xf32>, tensor<2x6xf32>) {
  %0 = graph.pad %x {low = array<i64: 0, 1>, high = array<i64: 0, 1>, interior = array<i64: 0, 1>, mode = "constant", value = 0.0 : f32} : tensor<2x3xf32> -> tensor<2x7xf32>
  %1 = graph.pad %x {low = array<i64: 0, 2>, high = array<i64: 0, 1>, interior = array<i64: 0, 0>, mode = "edge", value = 0.0 : f32} : tensor<2x3xf32> -> tensor<2x6xf32>
  return %0, %1 : tensor<2x7xf32>, tensor<2x6xf32>
}

// -----

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
// filters is computed transposed: positions are the rows, the filter, transposed at compile time
// into a [channels, filters] constant, the right-hand side; the result is still indexed
// [n, filter, position], so no transpose follows.
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[FILTER:.+]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1)>
// CHECK-LABEL: func.func @conv_transposed_product
// The transposed filter starts 0.0, 4.0 (w[0][0], w[1][0]; little-endian hex).
// CHECK: %[[FT:.+]] = arith.constant dense<"0x0000000000008040{{.*}}"> : tensor<4x32xf32>
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[COL]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%{{.+}}, %[[FT]] : tensor<1x4x49xf32>, tensor<4x32xf32>) outs(%{{.+}} : tensor<1x32x49xf32>)
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
// transposed).
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

// Floored integer Mod: a non-zero remainder whose sign differs from the divisor's moves by it.
// CHECK-LABEL: func.func @mod_floored
// CHECK: linalg.generic
// CHECK: %[[REM:.+]] = arith.remsi %[[A:.+]], %[[B:.+]] : i32
// CHECK: %[[NZ:.+]] = arith.cmpi ne, %[[REM]], %{{.+}} : i32
// CHECK: %[[RNEG:.+]] = arith.cmpi slt, %[[REM]], %{{.+}} : i32
// CHECK: %[[BNEG:.+]] = arith.cmpi slt, %[[B]], %{{.+}} : i32
// CHECK: %[[DIFFER:.+]] = arith.xori %[[RNEG]], %[[BNEG]] : i1
// CHECK: %[[ADJUST:.+]] = arith.andi %[[NZ]], %[[DIFFER]] : i1
// CHECK: %[[MOVED:.+]] = arith.addi %[[REM]], %[[B]] : i32
// CHECK: arith.select %[[ADJUST]], %[[MOVED]], %[[REM]] : i32
func.func @mod_floored(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = graph.mod %a, %b {fmod = false} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Select broadcasts all three operands into one elementwise op.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @select
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]], #[[ID]]]
// CHECK: arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
func.func @select(%c: tensor<2x3xi1>, %x: tensor<3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = graph.select %c, %x, %y : (tensor<2x3xi1>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// ArgMax carries the best value and its index through one reduction; the first of equal maxima
// wins (a strict comparison).
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @arg_max
// CHECK: %[[R:.+]]:2 = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "reduction"]}
// CHECK: %[[BETTER:.+]] = arith.cmpf ogt, %[[X:.+]], %[[BEST:.+]] : f32
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[I64:.+]] = arith.index_cast %[[I]] : index to i64
// CHECK: arith.select %[[BETTER]], %[[X]], %[[BEST]] : f32
// CHECK: arith.select %[[BETTER]], %[[I64]], %{{.+}} : i64
// CHECK: return %[[R]]#1 : tensor<2x1xi64>
func.func @arg_max(%x: tensor<2x3xf32>) -> tensor<2x1xi64> {
  %0 = graph.arg_max %x {axis = 1 : i64, keepdims = true, last = false} : tensor<2x3xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// scatter_elements copies data into a new tensor (never writing an input), then a loop nest
// over the indices wraps and clamps each index and adds the update to the element there.
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>, %[[I:.+]]: tensor<3x2xi64>, %[[U:.+]]: tensor<3x2xf32>)
// CHECK: %[[COPY:.+]] = linalg.copy ins(%[[X]] : tensor<3x4xf32>) outs(%{{.+}} : tensor<3x4xf32>)
// CHECK: %[[R:.+]] = scf.for %[[ROW:.+]] = %{{.+}} iter_args(%[[OUTER:.+]] = %[[COPY]]) -> (tensor<3x4xf32>)
// CHECK: scf.for %[[COL:.+]] = %{{.+}} iter_args(%[[T:.+]] = %[[OUTER]]) -> (tensor<3x4xf32>)
// CHECK: %[[IDX:.+]] = tensor.extract %[[I]][%[[ROW]], %[[COL]]] : tensor<3x2xi64>
// CHECK: %[[UPD:.+]] = tensor.extract %[[U]][%[[ROW]], %[[COL]]] : tensor<3x2xf32>
// CHECK: arith.index_cast %[[IDX]] : i64 to index
// CHECK: %[[POS:.+]] = arith.minsi
// CHECK: %[[OLD:.+]] = tensor.extract %[[T]][%[[ROW]], %[[POS]]] : tensor<3x4xf32>
// CHECK: %[[SUM:.+]] = arith.addf %[[OLD]], %[[UPD]] : f32
// CHECK: %[[NEW:.+]] = tensor.insert %[[SUM]] into %[[T]][%[[ROW]], %[[POS]]] : tensor<3x4xf32>
// CHECK: scf.yield %[[NEW]]
// CHECK: return %[[R]]
func.func @scatter_elements_add(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = graph.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// scatter_nd loops over the updates: the leading position reads the index tuple (one index per
// addressed dimension), the trailing one walks the row it addresses; without a reduction the
// update replaces the element.
// CHECK-LABEL: func.func @scatter_nd
// CHECK-SAME: (%[[X:.+]]: tensor<3x4xf32>, %[[I:.+]]: tensor<2x1xi32>, %[[U:.+]]: tensor<2x4xf32>)
// CHECK: scf.for %[[Q:.+]] = %{{.+}} iter_args
// CHECK: scf.for %[[J:.+]] = %{{.+}} iter_args(%[[T:.+]] = %{{.+}}) -> (tensor<3x4xf32>)
// CHECK: %[[IDX:.+]] = tensor.extract %[[I]][%[[Q]], %{{.+}}] : tensor<2x1xi32>
// CHECK: arith.index_cast %[[IDX]] : i32 to index
// CHECK: %[[ROW:.+]] = arith.minsi
// CHECK: %[[UPD:.+]] = tensor.extract %[[U]][%[[Q]], %[[J]]] : tensor<2x4xf32>
// CHECK-NOT: tensor.extract
// CHECK: tensor.insert %[[UPD]] into %[[T]][%[[ROW]], %[[J]]] : tensor<3x4xf32>
func.func @scatter_nd(%x: tensor<3x4xf32>, %i: tensor<2x1xi32>, %u: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %0 = graph.scatter_nd %x, %i, %u {reduction = "none"} : (tensor<3x4xf32>, tensor<2x1xi32>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// top_k counts, for each element, the elements that precede it along the axis (larger, or equal
// at a lower index); an element whose count is below k is written at that position, with its
// index. Signed integers compare with sgt.
// CHECK-LABEL: func.func @top_k
// CHECK-SAME: (%[[X:.+]]: tensor<2x5xi32>)
// CHECK: scf.for %[[ROW:.+]] = %{{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<2x3xi32>, tensor<2x3xi64>)
// CHECK: scf.for %[[COL:.+]] = %{{.+}} iter_args(%[[V:.+]] = %{{.+}}, %[[IX:.+]] = %{{.+}})
// CHECK: %[[E:.+]] = tensor.extract %[[X]][%[[ROW]], %[[COL]]] : tensor<2x5xi32>
// CHECK: %[[RANK:.+]] = scf.for %[[M:.+]] = %{{.+}} iter_args(%[[COUNT:.+]] = %{{.+}}) -> (index)
// CHECK: %[[OTHER:.+]] = tensor.extract %[[X]][%[[ROW]], %[[M]]]
// CHECK: arith.cmpi sgt, %[[OTHER]], %[[E]] : i32
// CHECK: arith.cmpi eq, %[[OTHER]], %[[E]] : i32
// CHECK: arith.cmpi ult, %[[M]], %[[COL]] : index
// CHECK: %[[KEPT:.+]] = arith.cmpi ult, %[[RANK]], %{{.+}} : index
// CHECK: scf.if %[[KEPT]] -> (tensor<2x3xi32>, tensor<2x3xi64>)
// CHECK: %[[POS:.+]] = arith.index_cast %[[COL]] : index to i64
// CHECK: tensor.insert %[[E]] into %[[V]][%[[ROW]], %[[RANK]]] : tensor<2x3xi32>
// CHECK: tensor.insert %[[POS]] into %[[IX]][%[[ROW]], %[[RANK]]] : tensor<2x3xi64>
// CHECK: } else {
// CHECK: scf.yield %[[V]], %[[IX]]
func.func @top_k(%x: tensor<2x5xi32>) -> (tensor<2x3xi32>, tensor<2x3xi64>) {
  %0:2 = graph.top_k %x {axis = 1 : i64, k = 3 : i64, largest = true} : tensor<2x5xi32> -> tensor<2x3xi32>, tensor<2x3xi64>
  return %0#0, %0#1 : tensor<2x3xi32>, tensor<2x3xi64>
}
