// Runs a generated object in process: LLVM's ORC JIT links the object and the runtime's objects
// (resolving libm from the process) and calls NAME_run, exactly as an application would.
#ifndef DLC_TARGETS_COMMON_JITRUNNER_H
#define DLC_TARGETS_COMMON_JITRUNNER_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace dlc::targets {

/// Links `object` (with the runtime) and calls `<name>_run(inputs, outputs, workspace)` with a
/// fresh workspace of `workspaceSize` bytes; returns the status it returned.
llvm::Expected<int> runObject(const std::string &object, const std::string &name,
                              const std::vector<const void *> &inputs,
                              const std::vector<void *> &outputs, int64_t workspaceSize);

} // namespace dlc::targets

#endif
