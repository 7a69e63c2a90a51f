// RUN: dlc-opt %s --dlc-cpu-approximate-vector-math --split-input-file | FileCheck %s

// erf on a vector becomes arithmetic (no math.erf is left to become a libm call per lane);
// erf on a scalar keeps the math op, which becomes one libm call.
// CHECK-LABEL: func.func @gelu_parts
// CHECK-NOT: math.erf {{.+}} : vector
// CHECK: arith.select {{.+}} : vector<8x32xi1>, vector<8x32xf32>
// CHECK: %[[S:.+]] = math.erf %{{.+}} : f32
// CHECK: return
func.func @gelu_parts(%v: vector<8x32xf32>, %s: f32) -> (vector<8x32xf32>, f32) {
  %a = math.erf %v : vector<8x32xf32>
  %b = math.erf %s : f32
  return %a, %b : vector<8x32xf32>, f32
}

// -----

// exp and tanh on vectors are approximated too.
// CHECK-LABEL: func.func @exp_tanh
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: return
func.func @exp_tanh(%v: vector<16xf32>) -> vector<16xf32> {
  %a = math.exp %v : vector<16xf32>
  %b = math.tanh %a : vector<16xf32>
  return %b : vector<16xf32>
}
