// RUN: dlc-opt %s --dlc-convert-graph-to-linalg --dlc-cpu-lower-convolutions --dlc-fuse-elementwise --canonicalize --dlc-cpu-align-epilogues --dlc-cpu-vectorize-dot-convolutions --canonicalize --cse --split-input-file | FileCheck %s

// An int8 1x3 convolution over 4 channels, 5x20 input, 8 filters, less a constant per filter
// (1 for filter 0: a zero-point correction) and scaled per filter after. Stride 1: the packing
// goes by input rows, reading each row's 4 channels 16 lanes at a time, interleaving them (lane
// l of row j to byte 4 l + j) and flipping the top bit of each byte (vpdpbusd reads them as
// unsigned: x + 128) once for all 3 taps; each tap's row is cut from two adjacent chunks at
// its shift (kw positions, 4 kw bytes). The 18 output columns are one whole chunk and a masked
// one; with one kernel row every input row is an output row (no condition). The product's
// blocks are 8 filters x 32 positions (90 = 64 + 26: the last block masked); each starts from
// -128 times its filter's sum less the filter's constant (filter 0 sums to -12: 1536 - 1),
// reads the packed bytes as they are, and broadcasts one 32-bit group of each filter (filter
// 0's first, channels 0..3 at kw = 0: -10, 0, 3, -1, bytes F6 00 03 FF, the i32 -16580362).
// The per-filter scale runs on the accumulators before the one store; the subtraction left no
// trace.
// CHECK-LABEL: func.func @int8_conv
// CHECK-DAG: %[[START0:.+]] = arith.constant dense<1535> : vector<16xi32>
// CHECK-DAG: %[[FLIP:.+]] = arith.constant dense<-128> : vector<64xi8>
// CHECK-DAG: %[[WORDS:.+]] = arith.constant dense<{{\[\[}}-16580362, 16581118, 33424127], {{.+}}> : tensor<8x3xi32>
// CHECK: scf.for %[[IH:.+]] = %c0 to %c5 step %c1
// CHECK-COUNT-4: vector.transfer_read %arg0{{.+}} {in_bounds = [true]} : tensor<1x4x5x20xi8>, vector<16xi8>
// CHECK: %[[LANES:.+]] = vector.shuffle %{{.+}}, %{{.+}} [0, 16, 32, 48, 1, 17, 33, 49, {{.+}}] : vector<32xi8>, vector<32xi8>
// CHECK: %[[FIRST:.+]] = arith.xori %[[LANES]], %[[FLIP]] : vector<64xi8>
// CHECK-COUNT-4: vector.transfer_read %arg0{{.+}} : tensor<1x4x5x20xi8>, vector<16xi8>
// CHECK: %[[SECOND:.+]] = arith.xori %{{.+}}, %[[FLIP]] : vector<64xi8>
// CHECK-NOT: scf.if
// CHECK: vector.transfer_write %[[FIRST]], %{{.+}}[%c0, %c0, %c0, %c0, %[[IH]], %c0] {in_bounds = [true]} : vector<64xi8>, tensor<1x1x1x3x5x72xi8>
// CHECK: vector.transfer_write %[[SECOND]], %{{.+}}[%c0, %c0, %c0, %c0, %[[IH]], %c64] : vector<64xi8>, tensor<1x1x1x3x5x72xi8>
// CHECK: %[[CUT:.+]] = vector.shuffle %[[FIRST]], %[[SECOND]] [4, 5, 6, 7, {{.+}}, 66, 67] : vector<64xi8>, vector<64xi8>
// CHECK: vector.transfer_write %[[CUT]], %{{.+}}[%c0, %c0, %c0, %c1, %[[IH]], %c0] {in_bounds = [true]} : vector<64xi8>, tensor<1x1x1x3x5x72xi8>
// CHECK: scf.for %[[P:.+]] = %c0 to %c64 step %c32
// CHECK:   scf.for %[[Q:.+]] = %c0 to %c3 step %c1 iter_args(%{{.+}} = %[[START0]], %{{.+}} = %[[START0]],
// CHECK:     %[[COL:.+]] = vector.transfer_read %{{.+}}[%c0, %[[Q]], %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<1x3x360xi8>, vector<64xi8>
// CHECK-NOT: arith.xori
// CHECK:     %[[WORD:.+]] = tensor.extract %[[WORDS]][%c0, %[[Q]]] : tensor<8x3xi32>
// CHECK:     %[[SPREAD:.+]] = vector.bitcast %{{.+}} : vector<16xi32> to vector<64xi8>
// CHECK:     llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %[[COL]], %[[SPREAD]])
// CHECK-NOT: arith.subi
// CHECK:   %[[SCALE:.+]] = tensor.extract %arg1[%c0] : tensor<8xf32>
// CHECK:   arith.sitofp
// CHECK:   arith.mulf
// CHECK:   vector.transfer_write %{{.+}}, %{{.+}}[%c0, %c0, %[[P]]] {in_bounds = [true]} : vector<16xf32>, tensor<1x8x90xf32>
// CHECK: vector.transfer_write %{{.+}}, %{{.+}}[%c0, %c7, %c80] : vector<16xf32>, tensor<1x8x90xf32>
// CHECK-NOT: linalg.generic
func.func @int8_conv(%x: tensor<1x4x5x20xi8>, %s: tensor<8xf32>) -> tensor<1x8x5x18xf32> {
  %w = graph.constant dense<[[[[-10, -2, -1]], [[0, 1, 2]], [[3, -3, -2]], [[-1, 0, 1]]], [[[2, 3, -3]], [[-2, -1, 0]], [[1, 2, 3]], [[-3, -2, -1]]], [[[0, 1, 2]], [[3, -3, -2]], [[-1, 0, 1]], [[2, 3, -3]]], [[[-2, -1, 0]], [[1, 2, 3]], [[-3, -2, -1]], [[0, 1, 2]]], [[[3, -3, -2]], [[-1, 0, 1]], [[2, 3, -3]], [[-2, -1, 0]]], [[[1, 2, 3]], [[-3, -2, -1]], [[0, 1, 2]], [[3, -3, -2]]], [[[-1, 0, 1]], [[2, 3, -3]], [[-2, -1, 0]], [[1, 2, 3]]], [[[-3, -2, -1]], [[0, 1, 2]], [[3, -3, -2]], [[-1, 0, 1]]]]> : tensor<8x4x1x3xi8>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x5x20xi8>, tensor<8x4x1x3xi8>) -> tensor<1x8x5x18xi32>
  %c = graph.constant dense<[[[1]], [[2]], [[3]], [[4]], [[5]], [[6]], [[7]], [[8]]]> : tensor<8x1x1xi32>
  %z = graph.sub %0, %c : (tensor<1x8x5x18xi32>, tensor<8x1x1xi32>) -> tensor<1x8x5x18xi32>
  %1 = graph.cast %z : tensor<1x8x5x18xi32> to tensor<1x8x5x18xf32>
  %2 = graph.reshape %s : tensor<8xf32> -> tensor<8x1x1xf32>
  %3 = graph.mul %1, %2 : (tensor<1x8x5x18xf32>, tensor<8x1x1xf32>) -> tensor<1x8x5x18xf32>
  return %3 : tensor<1x8x5x18xf32>
}

// -----

// A 3x3 stride-1 packing: input row ih is output row ih - kh of kernel row kh where that is
// one, so each kernel row's stores sit behind a condition: ih < 4 for the first, 1 <= ih < 5
// for the second, ih >= 2 for the last.
// CHECK-LABEL: func.func @int8_rows
// CHECK: scf.for %[[IH:.+]] = %c0 to %c6 step %c1
// CHECK: %[[FIRST:.+]] = arith.cmpi slt, %[[IH]], %c4 : index
// CHECK: scf.if %[[FIRST]]
// CHECK-COUNT-3: vector.transfer_write {{.+}}[%c0, %c0, %c0, %c{{[0-2]}}, %[[IH]], %c0] : vector<64xi8>, tensor<1x1x3x3x4x16xi8>
// CHECK: %[[ROW1:.+]] = arith.subi %[[IH]], %c1 : index
// CHECK: arith.cmpi sge, %[[ROW1]], %c0 : index
// CHECK: arith.cmpi slt, %[[ROW1]], %c4 : index
// CHECK: scf.if
// CHECK: %[[ROW2:.+]] = arith.subi %[[IH]], %c2 : index
// CHECK: %[[LAST:.+]] = arith.cmpi sge, %[[ROW2]], %c0 : index
// CHECK: scf.if %[[LAST]]
// CHECK-COUNT-3: vector.transfer_write {{.+}}[%c0, %c0, %c2, %c{{[0-2]}}, %[[ROW2]], %c0] : vector<64xi8>, tensor<1x1x3x3x4x16xi8>
func.func @int8_rows(%x: tensor<1x4x6x6xi8>) -> tensor<1x8x4x4xi32> {
  %w = graph.constant dense<1> : tensor<8x4x3x3xi8>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x6x6xi8>, tensor<8x4x3x3xi8>) -> tensor<1x8x4x4xi32>
  return %0 : tensor<1x8x4x4xi32>
}

// -----

// An int8 1x1 convolution over a 7x7 map: one block of 3 vectors (49 = 48 + 1; blocks of 32
// would leave 17 positions to a narrower block, which reads every filter again) and, in the
// same block after them, the position left, summed transposed: each filter's words 16 steps
// at a time (here the one
// step, the rest of the 16 lanes read as zeros) against the position's groups, packed once into
// [N, 1, Q], then summed across the lanes and started from -128 times the filter's sum (filter 0
// sums to 10: -1280), one value per filter: 8 instructions for the block instead of one 8-lane
// vector per filter and step.
// CHECK-LABEL: func.func @int8_tail
// CHECK-DAG: %[[WORDS:.+]] = arith.constant dense<{{\[\[}}67305985], {{.+}}> : tensor<8x1xi32>
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<1x1x1xi32>
// CHECK: %[[GROUP:.+]] = vector.transfer_read %{{.+}}[%c0, %c0, %c192], %{{.+}} {in_bounds = [true]} : tensor<1x1x196xi8>, vector<4xi8>
// CHECK: %[[WORD:.+]] = vector.bitcast %[[GROUP]] : vector<4xi8> to vector<1xi32>
// CHECK: %[[TAIL:.+]] = vector.transfer_write %[[WORD]], %[[EMPTY]][%c0, %c0, %c0] {in_bounds = [true]}
// CHECK-NOT: scf.for
// CHECK-COUNT-24: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK-COUNT-24: vector.transfer_write %{{.+}}[%c0, %c{{[0-7]}}, %c{{(0|16|32)}}] {in_bounds = [true]} : vector<16xi32>, tensor<1x8x49xi32>
// CHECK: %[[GROUPS:.+]] = vector.transfer_read %[[TAIL]][%c0, %c0, %c0], %{{.+}} : tensor<1x1x1xi32>, vector<16xi32>
// CHECK: %[[UNSIGNED:.+]] = vector.bitcast %[[GROUPS]] : vector<16xi32> to vector<64xi8>
// CHECK: %[[ROW:.+]] = vector.transfer_read %[[WORDS]][%c0, %c0], %{{.+}} : tensor<8x1xi32>, vector<16xi32>
// CHECK: %[[SIGNED:.+]] = vector.bitcast %[[ROW]] : vector<16xi32> to vector<64xi8>
// CHECK: %[[SUMS:.+]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.+}}, %[[UNSIGNED]], %[[SIGNED]])
// CHECK: %[[TOTAL:.+]] = vector.reduction <add>, %[[SUMS]] : vector<16xi32> into i32
// CHECK: %[[START:.+]] = arith.addi %[[TOTAL]], %c-1280_i32 : i32
// CHECK: %[[ONE:.+]] = vector.broadcast %[[START]] : i32 to vector<1xi32>
// CHECK: vector.transfer_write %[[ONE]], %{{.+}}[%c0, %c0, %c48] {in_bounds = [true]} : vector<1xi32>, tensor<1x8x49xi32>
// CHECK-COUNT-7: vector.transfer_write %{{.+}}, %{{.+}}[%c0, %c{{[1-7]}}, %c48] {in_bounds = [true]} : vector<1xi32>, tensor<1x8x49xi32>
// CHECK-NOT: linalg.generic
func.func @int8_tail(%x: tensor<1x4x7x7xi8>) -> tensor<1x8x7x7xi32> {
  %w = graph.constant dense<[[[[1]], [[2]], [[3]], [[4]]], [[[5]], [[6]], [[7]], [[8]]], [[[-1]], [[-2]], [[-3]], [[-4]]], [[[9]], [[0]], [[1]], [[2]]], [[[3]], [[4]], [[5]], [[6]]], [[[7]], [[8]], [[9]], [[0]]], [[[-5]], [[-6]], [[-7]], [[-8]]], [[[1]], [[1]], [[1]], [[1]]]]> : tensor<8x4x1x1xi8>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x7x7xi8>, tensor<8x4x1x1xi8>) -> tensor<1x8x7x7xi32>
  return %0 : tensor<1x8x7x7xi32>
}

// -----

// A bf16 1x1 convolution of stride 2: each packed row reads 32 lanes and keeps every other one,
// pairs of channels interleave, and the blocks run on vdpbf16ps from zero (no correction).
// CHECK-LABEL: func.func @bf16_conv
// CHECK: %[[SPAN:.+]] = vector.transfer_read %arg0{{.+}} : tensor<1x2x8x40xbf16>, vector<32xbf16>
// CHECK: vector.shuffle %[[SPAN]], %[[SPAN]] [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] : vector<32xbf16>, vector<32xbf16>
// CHECK: vector.interleave %{{.+}}, %{{.+}} : vector<16xbf16> -> vector<32xbf16>
// CHECK: scf.for
// CHECK:   x86vector.avx512.dot %{{.+}}, %{{.+}}, %{{.+}} : vector<32xbf16> -> vector<16xf32>
// CHECK-NOT: arith.xori
func.func @bf16_conv(%x: tensor<1x2x8x40xbf16>) -> tensor<1x16x4x20xf32> {
  %w = graph.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[1.0]], [[2.0]]], [[[3.0]], [[4.5]]]]> : tensor<16x2x1x1xbf16>
  %0 = graph.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x2x8x40xbf16>, tensor<16x2x1x1xbf16>) -> tensor<1x16x4x20xf32>
  return %0 : tensor<1x16x4x20xf32>
}

// -----

// Three channels, a 1x7 filter, stride 2: groups along the channels would pad 3 channels to 4
// (7 groups), so they run along the filter's width, taps 0..3 and 4..6 padded (3 x 2 = 6
// groups). Each lane's 4 bytes are 4 adjacent input elements, lane l starting at 2 l: one read
// of 64 bytes from the row and one shuffle per 16 lanes; the first chunk's read ends inside the
// 70-element row (at the last group's 4 + 64), the second's does not and is masked. Filter 0's
// first words are its taps 0..3 and 4..6 of channel 0 (-5 -4 -3 -2, -1 0 1 and a zero: bytes
// FB FC FD FE, FF 00 01 00).
// CHECK-LABEL: func.func @int8_along_width
// CHECK-DAG: %[[WORDS:.+]] = arith.constant dense<{{\[\[}}-16909061, 65791, 84148994, {{.+}}> : tensor<8x6xi32>
// CHECK: %[[ROW:.+]] = vector.transfer_read %arg0[%c0, %{{.+}}, %c0, %{{.+}}], %{{.+}} {in_bounds = [true]} : tensor<1x3x1x70xi8>, vector<64xi8>
// CHECK: %[[LANES:.+]] = vector.shuffle %[[ROW]], %[[ROW]] [0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, {{.+}}, 30, 31, 32, 33] : vector<64xi8>, vector<64xi8>
// CHECK: arith.xori %[[LANES]]
// CHECK: vector.transfer_write {{.+}} {in_bounds = [true]} : vector<64xi8>, tensor<1x3x1x2x1x128xi8>
// CHECK: vector.transfer_read %arg0[%c0, %{{.+}}, %c0, %{{.+}}], %{{.+}} : tensor<1x3x1x70xi8>, vector<64xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
func.func @int8_along_width(%x: tensor<1x3x1x70xi8>) -> tensor<1x8x1x32xi32> {
  %w = graph.constant dense<[[[[-5, -4, -3, -2, -1, 0, 1]], [[2, 3, 4, 5, -5, -4, -3]], [[-2, -1, 0, 1, 2, 3, 4]]], [[[5, -5, -4, -3, -2, -1, 0]], [[1, 2, 3, 4, 5, -5, -4]], [[-3, -2, -1, 0, 1, 2, 3]]], [[[4, 5, -5, -4, -3, -2, -1]], [[0, 1, 2, 3, 4, 5, -5]], [[-4, -3, -2, -1, 0, 1, 2]]], [[[3, 4, 5, -5, -4, -3, -2]], [[-1, 0, 1, 2, 3, 4, 5]], [[-5, -4, -3, -2, -1, 0, 1]]], [[[2, 3, 4, 5, -5, -4, -3]], [[-2, -1, 0, 1, 2, 3, 4]], [[5, -5, -4, -3, -2, -1, 0]]], [[[1, 2, 3, 4, 5, -5, -4]], [[-3, -2, -1, 0, 1, 2, 3]], [[4, 5, -5, -4, -3, -2, -1]]], [[[0, 1, 2, 3, 4, 5, -5]], [[-4, -3, -2, -1, 0, 1, 2]], [[3, 4, 5, -5, -4, -3, -2]]], [[[-1, 0, 1, 2, 3, 4, 5]], [[-5, -4, -3, -2, -1, 0, 1]], [[2, 3, 4, 5, -5, -4, -3]]]]> : tensor<8x3x1x7xi8>
  %0 = graph.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x3x1x70xi8>, tensor<8x3x1x7xi8>) -> tensor<1x8x1x32xi32>
  return %0 : tensor<1x8x1x32xi32>
}

// -----

// An int8 depthwise convolution reads its input rows in place: per kernel row and group of 4
// taps along the width, one 32-byte read at the vector's first tap and one shuffle that gives
// lane l the bytes l .. l + 3, the sign flip, and one vpdpbusd with the channel's broadcast
// group. The 5-wide filter is two groups per row (its taps 1..4 and 5 then three zeros: words
// 0x04030201 = 67305985 and 5 for channel 0), the 37-wide rows are padded by 3 for the last
// group; 33 outputs are 3 vectors in one block, the reads of the second and third past the
// 40-wide row and the third one's store past the 33 outputs masked. The blocks start from -128 times each channel's sum
// (-128 * 120 = -15360), and the subtraction after the convolution runs on the registers.
// CHECK-LABEL: func.func @int8_depthwise
// CHECK-DAG: %[[STARTS:.+]] = arith.constant dense<[-15360, 15360]> : tensor<2xi32>
// CHECK-DAG: %[[WORDS:.+]] = arith.constant dense<{{\[\[}}67305985, 5, 151521030, 10, 235736075, 15], [-50462977, 251, {{.+}}]]> : tensor<2x6xi32>
// CHECK: %[[PADDED:.+]] = tensor.pad %arg0 low[0, 0, 0, 0] high[0, 0, 0, 3]
// CHECK: scf.for %[[C:.+]] = %c0 to %c2
// CHECK: %[[START:.+]] = tensor.extract %[[STARTS]][%[[C]]]
// CHECK: %[[ACC:.+]] = vector.broadcast %[[START]] : i32 to vector<16xi32>
// CHECK: tensor.extract %[[WORDS]][%[[C]], %c0]
// CHECK: %[[ROW:.+]] = vector.transfer_read %[[PADDED]][%c0, %[[C]], %c0, %c0], %{{.+}} {in_bounds = [true]} : tensor<1x2x3x40xi8>, vector<32xi8>
// CHECK: %[[LANES:.+]] = vector.shuffle %[[ROW]], %[[ROW]] [0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, {{.+}}, 15, 16, 17, 18] : vector<32xi8>, vector<32xi8>
// CHECK: %[[FLIPPED:.+]] = arith.xori %[[LANES]]
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[FLIPPED]], %{{.+}})
// CHECK: vector.transfer_read %[[PADDED]][%c0, %[[C]], %c0, %c32], %{{.+}} : tensor<1x2x3x40xi8>, vector<32xi8>
// CHECK: tensor.extract %[[WORDS]][%[[C]], %c1]
// CHECK: vector.transfer_read %[[PADDED]][%c0, %[[C]], %c0, %c4], %{{.+}} {in_bounds = [true]}
// CHECK: vector.transfer_read %[[PADDED]][%c0, %[[C]], %c0, %c36], %{{.+}} : tensor<1x2x3x40xi8>, vector<32xi8>
// CHECK: arith.subi
// CHECK: vector.transfer_write %{{.+}}[%c0, %[[C]], %c0, %c0] {in_bounds = [true]} : vector<16xi32>, tensor<1x2x1x33xi32>
// CHECK: arith.subi
// CHECK: vector.transfer_write %{{.+}}[%c0, %[[C]], %c0, %c16] {in_bounds = [true]}
// CHECK: arith.subi
// CHECK: vector.transfer_write %{{.+}}[%c0, %[[C]], %c0, %c32] : vector<16xi32>, tensor<1x2x1x33xi32>
func.func @int8_depthwise(%x: tensor<1x2x3x37xi8>) -> tensor<1x2x1x33xi32> {
  %w = graph.constant dense<[[[[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]]], [[[-1, -2, -3, -4, -5], [-6, -7, -8, -9, -10], [-11, -12, -13, -14, -15]]]]> : tensor<2x1x3x5xi8>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x2x3x37xi8>, tensor<2x1x3x5xi8>) -> tensor<1x2x1x33xi32>
  %c = graph.constant dense<[[[7]], [[-3]]]> : tensor<2x1x1xi32>
  %1 = graph.sub %0, %c : (tensor<1x2x1x33xi32>, tensor<2x1x1xi32>) -> tensor<1x2x1x33xi32>
  return %1 : tensor<1x2x1x33xi32>
}

// -----

// A row of one vector (16 outputs) leaves most accumulators idle: its block takes all 3 output
// rows (up to 8 vectors), 9 independent dot products per channel, and the input rows the
// kernel rows share are read once: rows 0..4, 5 reads for the 9 (output row, kernel row) pairs.
// CHECK-LABEL: func.func @int8_depthwise_rows
// CHECK: scf.for %[[C:.+]] = %c0 to %c2
// CHECK-NOT: scf.for
// CHECK: vector.transfer_read %[[P:.+]][%c0, %[[C]], %c0, %c0]
// CHECK: vector.transfer_read %[[P]][%c0, %[[C]], %c1, %c0]
// CHECK: vector.transfer_read %[[P]][%c0, %[[C]], %c2, %c0]
// CHECK: vector.transfer_read %[[P]][%c0, %[[C]], %c3, %c0]
// CHECK: vector.transfer_read %[[P]][%c0, %[[C]], %c4, %c0]
// CHECK-NOT: vector.transfer_read
// CHECK: vector.transfer_write %{{.+}}[%c0, %[[C]], %c0, %c0]
// CHECK: vector.transfer_write %{{.+}}[%c0, %[[C]], %c1, %c0]
// CHECK: vector.transfer_write %{{.+}}[%c0, %[[C]], %c2, %c0]
func.func @int8_depthwise_rows(%x: tensor<1x2x5x18xi8>) -> tensor<1x2x3x16xi32> {
  %w = graph.constant dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]]]> : tensor<2x1x3x3xi8>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x2x5x18xi8>, tensor<2x1x3x3xi8>) -> tensor<1x2x3x16xi32>
  return %0 : tensor<1x2x3x16xi32>
}
