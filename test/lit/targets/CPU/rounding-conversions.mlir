// RUN: dlc-opt %s --dlc-cpu-rounding-conversions --split-input-file | FileCheck %s

// A quantization's rounding, clamp and truncating conversion to i8 on 16 lanes: the clamp
// moves before the rounding, and vcvtps2dq rounds to nearest even ({rn-sae}, 8) as it
// converts; the 32-bit result narrows to the storage type with signed saturation (vpmovsdb),
// which takes the place of the lower bound: values below -2^31 convert to INT_MIN, which
// saturates to -128 as well.
// CHECK-LABEL: func.func @quantize_lanes
// CHECK-NOT: math.roundeven
// CHECK-NOT: arith.maximumf
// CHECK-DAG: %[[RN:.+]] = arith.constant 8 : i32
// CHECK-DAG: %[[ALL:.+]] = arith.constant -1 : i16
// CHECK-DAG: %[[MAX:.+]] = arith.constant dense<1.270000e+02> : vector<16xf32>
// CHECK: %[[HI:.+]] = arith.minimumf %arg0, %[[MAX]] fastmath<nnan,nsz> : vector<16xf32>
// CHECK: %[[I:.+]] = llvm.call_intrinsic "llvm.x86.avx512.mask.cvtps2dq.512"(%[[HI]], %{{.+}}, %[[ALL]], %[[RN]]) : (vector<16xf32>, vector<16xi32>, i16, i32) -> vector<16xi32>
// CHECK: %[[Q:.+]] = llvm.call_intrinsic "llvm.x86.avx512.mask.pmovs.db.512"(%[[I]], %{{.+}}, %[[ALL]]) : (vector<16xi32>, vector<16xi8>, i16) -> vector<16xi8>
// CHECK: return %[[Q]]
func.func @quantize_lanes(%x: vector<16xf32>) -> vector<16xi8> {
  %lo = arith.constant dense<-128.0> : vector<16xf32>
  %hi = arith.constant dense<127.0> : vector<16xf32>
  %r = math.roundeven %x : vector<16xf32>
  %c = arith.maximumf %r, %lo fastmath<nnan,nsz> : vector<16xf32>
  %v = arith.minimumf %c, %hi fastmath<nnan,nsz> : vector<16xf32>
  %q = arith.fptosi %v : vector<16xf32> to vector<16xi8>
  return %q : vector<16xi8>
}

// -----

// Unsigned storage, the clamp written upper bound first: the lower bound stays, the upper one
// gives way to unsigned saturation (vpmovusdb; INT_MIN, from values of 2^31 and above, reads
// as 2^31 and saturates to 255).
// CHECK-LABEL: func.func @quantize_unsigned
// CHECK-NOT: arith.minimumf
// CHECK: arith.maximumf
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.mask.cvtps2dq.512"
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.mask.pmovus.db.512"
func.func @quantize_unsigned(%x: vector<16xf32>) -> vector<16xi8> {
  %lo = arith.constant dense<0.0> : vector<16xf32>
  %hi = arith.constant dense<255.0> : vector<16xf32>
  %r = math.roundeven %x : vector<16xf32>
  %c = arith.minimumf %r, %hi fastmath<nnan,nsz> : vector<16xf32>
  %v = arith.maximumf %c, %lo fastmath<nnan,nsz> : vector<16xf32>
  %q = arith.fptoui %v : vector<16xf32> to vector<16xi8>
  return %q : vector<16xi8>
}

// -----

// A clamp inside the type's range (a ReLU folded into a quantization with zero point 0) keeps
// both bounds, and the 32-bit result is truncated.
// CHECK-LABEL: func.func @quantize_relu
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.mask.cvtps2dq.512"
// CHECK: arith.trunci %{{.+}} : vector<16xi32> to vector<16xi8>
func.func @quantize_relu(%x: vector<16xf32>) -> vector<16xi8> {
  %lo = arith.constant dense<0.0> : vector<16xf32>
  %hi = arith.constant dense<127.0> : vector<16xf32>
  %r = math.roundeven %x : vector<16xf32>
  %c = arith.maximumf %r, %lo fastmath<nnan,nsz> : vector<16xf32>
  %v = arith.minimumf %c, %hi fastmath<nnan,nsz> : vector<16xf32>
  %q = arith.fptosi %v : vector<16xf32> to vector<16xi8>
  return %q : vector<16xi8>
}

// -----

// Left as they are: bounds outside the storage type (the truncation would wrap), a value not
// rounded (the conversion truncates toward zero, which rounding would change), 8 lanes (no
// rounding operand below 512 bits) and scalars.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: llvm.call_intrinsic
// CHECK-COUNT-4: arith.fptosi
func.func @kept(%x: vector<16xf32>, %y: vector<8xf32>, %s: f32) -> (vector<16xi8>, vector<16xi8>, vector<8xi8>, i8) {
  %lo = arith.constant dense<-128.0> : vector<16xf32>
  %hi = arith.constant dense<127.0> : vector<16xf32>
  %wide = arith.constant dense<200.0> : vector<16xf32>
  %r = math.roundeven %x : vector<16xf32>
  %c = arith.maximumf %r, %lo fastmath<nnan,nsz> : vector<16xf32>
  %v = arith.minimumf %c, %wide fastmath<nnan,nsz> : vector<16xf32>
  %q = arith.fptosi %v : vector<16xf32> to vector<16xi8>
  %c2 = arith.maximumf %x, %lo fastmath<nnan,nsz> : vector<16xf32>
  %v2 = arith.minimumf %c2, %hi fastmath<nnan,nsz> : vector<16xf32>
  %q2 = arith.fptosi %v2 : vector<16xf32> to vector<16xi8>
  %lo8 = arith.constant dense<-128.0> : vector<8xf32>
  %hi8 = arith.constant dense<127.0> : vector<8xf32>
  %r8 = math.roundeven %y : vector<8xf32>
  %c8 = arith.maximumf %r8, %lo8 fastmath<nnan,nsz> : vector<8xf32>
  %v8 = arith.minimumf %c8, %hi8 fastmath<nnan,nsz> : vector<8xf32>
  %q8 = arith.fptosi %v8 : vector<8xf32> to vector<8xi8>
  %los = arith.constant -128.0 : f32
  %his = arith.constant 127.0 : f32
  %rs = math.roundeven %s : f32
  %cs = arith.maximumf %rs, %los fastmath<nnan,nsz> : f32
  %vs = arith.minimumf %cs, %his fastmath<nnan,nsz> : f32
  %qs = arith.fptosi %vs : f32 to i8
  return %q, %q2, %q8, %qs : vector<16xi8>, vector<16xi8>, vector<8xi8>, i8
}

// -----

// One f32 (or 2, or 6) rounded to bf16 has no instruction LLVM selects: it is rounded on the
// bits, (x + 0x7FFF + bit 16 of x) >> 16, a NaN made quiet (| 0x400000) instead. 16 lanes
// keep the truncation (vcvtneps2bf16).
// CHECK-LABEL: func.func @bf16_lanes
// CHECK: %[[BITS:.+]] = arith.bitcast %arg0 : f32 to i32
// CHECK: %[[HIGH:.+]] = arith.shrui %[[BITS]], %c16_i32 : i32
// CHECK: %[[KEPT:.+]] = arith.andi %[[HIGH]], %c1_i32 : i32
// CHECK: %[[BIAS:.+]] = arith.addi %[[KEPT]], %c32767_i32 : i32
// CHECK: %[[NAN:.+]] = arith.cmpf uno, %arg0, %arg0 : f32
// CHECK: %[[QUIET:.+]] = arith.ori %[[BITS]], %c4194304_i32 : i32
// CHECK: %[[BIASED:.+]] = arith.addi %[[BITS]], %[[BIAS]] : i32
// CHECK: %[[CHOSEN:.+]] = arith.select %[[NAN]], %[[QUIET]], %[[BIASED]] : i32
// CHECK: %[[TOP:.+]] = arith.shrui %[[CHOSEN]], %{{.+}} : i32
// CHECK: %[[NARROW:.+]] = arith.trunci %[[TOP]] : i32 to i16
// CHECK: arith.bitcast %[[NARROW]] : i16 to bf16
// CHECK: arith.bitcast %arg1 : vector<2xf32> to vector<2xi32>
// CHECK: arith.bitcast %{{.+}} : vector<2xi16> to vector<2xbf16>
// CHECK: arith.bitcast %arg2 : vector<6xf32> to vector<6xi32>
// CHECK: arith.truncf %arg3 : vector<16xf32> to vector<16xbf16>
func.func @bf16_lanes(%s: f32, %two: vector<2xf32>, %six: vector<6xf32>, %x: vector<16xf32>) -> (bf16, vector<2xbf16>, vector<6xbf16>, vector<16xbf16>) {
  %a = arith.truncf %s : f32 to bf16
  %b = arith.truncf %two : vector<2xf32> to vector<2xbf16>
  %c = arith.truncf %six : vector<6xf32> to vector<6xbf16>
  %d = arith.truncf %x : vector<16xf32> to vector<16xbf16>
  return %a, %b, %c, %d : bf16, vector<2xbf16>, vector<6xbf16>, vector<16xbf16>
}
