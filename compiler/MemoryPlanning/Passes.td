// Memory planning passes: place every intermediate buffer of a bufferized function in one
// caller-owned workspace whose size is known at compile time.
#ifndef DLC_COMPILER_MEMORYPLANNING_PASSES
#define DLC_COMPILER_MEMORYPLANNING_PASSES

include "mlir/Pass/PassBase.td"

def PlanWorkspacePass : Pass<"dlc-plan-workspace", "mlir::ModuleOp"> {
  let summary = "Replaces memref.alloc with views into one workspace argument";
  let description = [{
    For each function with a body, every `memref.alloc` gets a byte offset in a single workspace,
    passed as a new trailing argument `memref<SIZExi8>`; allocs become `memref.view`s of it and
    deallocs are erased, so a run allocates nothing:

    ```mlir
    func.func @f(%in: memref<4xf32>, %out: memref<4xf32>) {
      %a = memref.alloc() {alignment = 64} : memref<4xf32>
      ...
    // becomes
    func.func @f(%in: memref<4xf32>, %out: memref<4xf32>, %ws: memref<64xi8>)
        attributes {dlc.workspace_size = 64, dlc.workspace_lower_bound = 16} {
      %c0 = arith.constant 0 : index
      %a = memref.view %ws[%c0][] : memref<64xi8> to memref<4xf32>
    ```

    A buffer is live from its alloc to the last top-level op that uses it or any view of it.
    `dlc.workspace_lower_bound` records the largest total of simultaneously live bytes, the
    figure no plan can beat. Plans, smallest kept:

    1. Lowest offset: buffers placed one by one, each at the lowest 64-byte-aligned offset that
       does not overlap a placed buffer with an overlapping live range, in several orders
       (largest first, longest-lived first, largest size x lifetime first, first used first,
       and 64 seeded perturbations of largest first).
    2. Within a size: for sizes from the lower bound up, 1% apart (to 110%, and only below
       plan 1), buffers are placed in order of first use, each at the bottom or the top of a
       free gap, with backtracking over those choices (at most 20000 placements per size).
       Lowest offset fails on residual chains: the block output is born while the block input
       is alive, right after the im2col buffer died, and at the lowest offset it takes the
       space the next im2col buffer needs (ResNet-50: 1.29x the bound); at the top of that
       space it leaves it whole (1.00x).

    A buffer allocated inside an scf.if or a loop lives while the whole top-level op holding it
    does: one place serves every iteration, since one-shot bufferization (not allowed to return
    allocations from loops) makes iterations update the loop's arguments in place. A loop's
    init buffer lives on as the loop's result.

    Preconditions: the function is bufferized, its results are out-parameters, every alloc has a
    static shape, and no loop yields a buffer allocated inside it.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

#endif // DLC_COMPILER_MEMORYPLANNING_PASSES
