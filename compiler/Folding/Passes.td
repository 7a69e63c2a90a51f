// Graph-level folding passes: rewrites of the graph dialect that move work to compile time.
// Pipelines in compiler/Pipelines decide where they run.
#ifndef DLC_COMPILER_FOLDING_PASSES
#define DLC_COMPILER_FOLDING_PASSES

include "mlir/Pass/PassBase.td"

def FoldConvAffinePass : Pass<"dlc-fold-conv-affine", "mlir::func::FuncOp"> {
  let summary = "Folds per-channel scales and shifts (inference BatchNormalization) into convs";
  let description = [{
    A convolution with constant filter (and bias) followed by a per-output-channel constant
    multiply and/or add, as the importer expands BatchNormalization, becomes one convolution
    with rescaled weights; the scale and shift are computed at compile time:

    ```mlir
    %c = graph.conv %x, %W, %b          // [N, F, ...]
    %s = graph.mul %c, %a               // %a: constant [F, 1, ..., 1]
    %y = graph.add %s, %t               // %t: constant [F, 1, ..., 1]
    // becomes
    %y = graph.conv %x, %W', %b'        // W'[f] = W[f] * a[f], b'[f] = b[f] * a[f] + t[f]
    ```

    Preconditions: the filter, bias (if any) and per-channel operands are f32 constants; the
    per-channel operand varies only along the channel dimension; the intermediate result has no
    other users.
  }];
}

#endif // DLC_COMPILER_FOLDING_PASSES
