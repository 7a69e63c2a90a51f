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

// A size-1 dimension stretched against a larger one is collapsed away, so the operand is read
// through a projected permutation.
// CHECK-DAG: #[[STRETCH:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @sub_stretch
// CHECK: %[[ROW:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1]] : tensor<1x3xi32> into tensor<3xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[STRETCH]], #{{.+}}]{{.*}} ins(%{{.+}}, %[[ROW]] :
// CHECK: arith.subi
func.func @sub_stretch(%a: tensor<4x3xi32>, %b: tensor<1x3xi32>) -> tensor<4x3xi32> {
  %0 = graph.sub %a, %b : (tensor<4x3xi32>, tensor<1x3xi32>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

// A per-channel operand [C, 1, 1] of an NCHW op keeps only its channel dimension.
// CHECK-DAG: #[[CHANNEL:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @mul_per_channel
// CHECK: %[[SCALE:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1, 2]] : tensor<8x1x1xf32> into tensor<8xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[CHANNEL]], #{{.+}}]{{.*}} ins(%{{.+}}, %[[SCALE]] :
func.func @mul_per_channel(%a: tensor<1x8x5x5xf32>, %b: tensor<8x1x1xf32>) -> tensor<1x8x5x5xf32> {
  %0 = graph.mul %a, %b : (tensor<1x8x5x5xf32>, tensor<8x1x1xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
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

// An ungrouped convolution is linalg's named convolution on the padded input, accumulating onto
// the bias broadcast along the filters; how it is computed is the target's choice.
// CHECK-DAG: #[[FILTERS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv_named
// CHECK-SAME: %[[X:.+]]: tensor<1x3x4x4xf32>, %[[W:.+]]: tensor<8x3x3x3xf32>, %[[B:.+]]: tensor<8xf32>
// CHECK: %[[PADDED:.+]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[FILTERS]], {{.+}}]{{.*}} ins(%[[B]] : tensor<8xf32>) outs(%{{.+}} : tensor<1x8x4x4xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
// CHECK-SAME: ins(%[[PADDED]], %[[W]] : tensor<1x3x6x6xf32>, tensor<8x3x3x3xf32>) outs(%[[INIT]] : tensor<1x8x4x4xf32>)
func.func @conv_named(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x4x4xf32> {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x3x4x4xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Without a bias the sums start from zero; a one-dimensional convolution keeps its strides and
// dilations.
// CHECK-LABEL: func.func @conv_named_1d
// CHECK-NOT: tensor.pad
// CHECK: %[[ZERO:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<1x6x3xf32>)
// CHECK: linalg.conv_1d_ncw_fcw {dilations = dense<2> : tensor<1xi64>, strides = dense<3> : tensor<1xi64>}
// CHECK-SAME: outs(%[[ZERO]] : tensor<1x6x3xf32>)
func.func @conv_named_1d(%x: tensor<1x4x11xf32>, %w: tensor<6x4x2xf32>) -> tensor<1x6x3xf32> {
  %0 = graph.conv %x, %w {strides = array<i64: 3>, dilations = array<i64: 2>, pads = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x11xf32>, tensor<6x4x2xf32>) -> tensor<1x6x3xf32>
  return %0 : tensor<1x6x3xf32>
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

// -----

// A mean over the trailing axes (a global average pool) reduces one row per channel: the rows
// and columns collapse into one dimension, and the kept axes are written at 0.
// CHECK-DAG: #[[ROWS:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[KEPT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, 0, 0)>
// CHECK-LABEL: func.func @global_mean
// CHECK: %[[ROW:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : tensor<2x8x6x5xf32> into tensor<2x8x30xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[ROWS]], #[[KEPT]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[ROW]] : tensor<2x8x30xf32>)
// CHECK-SAME: outs(%{{.+}} : tensor<2x8x1x1xf32>)
// CHECK: linalg.generic {{.+}} ins(%[[SUM]] : tensor<2x8x1x1xf32>)
// CHECK: arith.divf
func.func @global_mean(%x: tensor<2x8x6x5xf32>) -> tensor<2x8x1x1xf32> {
  %0 = graph.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = true} : tensor<2x8x6x5xf32> -> tensor<2x8x1x1xf32>
  return %0 : tensor<2x8x1x1xf32>
}
