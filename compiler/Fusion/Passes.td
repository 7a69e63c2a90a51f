// Fusion passes: merge producer/consumer ops so intermediates are not written to memory.
// Pipelines in compiler/Pipelines decide where they run.
#ifndef DLC_COMPILER_FUSION_PASSES
#define DLC_COMPILER_FUSION_PASSES

include "mlir/Pass/PassBase.td"

def FuseElementwisePass : Pass<"dlc-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuses chains of elementwise linalg ops into one loop nest";
  let description = [{
    An all-parallel `linalg.generic` whose result feeds another all-parallel `linalg.generic`
    is merged into it, so the chain makes one pass over memory instead of one per op:

    ```mlir
    %s = linalg.generic {parallel} ins(%x, %a) { mulf }     // scale
    %t = linalg.generic {parallel} ins(%s, %b) { addf }     // shift
    %r = linalg.generic {parallel} ins(%t)     { maximumf } // relu
    // becomes
    %r = linalg.generic {parallel} ins(%x, %a, %b) { mulf; addf; maximumf }
    ```

    Preconditions: only fusions into an all-parallel consumer are made. Fusing a producer into a
    reduction (a matrix product, say) would recompute it for every reduction step and hide the
    contraction from the CPU code generation, so those are left alone. A producer with several
    uses is not fused either: each consumer would recompute it (and, through chains, everything
    before it).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def AlignEpiloguesPass : Pass<"dlc-align-epilogues", "mlir::func::FuncOp"> {
  let summary = "Moves reshapes between a reduction and its elementwise consumer after the consumer";
  let description = [{
    Convolutions lowered to products compute `[N, F, H*W]` and reshape it to `[N, F, H, W]`;
    packed products compute `[M, N/32, 32]`; grouped convolutions `[N, G, F/G, H, W]`. The
    activation or residual add that follows iterates over the reshaped result, so it cannot run
    on the product's register blocks. This pass reshapes the consumer instead (collapsing or
    expanding its loops, and reshaping its other operands alike) and moves the reshape after it:

    ```mlir
    %p = linalg.generic {.., reduction, ..} -> tensor<1x64x3136xf32>     // conv as a product
    %e = tensor.expand_shape %p [[0], [1], [2, 3]] : ... into tensor<1x64x56x56xf32>
    %r = linalg.generic {parallel x4} ins(%e, %skip : tensor<1x64x56x56xf32>, ...) { addf; maximumf }
    // becomes
    %c = tensor.collapse_shape %skip [[0], [1], [2, 3]] : ... into tensor<1x64x3136xf32>
    %r = linalg.generic {parallel x3} ins(%p, %c : tensor<1x64x3136xf32>, ...) { addf; maximumf }
    %e = tensor.expand_shape %r [[0], [1], [2, 3]] : ... into tensor<1x64x56x56xf32>
    ```

    Preconditions: the consumer is an all-parallel `linalg.generic`, and the reshape and the
    reduction each have that one use (otherwise the reduction's result is needed in its own
    shape anyway, and moving the reshape gains nothing).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

#endif // DLC_COMPILER_FUSION_PASSES
