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
    before it). Nor is one into a consumer that gathers it (reads it through a map that is not
    a projected permutation, as the im2col and packing copies of convolutions do): each element
    would be computed once per read, and the producer's own kernel (a product whose epilogue it
    is) would lose it.

    Nor is a producer that narrows its data (a quantization of a product's int32 sums to int8)
    fused into a consumer that, through the chain fusion makes of it, also reads the result of
    an earlier product (a residual add of two quantized convolutions). That chain becomes the
    earlier product's epilogue; fused, the producer would make its own product store its int32
    sums for it, four times the bytes. Unfused, the quantization is its own product's epilogue
    and stores int8.

    Fusion brings a quantization and the dequantization of its result into one body (an Add's
    operand in a QDQ model); the conversions between them cannot change the value and are
    removed: `sitofp(fptosi(x))` becomes `x` where x is integers (a rounding's result, shifted
    by integral constants) clamped with `nsz` into the integer type's range by integral bounds.

    ```mlir
    %r = math.roundeven %v : f32
    %c = arith.maximumf %r, %lo fastmath<nnan,nsz> : f32    // %lo = -128.0
    %x = arith.minimumf %c, %hi fastmath<nnan,nsz> : f32    // %hi = 127.0
    %q = arith.fptosi %x : f32 to i8
    %y = arith.sitofp %q : i8 to f32                        // becomes %x
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

#endif // DLC_COMPILER_FUSION_PASSES
