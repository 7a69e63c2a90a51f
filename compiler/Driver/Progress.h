// What a long `dlc compile` shows while it works: on a terminal, one line that it rewrites with
// the step it is at (import, each pass of each phase, code generation, the library); with -v,
// the time each step took, once it is done. Nothing when stderr is not a terminal, or with
// --quiet. One reporter per process, which the CLI configures.
#ifndef DLC_COMPILER_DRIVER_PROGRESS_H
#define DLC_COMPILER_DRIVER_PROGRESS_H

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <string>
#include <vector>

namespace dlc::driver {

class Progress {
public:
  /// The process's reporter.
  static Progress &get();

  /// `line`: rewrite one status line (when stderr is a terminal); `times`: print each step's
  /// time when the compile ends.
  void configure(bool line, bool times);

  /// A part of the work (a specialization of a model with symbolic dimensions: "2/9").
  void setPart(std::string part) { part_ = std::move(part); }

  /// The work is at `step` now ("import", "graph", "llvm", "code generation", ...), with
  /// `detail` ("pass 12/80: canonicalize"). Its time counts from the first report to the
  /// next step's.
  void at(llvm::StringRef step, llvm::StringRef detail = "");

  /// A pass of a pipeline: the step it belongs to (its phase) and its name (its argument).
  struct PassStep {
    std::string step, pass;
  };
  /// The passes of `pipeline`, a textual pass pipeline, in the order they run, as `step`'s.
  static void appendPasses(llvm::StringRef pipeline, llvm::StringRef step,
                           std::vector<PassStep> &passes);

  /// Makes `pm` report each pass it runs as a step of `passes` (appendPasses).
  void instrument(mlir::PassManager &pm, std::vector<PassStep> passes);

  /// Clears the line for other output (a note, an error); the next report shows it again.
  void interrupt();

  /// Clears the line; with times, prints the time of each step since configure().
  void finish();

private:
  void show(const std::string &text);
  void closeStep();

  bool line_ = false, times_ = false;
  std::string part_, step_, shown_;
  std::chrono::steady_clock::time_point stepStart_;
  std::vector<std::pair<std::string, double>> totals_;
};

} // namespace dlc::driver

#endif
