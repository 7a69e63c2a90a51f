// The one place that orders dlc's passes: graph -> linalg -> buffers -> LLVM dialect, with the
// target's passes at the stages it owns. `dlc --compile-to=<phase>` stops after any phase.
#ifndef DLC_COMPILER_PIPELINES_PIPELINE_H
#define DLC_COMPILER_PIPELINES_PIPELINE_H

#include "targets/Target.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>

namespace dlc::pipelines {

/// The phases of compilation, in order. Each names the IR the module holds once it is done.
enum class Phase {
  Graph,   ///< graph dialect, as imported and canonicalized
  Linalg,  ///< linalg/tensor/arith/math on tensors, the target's algorithms chosen, fused
  Buffers, ///< bufferized, results as out-parameters, intermediates planned in the workspace
  LLVM,    ///< LLVM dialect, ready for the target's code generation
};

/// Every phase, in order.
llvm::ArrayRef<Phase> allPhases();
/// Phase names as the CLI spells them: graph, linalg, buffers, llvm.
llvm::StringRef phaseName(Phase phase);
/// Parses a phase name; std::nullopt when unknown.
std::optional<Phase> parsePhase(llvm::StringRef name);

/// What a compilation asks of the pipeline besides its target.
struct PipelineOptions {
  /// The format of matrix products' operands: "fp32", "bf16" (weights rounded at compile time,
  /// sums in fp32; see dlc-choose-precision), "int8" (chosen by the importer) or "mixed" (per
  /// node, from the graph function's precision plan).
  std::string precision = "fp32";
  /// Each kernel of the graph functions records its time into the runtime's profile
  /// (dlc-profile-kernels; `dlc compile --profile`).
  bool profile = false;
};

/// Adds the passes of `phase` alone (for a module that has been through the phases before it).
void buildPhase(mlir::OpPassManager &pm, const targets::Target &target, Phase phase,
                const PipelineOptions &options = {});

/// Adds the passes that take a freshly imported graph module through `stopAfter`.
void buildPipeline(mlir::OpPassManager &pm, const targets::Target &target, Phase stopAfter,
                   const PipelineOptions &options = {});

/// Prints the pass order for `target`, one line per phase: the phase name, a tab, and the
/// phase's textual pass pipeline (what `dlc-opt --dlc-<phase>-pipeline` runs).
void printPipeline(const targets::Target &target, llvm::raw_ostream &os,
                   const PipelineOptions &options = {});

/// Registers dlc's own passes and one pipeline per phase, `--dlc-<phase>-pipeline` with a
/// `target` option (default host), for dlc-opt and textual pipelines.
void registerDlcPasses();

} // namespace dlc::pipelines

#endif
