// The one place that orders dlc's passes: graph -> linalg -> buffers -> LLVM dialect.
// `dlc --compile-to=<phase>` stops after any phase; later phases (object code) live in targets/.
#ifndef DLC_COMPILER_PIPELINES_PIPELINE_H
#define DLC_COMPILER_PIPELINES_PIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <optional>

namespace dlc::pipelines {

/// The phases of compilation, in order. Each names the IR the module holds once it is done.
enum class Phase {
  Graph,   ///< graph dialect, as imported and canonicalized
  Linalg,  ///< linalg/tensor/arith/math on tensors: the hand-off to a target
  Buffers, ///< bufferized, results as out-parameters, intermediates planned in the workspace
  LLVM,    ///< LLVM dialect, ready for translation to LLVM IR
};

/// Phase names as the CLI spells them: graph, linalg, buffers, llvm.
llvm::StringRef phaseName(Phase phase);
/// Parses a phase name; std::nullopt when unknown.
std::optional<Phase> parsePhase(llvm::StringRef name);

/// What a pipeline run does.
struct PipelineOptions {
  /// The last phase to run.
  Phase stopAfter = Phase::LLVM;
};

/// Adds the passes that take a freshly imported graph module to `options.stopAfter`.
void buildPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);

/// Registers dlc's own passes (for dlc-opt and textual pipelines).
void registerDlcPasses();

} // namespace dlc::pipelines

#endif
