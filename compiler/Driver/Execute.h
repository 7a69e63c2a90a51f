// Running compiled models in process: `dlc run` (one run, outputs to .npy files) and `dlc bench`
// (timed runs). Both compile for this machine and execute the same object `dlc compile` emits.
#ifndef DLC_COMPILER_DRIVER_EXECUTE_H
#define DLC_COMPILER_DRIVER_EXECUTE_H

#include "compiler/Driver/Compilation.h"
#include "compiler/Driver/Shapes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <utility>
#include <vector>

namespace dlc::driver {

/// Input files by graph-input name; an empty name means "the next input in graph order".
using InputFiles = std::vector<std::pair<std::string, std::string>>;

/// Compiles the model for this machine and runs it once on `inputFiles`, writing
/// output_<k>.npy into `outputDir`. The input files fix their inputs' shapes (`shapes` fixes
/// others); inputs that feed compile-time operands (Reshape shapes, Slice bounds, ...) are
/// bound as constants first.
mlir::LogicalResult runModel(mlir::MLIRContext &context, const std::string &modelPath,
                             const InputFiles &inputFiles, const InputShapes &shapes,
                             const std::string &outputDir,
                             const PrecisionOptions &precision = {},
                             const std::string &tuningPath = "");

/// What `dlc bench` measures.
struct BenchOptions {
  int warmup = 3;
  int iterations = 20;
  bool json = false;
  /// Threads the model's parallel loops use; 0 keeps the runtime's default.
  int threads = 0;
  /// Compile with --profile and report each kernel's time per run after the timed runs.
  bool profile = false;
  /// With profile: where to write the timed runs' kernels as Chrome trace JSON (none if empty).
  std::string traceFile;
  /// With profile: one core's peak rate, in operations per second, of fp32 FMA, vdpbf16ps and
  /// vpdpbusd (0 where unknown), for each kernel's share of its instruction's peak.
  double peaks[3] = {0, 0, 0};
  /// dlc's version, for the JSON report.
  std::string version;
};

/// Compiles the model for this machine and times `NAME_run`: warm-up runs, then `iterations`
/// timed runs; reports median and p90 latency and throughput. Inputs not given as files get
/// deterministic pseudo-random values (integers: zero).
mlir::LogicalResult benchModel(mlir::MLIRContext &context, const std::string &modelPath,
                               const InputFiles &inputFiles, const InputShapes &shapes,
                               const BenchOptions &options, llvm::raw_ostream &out,
                               const PrecisionOptions &precision = {},
                               const std::string &tuningPath = "");

} // namespace dlc::driver

#endif
