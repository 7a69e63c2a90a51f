// The pass order of dlc's compilation pipeline, phase by phase, with the reason for each pass.
// Changing what runs when happens here and nowhere else.
#include "compiler/Pipelines/Pipeline.h"

#include "compiler/Conversion/Passes.h"
#include "compiler/Folding/Passes.h"
#include "compiler/Fusion/Passes.h"
#include "compiler/MemoryPlanning/Passes.h"
#include "targets/CPU/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

namespace dlc::pipelines {

using namespace mlir;

StringRef phaseName(Phase phase) {
  switch (phase) {
  case Phase::Graph: return "graph";
  case Phase::Linalg: return "linalg";
  case Phase::Buffers: return "buffers";
  case Phase::LLVM: return "llvm";
  }
  llvm_unreachable("unknown phase");
}

std::optional<Phase> parsePhase(StringRef name) {
  for (Phase phase : {Phase::Graph, Phase::Linalg, Phase::Buffers, Phase::LLVM})
    if (phaseName(phase) == name)
      return phase;
  return std::nullopt;
}

static void addGraphPasses(OpPassManager &pm) {
  // Folds constant reshapes and reshape chains the importer produced.
  pm.addPass(createCanonicalizerPass());
  // BatchNormalization's scale and shift move into the preceding convolution's weights.
  pm.addNestedPass<func::FuncOp>(folding::createFoldConvAffinePass());
  pm.addPass(createCanonicalizerPass());
}

static void addLinalgPasses(OpPassManager &pm) {
  // The hand-off: every graph op becomes linalg on tensors.
  pm.addPass(conversion::createConvertGraphToLinalgPass());
  // Folds the collapse/expand pairs of reshapes and empty/fill leftovers.
  pm.addPass(createCanonicalizerPass());
  // Chains of elementwise ops (scale, shift, activation, residual add) make one pass over memory.
  pm.addNestedPass<func::FuncOp>(fusion::createFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
}

static void addBufferPasses(OpPassManager &pm) {
  // CPU code generation on tensors: constant weights are packed into column panels at compile
  // time, then matrix products become register-blocked vector code.
  pm.addNestedPass<func::FuncOp>(cpu::createPackConstantOperandsPass());
  // A fill reshaped for a packed product becomes a fill of the packed shape, so the product
  // starts its blocks from the fill value instead of reading a filled buffer.
  pm.addPass(createCanonicalizerPass());
  // Activations and residual adds iterate in the shape of the product or window op they follow
  // (not its reshaped result), so the kernels below can apply them to their registers.
  pm.addNestedPass<func::FuncOp>(fusion::createAlignEpiloguesPass());
  pm.addNestedPass<func::FuncOp>(cpu::createVectorizeContractionsPass());
  // The transforms around the products of Winograd convolutions become vector loops.
  pm.addNestedPass<func::FuncOp>(cpu::createVectorizeWinogradPass());
  // Depthwise convolutions, pooling and other window reductions become vector loops, with
  // their bias and activation applied to the same vectors.
  pm.addNestedPass<func::FuncOp>(cpu::createVectorizeWindowsPass());
  // Activations now on vectors (GELU's erf, exp, tanh) become polynomials, not libm calls.
  pm.addNestedPass<func::FuncOp>(cpu::createApproximateVectorMathPass());
  pm.addPass(createCanonicalizerPass());
  // Tensors become buffers; function arguments and results get plain row-major memrefs, which is
  // what the C entry point passes.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  bufferize.unknownTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Results are written into caller-owned output buffers; a result computed in a fresh buffer
  // is computed in the output buffer directly.
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  // Vector transfers address their base buffers directly (not subviews), which lets the
  // hoisting below see that an accumulator block is not aliased inside its loop.
  pm.addPass(memref::createFoldMemRefAliasOpsPass());
  // Merges the identical subviews bufferization leaves around tiles, so tile copies that copy
  // onto themselves fold away.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Accumulator blocks stay in registers across reduction loops.
  pm.addNestedPass<func::FuncOp>(cpu::createHoistVectorTransfersPass());
  // Reads of packed constant panels prefetch the next panel.
  pm.addNestedPass<func::FuncOp>(cpu::createPrefetchPanelsPass());
  // Every remaining allocation becomes a view of the one workspace.
  pm.addPass(memory::createPlanWorkspacePass());
}

static void addLLVMPasses(OpPassManager &pm) {
  // Copies into strided views become loops rather than calls into MLIR's runner library.
  pm.addNestedPass<func::FuncOp>(conversion::createConvertMemRefCopyToLinalgPass());
  // Block loops of vectorized products, and large structured ops split into pieces, run on the
  // runtime's thread pool.
  pm.addPass(cpu::createParallelizeBlockLoopsPass());
  // Structured ops become loops; LLVM vectorizes the innermost, contiguous ones.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Math with an LLVM intrinsic uses it; erf/tanh call libm (-lm); integer powers get a helper.
  // Before the vector lowering: libm calls on vectors are made per lane with vector.extract and
  // vector.insert, which that lowering then handles.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLibmPass());
  // n-D vector transfers unroll fully into 1-D ones (no stack buffers), which become loads,
  // stores and broadcasts of whole registers.
  // Partial sums of dot-product blocks are added up with horizontal reductions.
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMultiReductionPass(
      vector::VectorMultiReductionLowering::InnerReduction));
  VectorTransferToSCFOptions unrolled;
  unrolled.enableFullUnroll();
  pm.addPass(createConvertVectorToSCFPass(unrolled));
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Subviews and reshapes become explicit offset/stride arithmetic before memref lowering.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // Bare pointers at the function boundary: the C entry point passes plain data pointers. An
  // argument with a zero dimension has no strided layout and is given one first.
  pm.addNestedPass<func::FuncOp>(conversion::createFlattenEmptyArgumentsPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  // Vectorization pads reads with ub.poison.
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void buildPipeline(OpPassManager &pm, const PipelineOptions &options) {
  addGraphPasses(pm);
  if (options.stopAfter == Phase::Graph)
    return;
  addLinalgPasses(pm);
  if (options.stopAfter == Phase::Linalg)
    return;
  addBufferPasses(pm);
  if (options.stopAfter == Phase::Buffers)
    return;
  addLLVMPasses(pm);
}

void registerDlcPasses() {
  conversion::registerConversionPasses();
  folding::registerFoldingPasses();
  fusion::registerFusionPasses();
  cpu::registerCPUPasses();
  memory::registerMemoryPlanningPasses();
}

} // namespace dlc::pipelines
