// What the CPU kernels' shapes are chosen from: a CPU's vector width and register count, its
// cache sizes and pipes, from the host (for --target=host) or from a table of published figures
// (for a named CPU), and the register blocks and cache chunks derived from them.
#ifndef DLC_TARGETS_CPU_CPUDESCRIPTION_H
#define DLC_TARGETS_CPU_CPUDESCRIPTION_H

#include "targets/CPU/CorePeaks.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace dlc::cpu {

struct CpuModel;

/// One CPU as the kernel generator sees it.
struct CpuDescription {
  std::string cpu;          ///< LLVM's CPU name ("znver3", "emeraldrapids", "x86-64-v3")
  int vectorBits = 256;     ///< the widest vector registers the fp32 kernels use
  int vectorRegisters = 16; ///< how many of them there are
  int fmaPipes = 2;         ///< vector FMAs issued per cycle
  int loadPipes = 2;        ///< vector loads issued per cycle
  CacheSizes caches;        ///< per core (L1d, L2) and shared (L3), in bytes
  std::string source;       ///< where the cache sizes come from: "host" or "table"

  /// fp32 lanes of one vector register: 16 on AVX-512, 8 on AVX2.
  int64_t lanes() const { return vectorBits / 32; }
};

/// The register block of an fp32 matrix product: `rows` x `columns` accumulators, the columns
/// `columns / lanes` vectors wide. Each step of the reduction loads the vectors of one panel row
/// and broadcasts one lhs element per row, so rows * vectors + vectors + 1 registers are live:
/// the rows are the most that leave room for that (at most 8, which is where AVX-512's 32
/// registers stop gaining: measured on Zen 5, 8x32 against 12x32).
struct RegisterBlock {
  int64_t rows = 8;
  int64_t columns = 32;
};
RegisterBlock productBlock(const CpuDescription &cpu);

/// The description of the CPU `model` names: vector width and registers from its features,
/// pipes from the table (by LLVM CPU name, a generic row where the name is not listed), cache
/// sizes from this machine's sysfs for the host and from the table otherwise.
CpuDescription describeCpu(const CpuModel &model);

/// One line: "znver3: 256-bit vectors x 16, 2 FMA pipes, 3 load pipes; L1d 32 KiB, L2 512 KiB,
/// L3 32 MiB (host); fp32 product block 6x16".
void printCpuDescription(const CpuDescription &cpu, llvm::raw_ostream &os);

/// "512 KiB", "32 MiB", or "unknown" for 0.
std::string formatBytes(int64_t bytes);

} // namespace dlc::cpu

#endif
