// Resolution of CPU target names to LLVM CPU/feature strings and runtime feature checks.
// The feature bits are the runtime's (runtime/include/dlc/runtime.h).
#include "targets/CPU/CpuTarget.h"

#include "dlc/runtime.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace dlc::targets {
namespace {

struct FeatureBit {
  const char *llvmName;
  uint64_t bit;
};

constexpr FeatureBit kFeatureBits[] = {
    {"sse4.2", DLC_CPU_SSE42},         {"avx", DLC_CPU_AVX},
    {"avx2", DLC_CPU_AVX2},            {"fma", DLC_CPU_FMA},
    {"f16c", DLC_CPU_F16C},            {"bmi2", DLC_CPU_BMI2},
    {"avx512f", DLC_CPU_AVX512F},      {"avx512bw", DLC_CPU_AVX512BW},
    {"avx512dq", DLC_CPU_AVX512DQ},    {"avx512vl", DLC_CPU_AVX512VL},
    {"avx512cd", DLC_CPU_AVX512CD},    {"avx512vnni", DLC_CPU_AVX512VNNI},
    {"avx512bf16", DLC_CPU_AVX512BF16}, {"amx-tile", DLC_CPU_AMX_TILE},
    {"amx-bf16", DLC_CPU_AMX_BF16},    {"amx-int8", DLC_CPU_AMX_INT8},
};

constexpr uint64_t kX86_64_V3 =
    DLC_CPU_SSE42 | DLC_CPU_AVX | DLC_CPU_AVX2 | DLC_CPU_FMA | DLC_CPU_F16C | DLC_CPU_BMI2;
constexpr uint64_t kX86_64_V4 = kX86_64_V3 | DLC_CPU_AVX512F | DLC_CPU_AVX512BW |
                                DLC_CPU_AVX512DQ | DLC_CPU_AVX512VL | DLC_CPU_AVX512CD;

} // namespace

std::vector<std::string> cpuTargetNames() { return {"host", "x86-64-v3", "x86-64-v4"}; }

llvm::Expected<CpuTarget> resolveCpuTarget(const std::string &name) {
  CpuTarget target;
  target.name = name;
  target.triple = llvm::sys::getDefaultTargetTriple();
  if (name == "host") {
    target.cpu = llvm::sys::getHostCPUName().str();
    std::string features;
    for (const auto &feature : llvm::sys::getHostCPUFeatures()) {
      features += (features.empty() ? "" : ",") + std::string(feature.second ? "+" : "-") +
                  feature.first().str();
      if (feature.second)
        for (const FeatureBit &bit : kFeatureBits)
          if (feature.first() == bit.llvmName)
            target.requiredCpu |= bit.bit;
    }
    target.features = features;
  } else if (name == "x86-64-v3") {
    target.cpu = "x86-64-v3";
    target.requiredCpu = kX86_64_V3;
  } else if (name == "x86-64-v4") {
    target.cpu = "x86-64-v4";
    target.requiredCpu = kX86_64_V4;
  } else {
    std::string valid;
    for (const std::string &known : cpuTargetNames())
      valid += (valid.empty() ? "" : ", ") + known;
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "unknown target '" + name + "' (valid targets: " + valid + ")");
  }
  if (!llvm::Triple(target.triple).isX86())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "target '" + name + "' needs an x86-64 machine, this is " +
                                       target.triple);
  return target;
}

} // namespace dlc::targets
