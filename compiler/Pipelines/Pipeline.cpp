// The pass order of dlc's compilation pipeline, phase by phase, with the reason for each pass and
// the points where the target adds its own. Changing what runs when happens here and nowhere else.
#include "compiler/Pipelines/Pipeline.h"

#include "compiler/Buffers/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/Folding/Passes.h"
#include "compiler/Fusion/Passes.h"
#include "compiler/MemoryPlanning/Passes.h"
#include "compiler/Precision/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace dlc::pipelines {

using namespace mlir;
using targets::Stage;

llvm::ArrayRef<Phase> allPhases() {
  static const Phase kPhases[] = {Phase::Graph, Phase::Linalg, Phase::Buffers, Phase::LLVM};
  return kPhases;
}

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
  for (Phase phase : allPhases())
    if (phaseName(phase) == name)
      return phase;
  return std::nullopt;
}

namespace {

void addGraphPasses(OpPassManager &pm, const PipelineOptions &options) {
  // Folds constant reshapes and reshape chains the importer produced, dequantized constants
  // and requantizations of what was just dequantized.
  pm.addPass(createCanonicalizerPass());
  // BatchNormalization's scale and shift move into the preceding convolution's weights.
  pm.addNestedPass<func::FuncOp>(folding::createFoldConvAffinePass());
  pm.addPass(createCanonicalizerPass());
  // The format each product computes in (after folding, which works on fp32 weights).
  precision::ChoosePrecisionPassOptions precision;
  precision.precision = options.precision;
  pm.addNestedPass<func::FuncOp>(precision::createChoosePrecisionPass(precision));
}

void addLinalgPasses(OpPassManager &pm, const targets::Target &target) {
  // The quantizations and dequantizations no op computes on as integers, as graph arithmetic.
  pm.addNestedPass<func::FuncOp>(precision::createLowerQuantizationPass());
  // The hand-off: every graph op becomes linalg on tensors (convolutions as named ops).
  pm.addPass(conversion::createConvertGraphToLinalgPass());
  // Folds the collapse/expand pairs of reshapes and empty/fill leftovers.
  pm.addPass(createCanonicalizerPass());
  // The target chooses how named ops compute (a convolution as Winograd or as a product).
  target.addPasses(pm, Stage::Algorithms);
  // Chains of elementwise ops (scale, shift, activation, residual add) make one pass over memory,
  // whatever algorithm produced their input.
  pm.addNestedPass<func::FuncOp>(fusion::createFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
}

void addBufferPasses(OpPassManager &pm, const targets::Target &target) {
  // Code generation on tensors: packing, vectorization or device mapping.
  target.addPasses(pm, Stage::Tensors);
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
  // So is a result that is a reshape of a fresh buffer (a product tiled through an expanded
  // shape, a depthwise convolution's grouped result), instead of being copied out at the end.
  pm.addNestedPass<func::FuncOp>(buffers::createWriteResultsInPlacePass());
  // Vector transfers address their base buffers directly (not subviews), which lets the
  // target's hoisting see that an accumulator block is not aliased inside its loop.
  pm.addPass(memref::createFoldMemRefAliasOpsPass());
  // Merges the identical subviews bufferization leaves around tiles, so tile copies that copy
  // onto themselves fold away.
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  // Clean-ups on buffers before they are planned: accumulators in registers, prefetches.
  target.addPasses(pm, Stage::Buffers);
  // Every remaining allocation becomes a view of the one workspace.
  pm.addPass(memory::createPlanWorkspacePass());
}

void addLLVMPasses(OpPassManager &pm, const targets::Target &target,
                   const PipelineOptions &options) {
  // With --profile, each kernel is timed: a parallel loop as one kernel, before the target
  // outlines its loops for the thread pool.
  if (options.profile)
    pm.addPass(buffers::createProfileKernelsPass());
  // Copies into strided views become loops rather than calls into MLIR's runner library, which
  // no generated library links.
  pm.addNestedPass<func::FuncOp>(conversion::createConvertMemRefCopyToLinalgPass());
  // Unused buffer arguments without elements get a type the bare-pointer C boundary accepts.
  pm.addNestedPass<func::FuncOp>(buffers::createFlattenEmptyArgumentsPass());
  // The target lowers everything to the LLVM dialect.
  target.addPasses(pm, Stage::Lowering);
}

} // namespace

void buildPhase(OpPassManager &pm, const targets::Target &target, Phase phase,
                const PipelineOptions &options) {
  switch (phase) {
  case Phase::Graph: return addGraphPasses(pm, options);
  case Phase::Linalg: return addLinalgPasses(pm, target);
  case Phase::Buffers: return addBufferPasses(pm, target);
  case Phase::LLVM: return addLLVMPasses(pm, target, options);
  }
}

void buildPipeline(OpPassManager &pm, const targets::Target &target, Phase stopAfter,
                   const PipelineOptions &options) {
  for (Phase phase : allPhases()) {
    buildPhase(pm, target, phase, options);
    if (phase == stopAfter)
      return;
  }
}

void printPipeline(const targets::Target &target, llvm::raw_ostream &os,
                   const PipelineOptions &options) {
  for (Phase phase : allPhases()) {
    OpPassManager pm(ModuleOp::getOperationName());
    buildPhase(pm, target, phase, options);
    os << phaseName(phase) << "\t";
    pm.printAsTextualPipeline(os);
    os << "\n";
  }
}

void registerDlcPasses() {
  buffers::registerBuffersPasses();
  conversion::registerConversionPasses();
  folding::registerFoldingPasses();
  fusion::registerFusionPasses();
  memory::registerMemoryPlanningPasses();
  precision::registerPrecisionPasses();
  // --dlc-graph-pipeline, --dlc-linalg-pipeline, ...: one phase, for a module that has been
  // through the phases before it, with the passes of the target given as target=NAME.
  for (Phase phase : allPhases()) {
    std::string argument = ("dlc-" + phaseName(phase) + "-pipeline").str();
    std::string description =
        ("The passes of dlc's " + phaseName(phase) + " phase (option: target=NAME, default host)")
            .str();
    registerPassPipeline(
        argument, description,
        [phase](OpPassManager &pm, StringRef options,
                function_ref<LogicalResult(const Twine &)> errorHandler) -> LogicalResult {
          StringRef name = "host";
          if (!options.empty()) {
            auto [key, value] = options.trim().split('=');
            if (key.trim() != "target" || value.trim().empty())
              return errorHandler("unknown option '" + options +
                                  "' (the one option is target=NAME)");
            name = value.trim();
          }
          auto target = targets::createTarget(name);
          if (!target)
            return errorHandler(llvm::toString(target.takeError()));
          buildPhase(pm, **target, phase);
          return success();
        },
        [](function_ref<void(const mlir::detail::PassOptions &)>) {});
  }
}

} // namespace dlc::pipelines
