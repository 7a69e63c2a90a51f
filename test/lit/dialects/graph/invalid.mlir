// RUN: dlc-opt %s --split-input-file --verify-diagnostics
// Each graph-op verifier rejects what the lowering cannot handle and prints the values it rejected.

// Operands whose trailing dimensions differ and are not 1 do not broadcast.
func.func @add_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.add' op operand shapes [2x3] and [4] do not broadcast}}
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The result of a binary op must have exactly the broadcast shape.
func.func @mul_wrong_result(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{'graph.mul' op result shape [2x1] is not the broadcast shape [2x3]}}
  %0 = graph.mul %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// Pow broadcasts its base and exponent like the other binary ops.
func.func @pow_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.pow' op operand shapes [2x3] and [2] do not broadcast}}
  %0 = graph.pow %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// MatMul's lhs columns must equal its rhs rows.
func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{'graph.matmul' op contraction sizes differ: [2x3] x [4x5]}}
  %0 = graph.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// MatMul takes matrices; the importer reshapes ONNX's vector operands first.
func.func @matmul_vector(%a: tensor<3xf32>, %b: tensor<3x5xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'graph.matmul' op expects operands of rank >= 2, got [3] and [3x5]}}
  %0 = graph.matmul %a, %b : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// MatMul's batch dimensions must broadcast.
func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<4x3x5xf32>) -> tensor<4x2x5xf32> {
  // expected-error @+1 {{'graph.matmul' op batch dimensions of [2x2x3] and [4x3x5] do not broadcast}}
  %0 = graph.matmul %a, %b : (tensor<2x2x3xf32>, tensor<4x3x5xf32>) -> tensor<4x2x5xf32>
  return %0 : tensor<4x2x5xf32>
}

// -----

// MatMul's result is [batch..., M, N].
func.func @matmul_result(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{'graph.matmul' op result shape [3x5] should be [2x5]}}
  %0 = graph.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// A conv group count must divide the input channels and the filters.
func.func @conv_group(%x: tensor<1x4x5x5xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x6x3x3xf32> {
  // expected-error @+1 {{'graph.conv' op group=3 must divide 4 input channels and 6 filters}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
                          pads = array<i64: 0, 0, 0, 0>, group = 3 : i64}
      : (tensor<1x4x5x5xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// Each filter sees C/group input channels.
func.func @conv_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32> {
  // expected-error @+1 {{'graph.conv' op filter has 4 channels per group, input has 4 channels in 2 groups}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
                          pads = array<i64: 0, 0, 0, 0>, group = 2 : i64}
      : (tensor<1x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// An int8 convolution is ungrouped or depthwise: the integer kernels' two forms.
func.func @conv_int8_grouped(%x: tensor<1x4x5x5xi8>, %w: tensor<4x2x3x3xi8>) -> tensor<1x4x3x3xi32> {
  // expected-error @+1 {{'graph.conv' op an int8 or bf16 convolution must be ungrouped or depthwise (one input and one output channel per group)}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
                          pads = array<i64: 0, 0, 0, 0>, group = 2 : i64}
      : (tensor<1x4x5x5xi8>, tensor<4x2x3x3xi8>) -> tensor<1x4x3x3xi32>
  return %0 : tensor<1x4x3x3xi32>
}

// -----

// A conv result's spatial size follows from input, kernel, pads, strides and dilations.
func.func @conv_spatial(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x4xf32> {
  // expected-error @+1 {{'graph.conv' op spatial dimension 1 of the result is 4, expected 3}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 2>, dilations = array<i64: 1, 1>,
                          pads = array<i64: 0, 0, 0, 0>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x4xf32>
  return %0 : tensor<1x2x6x4xf32>
}

// -----

// Conv pads hold k begin and k end values.
func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error @+1 {{'graph.conv' op expects 4 pads, got 2}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
                          pads = array<i64: 0, 0>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %0 : tensor<1x2x6x6xf32>
}

// -----

// A pool result has the floor-mode size or, in ceil mode, one more.
func.func @max_pool_size(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x4x2xf32> {
  // expected-error @+1 {{'graph.max_pool' op spatial dimension 0 of the result is 4, expected 2 (or one more in ceil mode)}}
  %0 = graph.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                          dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
      : tensor<1x3x5x5xf32> -> tensor<1x3x4x2xf32>
  return %0 : tensor<1x3x4x2xf32>
}

// -----

// Pooling keeps the batch and channel dimensions.
func.func @avg_pool_channels(%x: tensor<1x3x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{'graph.avg_pool' op kernel rank or result shape [1x2x2x2] does not match input [1x3x4x4]}}
  %0 = graph.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
                          dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>,
                          count_include_pad = false}
      : tensor<1x3x4x4xf32> -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Reduction axes must be sorted and unique.
func.func @reduce_unsorted(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'graph.reduce_sum' op axes must be sorted, unique and in [0, 3)}}
  %0 = graph.reduce_sum %x {axes = array<i64: 2, 0>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Reduction axes are non-negative; the importer normalizes ONNX's negative axes.
func.func @reduce_negative(%x: tensor<2x3x4xf32>) -> tensor<2x3x1xf32> {
  // expected-error @+1 {{'graph.reduce_max' op axes must be sorted, unique and in [0, 3)}}
  %0 = graph.reduce_max %x {axes = array<i64: -1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

// With keepdims the reduced axes stay as size 1.
func.func @reduce_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'graph.reduce_mean' op result shape [2x4] does not match the reduced shape [2x1x4]}}
  %0 = graph.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Softmax's axis is a dimension of the input.
func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.softmax' op axis 2 is out of range for rank 2}}
  %0 = graph.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Softmax's axis is non-negative; the importer normalizes ONNX's negative axes.
func.func @softmax_negative_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.softmax' op axis -1 is out of range for rank 2}}
  %0 = graph.softmax %x {axis = -1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A transpose perm must name every dimension once.
func.func @transpose_not_permutation(%x: tensor<2x3x4xf32>) -> tensor<2x2x4xf32> {
  // expected-error @+1 {{'graph.transpose' op perm is not a permutation of [0, 3)}}
  %0 = graph.transpose %x {perm = array<i64: 0, 0, 2>} : tensor<2x3x4xf32> -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

// A transpose perm has one entry per dimension.
func.func @transpose_perm_size(%x: tensor<2x3x4xf32>) -> tensor<3x2x4xf32> {
  // expected-error @+1 {{'graph.transpose' op perm has 2 entries for rank 3}}
  %0 = graph.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

// -----

// Result dimension i of a transpose is input dimension perm[i].
func.func @transpose_result(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  // expected-error @+1 {{'graph.transpose' op result dimension 0 is 4, expected 3}}
  %0 = graph.transpose %x {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// Concat inputs add up to the result along the axis.
func.func @concat_sum(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'graph.concat' op inputs add up to 7 along axis 1, result has 8}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Concat inputs agree with the result outside the axis.
func.func @concat_other_dim(%a: tensor<2x3xf32>, %b: tensor<5x4xf32>) -> tensor<2x7xf32> {
  // expected-error @+1 {{'graph.concat' op input [5x4] differs from the result [2x7] outside axis 1}}
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<5x4xf32>) -> tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}

// -----

// Concat's axis is a non-negative dimension index.
func.func @concat_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.concat' op axis 2 is out of range for rank 2}}
  %0 = graph.concat %a {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A slice whose last element lies past the end would read out of bounds.
func.func @slice_past_end(%x: tensor<10xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.slice' op dimension 0 reads [4, 10] out of [0, 10)}}
  %0 = graph.slice %x {starts = array<i64: 4>, steps = array<i64: 2>} : tensor<10xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A negative step must not walk below index 0.
func.func @slice_negative_step(%x: tensor<10xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.slice' op dimension 0 reads [5, -1] out of [0, 10)}}
  %0 = graph.slice %x {starts = array<i64: 5>, steps = array<i64: -2>} : tensor<10xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A zero step is rejected.
func.func @slice_zero_step(%x: tensor<10xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.slice' op step of dimension 0 is zero}}
  %0 = graph.slice %x {starts = array<i64: 0>, steps = array<i64: 0>} : tensor<10xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Gather's result is data's shape with the axis replaced by the indices' shape.
func.func @gather_result(%x: tensor<3x4x5xf32>, %i: tensor<2xi64>) -> tensor<3x2x4xf32> {
  // expected-error @+1 {{'graph.gather' op result shape [3x2x4] should be [3x2x5]}}
  %0 = graph.gather %x, %i {axis = 1 : i64} : (tensor<3x4x5xf32>, tensor<2xi64>) -> tensor<3x2x4xf32>
  return %0 : tensor<3x2x4xf32>
}

// -----

// Gather keeps data's element type.
func.func @gather_element_type(%x: tensor<3x4xf32>, %i: tensor<2xi32>) -> tensor<2x4xf16> {
  // expected-error @+1 {{'graph.gather' op result element type differs from data}}
  %0 = graph.gather %x, %i {axis = 0 : i64} : (tensor<3x4xf32>, tensor<2xi32>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

// Gather's axis is a non-negative dimension index.
func.func @gather_axis(%x: tensor<3x4xf32>, %i: tensor<2xi32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'graph.gather' op axis -1 is out of range for rank 2}}
  %0 = graph.gather %x, %i {axis = -1 : i64} : (tensor<3x4xf32>, tensor<2xi32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Reshape keeps the element count.
func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+1 {{'graph.reshape' op cannot reshape [2x3] (6 elements) to [7]}}
  %0 = graph.reshape %x : tensor<2x3xf32> -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Reflect padding mirrors about the edge elements, so it must be narrower than the dimension.
func.func @reflect_pad_too_wide(%x: tensor<2x3xf32>) -> tensor<2x9xf32> {
  // expected-error @+1 {{dimension 1 of size 3 cannot be padded by 3 and 3 in mode reflect}}
  %0 = graph.pad %x {low = array<i64: 0, 3>, high = array<i64: 0, 3>, interior = array<i64: 0, 0>, mode = "reflect", value = 0.0 : f32} : tensor<2x3xf32> -> tensor<2x9xf32>
  return %0 : tensor<2x9xf32>
}

// -----

// gather_elements takes one index per result element, in the data's rank.
func.func @gather_elements_rank(%x: tensor<2x3xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{indices [3] must have the rank of data [2x3]}}
  %0 = graph.gather_elements %x, %i {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// A scatter's reduction is one of none, add, mul, max, min.
func.func @scatter_reduction(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'graph.scatter_elements' op reduction "sum" is not one of none, add, mul, max, min}}
  %0 = graph.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "sum"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// scatter_elements takes one update per index.
func.func @scatter_elements_updates(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x3xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{updates [3x3] must have the indices' shape [3x2]}}
  %0 = graph.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x3xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Outside the axis, scatter_elements' indices stay within data.
func.func @scatter_elements_exceed(%x: tensor<3x4xf32>, %i: tensor<4x2xi64>, %u: tensor<4x2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{indices [4x2] exceed data [3x4] in dimension 0}}
  %0 = graph.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<4x2xi64>, tensor<4x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A scatter's result is a new version of data.
func.func @scatter_result(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf16> {
  // expected-error @+1 {{result type 'tensor<3x4xf16>' differs from data's 'tensor<3x4xf32>'}}
  %0 = graph.scatter_elements %x, %i, %u {axis = 1 : i64, reduction = "none"} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf16>
  return %0 : tensor<3x4xf16>
}

// -----

// scatter_nd's updates are the index tuples' positions followed by the slices they address.
func.func @scatter_nd_updates(%x: tensor<3x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{updates [2x3] should be [2x4]}}
  %0 = graph.scatter_nd %x, %i, %u {reduction = "none"} : (tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// scatter_nd's index tuples address at most every dimension of data.
func.func @scatter_nd_tuple(%x: tensor<3x4xf32>, %i: tensor<2x3xi64>, %u: tensor<2xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{indices [2x3] must end in a dimension of at most the rank of data [3x4]}}
  %0 = graph.scatter_nd %x, %i, %u {reduction = "none"} : (tensor<3x4xf32>, tensor<2x3xi64>, tensor<2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// top_k takes no more elements than the axis has.
func.func @top_k_k(%x: tensor<3x4xf32>) -> (tensor<3x5xf32>, tensor<3x5xi64>) {
  // expected-error @+1 {{'graph.top_k' op k = 5 is not in [0, 4]}}
  %0:2 = graph.top_k %x {axis = 1 : i64, k = 5 : i64, largest = true} : tensor<3x4xf32> -> tensor<3x5xf32>, tensor<3x5xi64>
  return %0#0, %0#1 : tensor<3x5xf32>, tensor<3x5xi64>
}

// -----

// top_k's results have the input's shape with the axis of size k.
func.func @top_k_shape(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<2x2xi64>) {
  // expected-error @+1 {{'graph.top_k' op results [3x2] and [2x2] should be [3x2]}}
  %0:2 = graph.top_k %x {axis = 1 : i64, k = 2 : i64, largest = true} : tensor<3x4xf32> -> tensor<3x2xf32>, tensor<2x2xi64>
  return %0#0, %0#1 : tensor<3x2xf32>, tensor<2x2xi64>
}

// -----

// uint8 integers cannot hold a signed quantization.
func.func @quantize_signedness(%x: tensor<4xf32>) -> tensor<4xui8> {
  // expected-error @+1 {{integers of type 'ui8' do not store '!quant.uniform<i8:f32, 5.000000e-01>' (its width and signedness)}}
  %q = graph.quantize %x by !quant.uniform<i8:f32, 5.000000e-01> : tensor<4xf32> -> tensor<4xui8>
  return %q : tensor<4xui8>
}

// -----

// The float side is the quantization's expressed type.
func.func @dequantize_expressed(%q: tensor<4xi8>) -> tensor<4xf16> {
  // expected-error @+1 {{float type 'f16' is not the quantization's expressed type 'f32'}}
  %x = graph.dequantize %q by !quant.uniform<i8:f32, 5.000000e-01> : tensor<4xi8> -> tensor<4xf16>
  return %x : tensor<4xf16>
}

// -----

// Per-axis parameters cover the axis: one scale per element along it.
func.func @dequantize_axis(%q: tensor<3x4xi8>) -> tensor<3x4xf32> {
  // expected-error @+1 {{has 2 scales for axis 0 of size 3}}
  %x = graph.dequantize %q by !quant.uniform<i8:f32:0, {1.0, 2.0}> : tensor<3x4xi8> -> tensor<3x4xf32>
  return %x : tensor<3x4xf32>
}
