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

def ProfileKernelsPass : Pass<"dlc-profile-kernels", "mlir::ModuleOp"> {
  let summary = "Times each kernel of the graph functions into the runtime's profile";
  let description = [{
    For `dlc compile --profile` and `dlc bench --profile`. Each top-level op of a graph function
    (one with a planned workspace) that does work (a loop nest, a structured op, a copy, a
    call) is a kernel: the runtime's clock is read before it, and after it
    `dlc_rt_profile_record` gets the kernel's name, its arithmetic and the time it started
    (runtime/include/dlc/profile.h):

    ```mlir
    scf.for %c = ... { ... }                      // loc("n_Conv_3"), with a fused loc("n_Relu_4")
    // becomes
    %t = func.call @dlc_rt_profile_clock() : () -> i64
    scf.for %c = ... { ... }
    %name = llvm.mlir.addressof @__dlc_profile_name_7 : !llvm.ptr   // "n_Conv_3+n_Relu_4"
    func.call @dlc_rt_profile_record(%name, %ops, %kind, %t)
    ```

    The name joins the ONNX node names (`NameLoc`s) of the kernel's ops in order of first
    appearance. The arithmetic counts each float or integer vector or scalar multiply and
    add (an FMA 2, a `vdpbf16ps` lane 4, a `vpdpbusd` lane 8; index arithmetic not at all)
    times the trip counts of the loops around it inside the kernel (a loop whose bounds are
    not constants counts once; of an `scf.if`, the larger branch): what the generated code
    computes, so Winograd convolutions count their transformed products. The kind says which
    instruction's peak to compare with: int8 if the kernel has `vpdpbusd`, else bf16 if it
    has `vdpbf16ps`, else fp32. Run before the parallelization of block loops, so that a
    parallel loop is one kernel, timed on the calling thread.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::func::FuncDialect"];
}

#endif // DLC_COMPILER_BUFFERS_PASSES
