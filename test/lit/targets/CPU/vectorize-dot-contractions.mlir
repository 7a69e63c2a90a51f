// RUN: dlc-opt %s --dlc-cpu-vectorize-dot-contractions --canonicalize --cse --split-input-file | FileCheck %s

// uint8 activations times constant int8 weights, summed in int32: the weights ([10, 64]) are
// packed into two 32-column panels of 3 groups of 4 k (the last padded with zeros), 128 bytes
// per group: k = 0..3 of column 0, then of column 1, ... (w[k][n] = 10 k + n mod 10: bytes 0, 10,
// 20, 30, 1, 11, 21, 31, ...). A block of 8 rows x 2 vectors starts from the fill's zero; each
// group broadcasts 4 bytes of a row as one i32 and adds vpdpbusd of them and 64 weight bytes;
// the last group reads the 2 bytes left of each row, padded with zeros.
// CHECK-LABEL: func.func @u8_times_s8
// CHECK-DAG: %[[PACKED:.+]] = arith.constant dense<"0x000A141E010B151F020C1620{{.+}}> : tensor<2x3x128xi8>
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[P:.+]] = %c0 to %c2 step %c1
// CHECK:   scf.for %[[M:.+]] = %c0 to %c16 step %c8
// CHECK:     scf.for %[[G:.+]] = %c0 to %c2 step %c1 iter_args({{.+}}) -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK:       %[[W0:.+]] = vector.transfer_read %[[PACKED]][%[[P]], %[[G]], %c0]{{.+}} : tensor<2x3x128xi8>, vector<64xi8>
// CHECK:       %[[W1:.+]] = vector.transfer_read %[[PACKED]][%[[P]], %[[G]], %c64]{{.+}} : tensor<2x3x128xi8>, vector<64xi8>
// CHECK:       %[[K:.+]] = arith.muli %[[G]], %c4
// CHECK:       %[[A:.+]] = vector.transfer_read %{{.+}}[%[[M]], %[[K]]], %{{.+}} {in_bounds = [true]} : tensor<16x10xi8>, vector<4xi8>
// CHECK:       vector.bitcast %[[A]] : vector<4xi8> to vector<1xi32>
// CHECK:       %[[SPREAD:.+]] = vector.bitcast %{{.+}} : vector<16xi32> to vector<64xi8>
// CHECK:       llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %[[SPREAD]], %[[W0]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK:       llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %[[SPREAD]], %[[W1]])
// CHECK:     vector.transfer_read %{{.+}}[%[[M]], %c8], %{{.+}} : tensor<16x10xi8>, vector<4xi8>
// CHECK:     vector.transfer_write %{{.+}}, %{{.+}}[%[[M]], %{{.+}}] {in_bounds = [true]} : vector<16xi32>, tensor<16x64xi32>
func.func @u8_times_s8(%x: tensor<16x10xi8>) -> tensor<16x64xi32> {
  %w = arith.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23], [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33], [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43], [50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53], [60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63], [70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73], [80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83], [90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93]]> : tensor<10x64xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<16x64xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<16x64xi32>) -> tensor<16x64xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x10xi8>, tensor<10x64xi8>) outs(%init : tensor<16x64xi32>) {
  ^bb0(%a: i8, %b: i8, %acc: i32):
    %a32 = arith.extui %a : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %p = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<16x64xi32>
  return %r : tensor<16x64xi32>
}

// -----

// int8 activations: each group of 4 bytes gets its top bit flipped (+128, read as unsigned),
// and the blocks start from -128 times each weight column's sum (plus the fill's zero).
// CHECK-LABEL: func.func @s8_times_s8
// CHECK-DAG: %[[FLIP:.+]] = arith.constant dense<-128> : vector<4xi8>
// CHECK-DAG: %[[CORRECTION:.+]] = arith.constant dense<[-57600, -58880,{{.+}}]> : tensor<64xi32>
// CHECK:     %[[C:.+]] = vector.transfer_read %[[CORRECTION]][%{{.+}}]{{.+}} : tensor<64xi32>, vector<16xi32>
// CHECK:     scf.for {{.+}} iter_args(%{{.+}} = %[[C]],
// CHECK:     %[[A:.+]] = vector.transfer_read %{{.+}} : tensor<16x10xi8>, vector<4xi8>
// CHECK:     arith.xori %[[A]], %[[FLIP]] : vector<4xi8>
func.func @s8_times_s8(%x: tensor<16x10xi8>) -> tensor<16x64xi32> {
  %w = arith.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10, 11, 12, 13], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 20, 21, 22, 23], [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 31, 32, 33], [40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 40, 41, 42, 43], [50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 50, 51, 52, 53], [60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 60, 61, 62, 63], [70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 70, 71, 72, 73], [80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 80, 81, 82, 83], [90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 90, 91, 92, 93]]> : tensor<10x64xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<16x64xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<16x64xi32>) -> tensor<16x64xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x10xi8>, tensor<10x64xi8>) outs(%init : tensor<16x64xi32>) {
  ^bb0(%a: i8, %b: i8, %acc: i32):
    %a32 = arith.extsi %a : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %p = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<16x64xi32>
  return %r : tensor<16x64xi32>
}

// -----

// Unsigned weights cannot be vpdpbusd's signed operand: the product is left alone.
// CHECK-LABEL: func.func @u8_weights
// CHECK: linalg.generic
func.func @u8_weights(%x: tensor<16x10xi8>) -> tensor<16x64xi32> {
  %w = arith.constant dense<1> : tensor<10x64xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<16x64xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<16x64xi32>) -> tensor<16x64xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x10xi8>, tensor<10x64xi8>) outs(%init : tensor<16x64xi32>) {
  ^bb0(%a: i8, %b: i8, %acc: i32):
    %a32 = arith.extui %a : i8 to i32
    %b32 = arith.extui %b : i8 to i32
    %p = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<16x64xi32>
  return %r : tensor<16x64xi32>
}

// -----

// bf16 operands summed in f32: pairs of k (g = 2) per lane, packed [32 columns][2] per group
// (bf16 1.0 is 0x3F80; K = 3 pads the second group with zero), vdpbf16ps through
// x86vector.avx512.dot. The outer dimension (a batch) runs as a loop around the blocks.
// CHECK-LABEL: func.func @bf16_rows
// CHECK-DAG: %[[PACKED:.+]] = arith.constant dense<"0x803F803F{{.+}}> : tensor<1x2x64xbf16>
// CHECK: scf.for %[[B:.+]] = %c0 to %c2 step %c1
// CHECK:   %[[A:.+]] = vector.transfer_read %{{.+}}[%[[B]], %{{.+}}, %c0]{{.+}} : tensor<2x8x3xbf16>, vector<2xbf16>
// CHECK:   vector.bitcast %[[A]] : vector<2xbf16> to vector<1xi32>
// CHECK:   %[[SPREAD:.+]] = vector.bitcast %{{.+}} : vector<16xi32> to vector<32xbf16>
// CHECK:   x86vector.avx512.dot %{{.+}}, %[[SPREAD]], %{{.+}} : vector<32xbf16> -> vector<16xf32>
// CHECK:   vector.transfer_read %{{.+}}[%[[B]], %{{.+}}, %c2], %{{.+}} : tensor<2x8x3xbf16>, vector<2xbf16>
// CHECK:   vector.transfer_write %{{.+}} : vector<16xf32>, tensor<2x8x32xf32>
func.func @bf16_rows(%x: tensor<2x8x3xbf16>) -> tensor<2x8x32xf32> {
  %w = arith.constant dense<1.0> : tensor<3x32xbf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x32xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%x, %w : tensor<2x8x3xbf16>, tensor<3x32xbf16>) outs(%init : tensor<2x8x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x32xf32>
  return %r : tensor<2x8x32xf32>
}

// -----

// The product's only user, an elementwise op over its shape (here a bias along the columns and
// a conversion to f32), runs on the blocks' registers: the loop nest writes the user's result
// and no int32 tensor is stored.
// CHECK-LABEL: func.func @epilogue
// CHECK-NOT: linalg.generic
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK: %[[BIAS:.+]] = vector.transfer_read %{{.+}} : tensor<32xi32>, vector<16xi32>
// CHECK: %[[SUM:.+]] = arith.addi %{{.+}}, %[[BIAS]] : vector<16xi32>
// CHECK: %[[F:.+]] = arith.sitofp %[[SUM]] : vector<16xi32> to vector<16xf32>
// CHECK: vector.transfer_write %[[F]], %{{.+}} : vector<16xf32>, tensor<16x32xf32>
// CHECK-NOT: tensor<16x32xi32>
func.func @epilogue(%x: tensor<16x8xi8>, %bias: tensor<32xi32>) -> tensor<16x32xf32> {
  %w = arith.constant dense<3> : tensor<8x32xi8>
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<16x32xi32>
  %init = linalg.fill ins(%zero : i32) outs(%e : tensor<16x32xi32>) -> tensor<16x32xi32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<16x8xi8>, tensor<8x32xi8>) outs(%init : tensor<16x32xi32>) {
  ^bb0(%a: i8, %b: i8, %acc: i32):
    %a32 = arith.extui %a : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %p = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<16x32xi32>
  %f = tensor.empty() : tensor<16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]} ins(%r, %bias : tensor<16x32xi32>, tensor<32xi32>) outs(%f : tensor<16x32xf32>) {
  ^bb0(%v: i32, %c: i32, %o: f32):
    %t = arith.addi %v, %c : i32
    %g = arith.sitofp %t : i32 to f32
    linalg.yield %g : f32
  } -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}
