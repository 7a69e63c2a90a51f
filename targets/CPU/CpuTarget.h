// The x86 CPU targets dlc compiles for, and what each one requires of the machine it runs on.
// `host` is resolved at compile time to this machine's CPU and features.
#ifndef DLC_TARGETS_CPU_CPUTARGET_H
#define DLC_TARGETS_CPU_CPUTARGET_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::targets {

/// A resolved CPU target.
struct CpuTarget {
  std::string name;        ///< as given: host, x86-64-v3, x86-64-v4
  std::string triple;      ///< LLVM target triple
  std::string cpu;         ///< LLVM CPU name
  std::string features;    ///< LLVM feature string (+avx512f,...)
  uint64_t requiredCpu = 0; ///< DLC_CPU_* bits the generated code checks at run time
};

/// The target names `--target` accepts.
std::vector<std::string> cpuTargetNames();

/// Resolves a target name; an error lists the valid names.
llvm::Expected<CpuTarget> resolveCpuTarget(const std::string &name);

} // namespace dlc::targets

#endif
