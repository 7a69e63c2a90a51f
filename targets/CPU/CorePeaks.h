// One core's measured peak rates of the multiply-add instructions the CPU kernels use (fp32 FMA,
// AVX512-BF16 vdpbf16ps, AVX512-VNNI vpdpbusd) and the host's cache sizes: the measured half of a
// CPU's description (`dlc bench --peak` prints it).
#ifndef DLC_TARGETS_CPU_COREPEAKS_H
#define DLC_TARGETS_CPU_COREPEAKS_H

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::cpu {

/// One instruction's rate on one core, in operations per second (a multiply and an add count
/// as two: 32 per zmm FMA, 64 per vdpbf16ps, 128 per vpdpbusd).
struct InstructionPeak {
  std::string kind;        ///< "fp32", "bf16" or "int8"
  std::string instruction; ///< what ran, e.g. "vfmadd231ps zmm"
  double best = 0;         ///< the fastest of the timed runs
  double slowest = 0;      ///< the slowest: far below `best` when the core was shared
};

/// Measures, on the calling thread, the rate of each instruction this CPU has: fp32 FMA on zmm
/// registers (on ymm without AVX-512), then vdpbf16ps and vpdpbusd where present. Each runs
/// 16 independent chains (covering latency times pipes) for five runs of about 0.1 s.
std::vector<InstructionPeak> measureCorePeaks();

/// The data cache sizes of this machine's first CPU in bytes, from Linux's sysfs; 0 where the
/// system does not say.
struct CacheSizes {
  int64_t l1d = 0, l2 = 0, l3 = 0;
};
CacheSizes hostCacheSizes();

} // namespace dlc::cpu

#endif
