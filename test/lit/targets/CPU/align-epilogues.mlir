// RUN: dlc-opt %s --dlc-cpu-align-epilogues --split-input-file | FileCheck %s

// A convolution computed as a product [1, 8, 16] and reshaped to [1, 8, 4, 4] before its
// residual add: the add now iterates over [1, 8, 16], reading the product directly and the skip
// input collapsed alike, and the reshape moves after it.
// CHECK-LABEL: func.func @conv_residual
// CHECK-SAME: (%[[A:.+]]: tensor<8x4xf32>, %[[B:.+]]: tensor<1x4x16xf32>, %[[SKIP:.+]]: tensor<1x8x4x4xf32>)
// CHECK: %[[P:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[SKIP]] {{\[}}[0], [1], [2, 3]] : tensor<1x8x4x4xf32> into tensor<1x8x16xf32>
// CHECK: %[[ADD:.+]] = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel"]{{.*}} ins(%[[P]], %[[FLAT]] : tensor<1x8x16xf32>, tensor<1x8x16xf32>)
// CHECK: %[[R:.+]] = tensor.expand_shape %[[ADD]] {{\[}}[0], [1], [2, 3]] output_shape [1, 8, 4, 4]
// CHECK: return %[[R]]
func.func @conv_residual(%a: tensor<8x4xf32>, %b: tensor<1x4x16xf32>, %skip: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x8x16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(n, f, r, p) -> (f, r)>, affine_map<(n, f, r, p) -> (n, r, p)>, affine_map<(n, f, r, p) -> (n, f, p)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x4xf32>, tensor<1x4x16xf32>) outs(%init : tensor<1x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %img = tensor.expand_shape %p [[0], [1], [2, 3]] output_shape [1, 8, 4, 4] : tensor<1x8x16xf32> into tensor<1x8x4x4xf32>
  %e2 = tensor.empty() : tensor<1x8x4x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%img, %skip : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) outs(%e2 : tensor<1x8x4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<1x8x4x4xf32>
  return %r : tensor<1x8x4x4xf32>
}

// -----

// When the product's result is also used elsewhere, it is needed in its own shape anyway: the
// reshape stays where it is.
// CHECK-LABEL: func.func @shared_result
// CHECK: tensor.expand_shape
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
func.func @shared_result(%a: tensor<8x4xf32>, %b: tensor<1x4x16xf32>, %init: tensor<1x8x16xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x16xf32>) {
  %p = linalg.generic {indexing_maps = [affine_map<(n, f, r, p) -> (f, r)>, affine_map<(n, f, r, p) -> (n, r, p)>, affine_map<(n, f, r, p) -> (n, f, p)>], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<8x4xf32>, tensor<1x4x16xf32>) outs(%init : tensor<1x8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %z, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x8x16xf32>
  %img = tensor.expand_shape %p [[0], [1], [2, 3]] output_shape [1, 8, 4, 4] : tensor<1x8x16xf32> into tensor<1x8x4x4xf32>
  %e2 = tensor.empty() : tensor<1x8x4x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>, affine_map<(a, b, c, d) -> (a, b, c, d)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%img : tensor<1x8x4x4xf32>) outs(%e2 : tensor<1x8x4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %x : f32
    linalg.yield %m : f32
  } -> tensor<1x8x4x4xf32>
  return %r, %p : tensor<1x8x4x4xf32>, tensor<1x8x16xf32>
}

// -----

// A select between two reductions computed in different shapes (--precision=auto's probe: a
// grouped convolution's [N, G, F/G, P] collapsed, beside a depthwise product's [N, C, P]): moving
// the collapse after the select would expand the other reduction's result, which the opposite
// fold would then move back, without end. Both stay in their kernels' shapes.
// CHECK-LABEL: func.func @two_shapes
// CHECK: %[[G:.+]] = linalg.generic
// CHECK: } -> tensor<1x2x1x4xf32>
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[G]]
// CHECK: %[[D:.+]] = linalg.generic
// CHECK: } -> tensor<1x2x4xf32>
// CHECK: linalg.generic {{.+}} ins(%[[FLAT]], %[[D]] : tensor<1x2x4xf32>, tensor<1x2x4xf32>)
func.func @two_shapes(%x: tensor<1x2x1x4x3xf32>, %y: tensor<1x2x4x3xf32>) -> tensor<1x2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e5 = tensor.empty() : tensor<1x2x1x4xf32>
  %i5 = linalg.fill ins(%zero : f32) outs(%e5 : tensor<1x2x1x4xf32>) -> tensor<1x2x1x4xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(n, c, f, p, r) -> (n, c, f, p, r)>, affine_map<(n, c, f, p, r) -> (n, c, f, p)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x : tensor<1x2x1x4x3xf32>) outs(%i5 : tensor<1x2x1x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<1x2x1x4xf32>
  %flat = tensor.collapse_shape %g [[0], [1, 2], [3]] : tensor<1x2x1x4xf32> into tensor<1x2x4xf32>
  %e4 = tensor.empty() : tensor<1x2x4xf32>
  %i4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(n, c, p, r) -> (n, c, p, r)>, affine_map<(n, c, p, r) -> (n, c, p)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%y : tensor<1x2x4x3xf32>) outs(%i4 : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4xf32>
  %e = tensor.empty() : tensor<1x2x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%flat, %d : tensor<1x2x4xf32>, tensor<1x2x4xf32>) outs(%e : tensor<1x2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4xf32>
  return %r : tensor<1x2x4xf32>
}
