// Passes on bufferized functions that prepare buffers for the C boundary of the generated code.
// Pipelines in compiler/Pipelines decide where they run.
#ifndef DLC_COMPILER_BUFFERS_PASSES
#define DLC_COMPILER_BUFFERS_PASSES

include "mlir/Pass/PassBase.td"

def FlattenEmptyArgumentsPass
    : Pass<"dlc-flatten-empty-arguments", "mlir::func::FuncOp"> {
  let summary = "Gives unused, zero-element buffer arguments the type memref<0xT>";
  let description = [{
    A graph input or output with a zero dimension (`[3, 0, 5]`) holds no elements, and once
    canonicalization has removed the work on it the function no longer uses the argument. Its
    type still has to become a bare pointer at the C boundary, but MLIR gives a memref with a
    zero dimension no strided layout, so the bare-pointer calling convention rejects it. Such
    an argument is retyped to the rank-1 empty buffer, which converts like any other:

    ```mlir
    func.func @f(%x: memref<3x0x5xi64>, ...)   // %x unused
    // becomes
    func.func @f(%x: memref<0xi64>, ...)
    ```

    Precondition: the argument has no uses (an empty buffer that is still read or written is
    left alone). The C signature is unchanged: the argument stays one data pointer.
  }];
}

def WriteResultsInPlacePass
    : Pass<"dlc-write-results-in-place", "mlir::func::FuncOp"> {
  let summary = "Computes a result in its output buffer when it is a reshape of a fresh buffer";
  let description = [{
    `-buffer-results-to-out-params` computes a result directly in the caller's output buffer
    only when the function returns the allocation itself. A result that is a reshape of one (a
    product tiled through an `expand_shape`, a depthwise convolution computed with its group
    dimension and collapsed) is computed in the workspace and copied out at the end: one more
    pass over the result's bytes. Such an allocation becomes the inverse reshape of the output
    argument and the copy disappears:

    ```mlir
    %a = memref.alloc() : memref<1x144x1x56x56xf32>
    ...                                          // writes %a
    %c = memref.collapse_shape %a [[0], [1, 2], [3], [4]] : ... into memref<1x144x56x56xf32>
    memref.copy %c, %out : memref<1x144x56x56xf32> to memref<1x144x56x56xf32>
    // becomes
    %a = memref.expand_shape %out [[0], [1, 2], [3], [4]] output_shape [1, 144, 1, 56, 56] ...
    ...                                          // writes the output directly
    ```

    Preconditions: the copy is the output argument's only use and sits in the function's
    entry block; its source is a chain of `collapse_shape`/`expand_shape` ops (possibly none)
    of an identity-layout, statically shaped `memref.alloc` in the entry block; no op after the
    copy uses the allocation (a second output of the same value keeps its copy). Output
    buffers therefore must not overlap the inputs (docs/artifact-contract.md).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

#endif // DLC_COMPILER_BUFFERS_PASSES
