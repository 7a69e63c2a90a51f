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

#endif // DLC_COMPILER_BUFFERS_PASSES
