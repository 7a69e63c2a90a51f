// Runs generated objects in process: LLVM's ORC JIT links the objects against this process (its
// libm and the dlc runtime built into it) and calls NAME_run, exactly as an application would.
#ifndef DLC_TARGETS_COMMON_JITRUNNER_H
#define DLC_TARGETS_COMMON_JITRUNNER_H

#include "targets/Common/Artifact.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm::orc {
class LLJIT;
} // namespace llvm::orc

namespace dlc::targets {

/// A generated object linked into this process, ready to run any number of times.
class LoadedModel {
public:
  /// Links `objects` against this process and finds `<name>_run`. The process must export the
  /// runtime's dlc_rt_* symbols (the dlc tool links the whole runtime and exports it).
  static llvm::Expected<std::unique_ptr<LoadedModel>>
  load(const std::vector<ObjectFile> &objects, const std::string &name);
  ~LoadedModel();

  /// Calls `<name>_run(inputs, outputs, workspace)` and returns its status.
  int run(const std::vector<const void *> &inputs, const std::vector<void *> &outputs,
          void *workspace) const;

  /// Calls `<name>_result_shape(workspace, output, shape)` (models with data-dependent output
  /// sizes define it): output `output`'s shape, of `rank` dimensions, after the last run.
  llvm::Expected<std::vector<int64_t>> resultShape(const void *workspace, int output,
                                                   size_t rank) const;

private:
  using RunFn = int (*)(const void *const *, void *const *, void *);
  LoadedModel(std::unique_ptr<llvm::orc::LLJIT> jit, RunFn run, std::string name);

  std::unique_ptr<llvm::orc::LLJIT> jit_;
  RunFn run_;
  std::string name_;
};

} // namespace dlc::targets

#endif
