// Passes that convert between dialects: graph -> linalg on tensors (the hand-off to targets) and
// memref copies -> linalg. One entry per pass; the code of pass X lives in Conversion/X/.
#ifndef DLC_COMPILER_CONVERSION_PASSES
#define DLC_COMPILER_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertGraphToLinalgPass : Pass<"dlc-convert-graph-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lowers every graph op to linalg, tensor, arith and math ops on tensors";
  let description = [{
    Each graph op becomes destination-passing linalg on tensors, ready for tiling, packing and
    vectorization by a target:

    ```mlir
    %r = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    // becomes
    %e = tensor.empty() : tensor<2x3xf32>
    %r = linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d1),
                                          (d0, d1) -> (d0, d1)], ...}
           ins(%a, %b) outs(%e) { arith.addf }
    ```

    Broadcasting becomes indexing maps (no materialized copies); convolutions and pools pad with
    `tensor.pad` and iterate with the output's innermost dimension last, so plain loops stream
    through memory; reshapes become collapse/expand pairs that bufferize to views. Graph constants
    become `arith.constant`, which bufferization places in read-only globals. Scatters and top-k
    write where values point, which no indexing map says, so they become `scf.for` nests that
    thread the result tensor through `tensor.insert` (bufferized in place).

    Preconditions: all shapes are static (the importer resolves them); graph ops carry verified
    attributes (normalized axes, pads, slice bounds), so no lowering re-checks them.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect"];
}

def ConvertMemRefCopyToLinalgPass
    : Pass<"dlc-convert-memref-copy-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Rewrites memref.copy as linalg.copy so it becomes loops, not a library call";
  let description = [{
    Bufferization copies into strided views (padding, concatenation, output buffers) with
    `memref.copy`, whose LLVM lowering calls `memrefCopy` from MLIR's C runner library for
    non-contiguous layouts. Generated libraries link nothing but libc and libm, so every such
    copy becomes a `linalg.copy`, which the loop lowering turns into plain loads and stores:

    ```mlir
    memref.copy %a, %b : memref<3x8xf32> to memref<3x8xf32, strided<[10, 1], offset: 11>>
    // becomes
    linalg.copy ins(%a : memref<3x8xf32>) outs(%b : memref<3x8xf32, strided<...>>)
    ```

    A copy between two contiguous, statically shaped buffers stays a `memref.copy`: its LLVM
    lowering is a `memcpy`, faster than any loop (and loops split into pieces for threads get
    dynamic strides, which vectorize as gathers and scatters).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // DLC_COMPILER_CONVERSION_PASSES
