// The CPU target's passes at each stage of the pipeline, with the reason for each. The stages and
// the target-independent passes between them are ordered in compiler/Pipelines/Pipeline.cpp.
#include "targets/CPU/CpuTarget.h"

#include "targets/CPU/Transforms/Passes.h"

#include "dlc/runtime.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

namespace dlc::cpu {

using namespace mlir;

namespace {

void addAlgorithmPasses(OpPassManager &pm, const CpuDescription &cpu) {
  // Convolutions become Winograd transforms around batched products, or products over im2col
  // columns, whichever the CPU kernels run faster for their shape.
  LowerConvolutionsPassOptions convolutions;
  convolutions.lanes = cpu.lanes();
  if (cpu.caches.l2 > 0)
    convolutions.l2Bytes = cpu.caches.l2;
  pm.addNestedPass<func::FuncOp>(createLowerConvolutionsPass(convolutions));
  pm.addPass(createCanonicalizerPass());
}

void addTensorPasses(OpPassManager &pm, const CpuModel &model, const CpuDescription &cpu) {
  RegisterBlock block = productBlock(cpu);
  // On xeon-amx, bf16 products whose shapes are whole tiles run on AMX tiles (the others on
  // the AVX-512 dot products below); testing on a CPU without AMX replaces the tile operations
  // by vector code with their semantics.
  if (model.amx) {
    pm.addNestedPass<func::FuncOp>(createTileContractionsPass());
    if (model.emulateAmx)
      pm.addNestedPass<func::FuncOp>(createEmulateAmxPass());
  }
  // Products of 8-bit integers or bf16 with constant weights become blocks of the CPU's dot
  // product instructions, where it has them (before the fp32 vectorization, which would take
  // them as generic products).
  VectorizeDotContractionsPassOptions dot;
  dot.vnni = (model.requiredCpu & DLC_CPU_AVX512VNNI) != 0;
  dot.bf16 = computesBF16(model);
  pm.addNestedPass<func::FuncOp>(createVectorizeDotContractionsPass(dot));
  // Constant weights are packed at compile time into column panels one register block wide.
  PackConstantOperandsPassOptions panels;
  panels.panel = block.columns;
  pm.addNestedPass<func::FuncOp>(createPackConstantOperandsPass(panels));
  // A fill reshaped for a packed product becomes a fill of the packed shape, so the product
  // starts its blocks from the fill value instead of reading a filled buffer.
  pm.addPass(createCanonicalizerPass());
  // Activations and residual adds iterate in the shape of the product or window op they follow
  // (not its reshaped result), so the kernels below can apply them to their registers.
  pm.addNestedPass<func::FuncOp>(createAlignEpiloguesPass());
  // int8 and bf16 convolutions (their column packing and product) become blocks of the dot
  // product instructions, with their epilogue, now aligned, on the registers.
  VectorizeDotConvolutionsPassOptions dotConvolutions;
  dotConvolutions.vnni = dot.vnni;
  dotConvolutions.bf16 = dot.bf16;
  pm.addNestedPass<func::FuncOp>(createVectorizeDotConvolutionsPass(dotConvolutions));
  // Direct f32 convolutions become register blocks over the input read in place.
  VectorizeDirectConvolutionsPassOptions direct;
  direct.lanes = cpu.lanes();
  direct.blockRows = block.rows;
  if (cpu.caches.l2 > 0)
    direct.l2Bytes = cpu.caches.l2;
  pm.addNestedPass<func::FuncOp>(createVectorizeDirectConvolutionsPass(direct));
  // Transposed direct f32 convolutions become register blocks of broadcast input elements by
  // vectors of filters, transposed in registers before their store.
  VectorizeTransposedConvolutionsPassOptions transposed;
  transposed.lanes = cpu.lanes();
  if (cpu.caches.l2 > 0)
    transposed.l2Bytes = cpu.caches.l2;
  pm.addNestedPass<func::FuncOp>(createVectorizeTransposedConvolutionsPass(transposed));
  // Matrix products become register-blocked vector code, the blocks as large as the CPU's
  // registers hold and long reductions cut into chunks that fit its L2.
  VectorizeContractionsPassOptions contractions;
  contractions.lanes = cpu.lanes();
  contractions.blockRows = block.rows;
  if (cpu.caches.l1d > 0)
    contractions.l1Bytes = cpu.caches.l1d;
  if (cpu.caches.l2 > 0)
    contractions.l2Bytes = cpu.caches.l2;
  if (cpu.caches.l3 > 0)
    contractions.l3Bytes = cpu.caches.l3;
  pm.addNestedPass<func::FuncOp>(createVectorizeContractionsPass(contractions));
  // The transforms around the products of Winograd convolutions become vector loops, over 16
  // tiles at a time on every CPU: with one ymm register's 8 on AVX2 the 36 vectors of an
  // F(4x4) tile fit the registers better, but compiling PP-OCR's detector (320x320) took 120 s
  // instead of 21 for no speed that 30 interleaved runs could tell apart (Zen 3).
  pm.addNestedPass<func::FuncOp>(createVectorizeWinogradPass());
  // Depthwise convolutions, pooling and other window reductions become vector loops, with
  // their bias and activation applied to the same vectors.
  pm.addNestedPass<func::FuncOp>(createVectorizeWindowsPass());
  // Activations now on vectors (GELU's erf, exp, tanh) become polynomials, not libm calls.
  pm.addNestedPass<func::FuncOp>(createApproximateVectorMathPass());
  // Quantizations in the epilogues convert with rounding, not round then convert.
  if (model.requiredCpu & DLC_CPU_AVX512F)
    pm.addNestedPass<func::FuncOp>(createRoundingConversionsPass());
  pm.addPass(createCanonicalizerPass());
}

void addBufferPasses(OpPassManager &pm) {
  // Accumulator blocks stay in registers across reduction loops.
  pm.addNestedPass<func::FuncOp>(createHoistVectorTransfersPass());
  // Reads of packed constant panels prefetch the next panel.
  pm.addNestedPass<func::FuncOp>(createPrefetchPanelsPass());
}

void addLoweringPasses(OpPassManager &pm, const CpuModel &model) {
  bool tiles = model.amx && !model.emulateAmx;
  // Block loops of vectorized products, and large structured ops split into pieces, run on the
  // runtime's thread pool.
  pm.addPass(createParallelizeBlockLoopsPass());
  // Copies into and out of strided views (a padded input's interior) move whole rows as
  // vectors; LLVM would copy them byte by byte, unable to tell the two views apart.
  pm.addNestedPass<func::FuncOp>(createVectorizeCopiesPass());
  // Structured ops become loops; LLVM vectorizes the innermost, contiguous ones.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  // Math with an LLVM intrinsic uses it; erf/tanh call libm (-lm); integer powers get a helper.
  // Before the vector lowering: libm calls on vectors are made per lane with vector.extract and
  // vector.insert, which that lowering then handles.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLibmPass());
  // Partial sums of dot-product blocks are added up with horizontal reductions.
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMultiReductionPass(
      vector::VectorMultiReductionLowering::InnerReduction));
  // n-D vector transfers unroll fully into 1-D ones (no stack buffers), which become loads,
  // stores and broadcasts of whole registers.
  VectorTransferToSCFOptions unrolled;
  unrolled.enableFullUnroll();
  pm.addPass(createConvertVectorToSCFPass(unrolled));
  // Loops carrying AMX tiles carry LLVM's tile values, so each accumulator stays in its tile
  // register through the reduction.
  if (tiles)
    pm.addPass(createLegalizeTileLoopsPass());
  // x86vector's ops (vdpbf16ps) and amx's (tdpbf16ps) become their LLVM intrinsics. LLVM
  // configures the tiles (ldtilecfg) at the entry of each function that uses them and
  // releases them (tilerelease) before it returns.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  vectorToLLVM.amx = tiles;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Subviews and reshapes become explicit offset/stride arithmetic before memref lowering.
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // Bare pointers at the function boundary: the C entry point passes plain data pointers.
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createConvertControlFlowToLLVMPass());
  // Vectorization pads reads with ub.poison.
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

} // namespace

void addCpuPasses(OpPassManager &pm, targets::Stage stage, const CpuModel &model,
                  const CpuDescription &cpu) {
  switch (stage) {
  case targets::Stage::Algorithms: return addAlgorithmPasses(pm, cpu);
  case targets::Stage::Tensors: return addTensorPasses(pm, model, cpu);
  case targets::Stage::Buffers: return addBufferPasses(pm);
  case targets::Stage::Lowering: return addLoweringPasses(pm, model);
  }
}

} // namespace dlc::cpu
