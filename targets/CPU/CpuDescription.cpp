// The CPU descriptions: the table of published figures per LLVM CPU name, the host's cache sizes,
// and the register block derived from a description.
#include "targets/CPU/CpuDescription.h"

#include "targets/CPU/CpuTarget.h"

#include "dlc/runtime.h"

#include "llvm/Support/Format.h"

#include <algorithm>

namespace dlc::cpu {
namespace {

constexpr int64_t KiB = 1 << 10, MiB = 1 << 20;

/// Published figures of one CPU: pipes counted in vectors of its widest registers (Zen 4 splits
/// a 512-bit FMA or load over two 256-bit pipes: one per cycle; Zen 3 loads three values a
/// cycle, two of them 256-bit), caches per core except L3, which is what one core can reach (a
/// CCD's on AMD, the socket's on Intel).
struct TableRow {
  const char *cpu;
  int fmaPipes, loadPipes;
  int64_t l1d, l2, l3;
};

constexpr TableRow kTable[] = {
    {"znver3", 2, 2, 32 * KiB, 512 * KiB, 32 * MiB},
    {"znver4", 1, 1, 32 * KiB, 1 * MiB, 32 * MiB},
    {"znver5", 2, 2, 48 * KiB, 1 * MiB, 32 * MiB},
    {"skylake-avx512", 2, 2, 32 * KiB, 1 * MiB, 38 * MiB + 512 * KiB},
    {"cascadelake", 2, 2, 32 * KiB, 1 * MiB, 38 * MiB + 512 * KiB},
    {"icelake-server", 2, 2, 48 * KiB, 1 * MiB + 256 * KiB, 60 * MiB},
    {"sapphirerapids", 2, 2, 48 * KiB, 2 * MiB, 105 * MiB},
    {"emeraldrapids", 2, 2, 48 * KiB, 2 * MiB, 320 * MiB},
    // The generic levels: the smallest caches of the CPUs each runs on (Haswell, Skylake-SP).
    {"x86-64-v3", 2, 2, 32 * KiB, 256 * KiB, 8 * MiB},
    {"x86-64-v4", 2, 2, 32 * KiB, 1 * MiB, 16 * MiB},
};

const TableRow &tableRow(llvm::StringRef cpu, bool avx512) {
  for (const TableRow &row : kTable)
    if (cpu == row.cpu)
      return row;
  return kTable[avx512 ? std::size(kTable) - 1 : std::size(kTable) - 2];
}

} // namespace

RegisterBlock productBlock(const CpuDescription &cpu) {
  constexpr int64_t kVectors = 2;
  RegisterBlock block;
  block.columns = kVectors * cpu.lanes();
  block.rows = std::clamp<int64_t>((cpu.vectorRegisters - kVectors - 1) / kVectors, 1, 8);
  return block;
}

CpuDescription describeCpu(const CpuModel &model) {
  CpuDescription cpu;
  cpu.cpu = model.cpu;
  bool avx512 = (model.requiredCpu & DLC_CPU_AVX512F) != 0;
  cpu.vectorBits = avx512 ? 512 : (model.requiredCpu & DLC_CPU_AVX) ? 256 : 128;
  cpu.vectorRegisters = avx512 ? 32 : 16;
  const TableRow &row = tableRow(model.cpu, avx512);
  cpu.fmaPipes = row.fmaPipes;
  cpu.loadPipes = row.loadPipes;
  cpu.caches = {row.l1d, row.l2, row.l3};
  cpu.source = "table";
  if (model.isHost) {
    CacheSizes host = hostCacheSizes();
    if (host.l1d > 0 && host.l2 > 0) {
      cpu.caches.l1d = host.l1d;
      cpu.caches.l2 = host.l2;
      cpu.caches.l3 = host.l3;
      cpu.source = "host";
    }
  }
  return cpu;
}

std::string formatBytes(int64_t bytes) {
  if (bytes <= 0)
    return "unknown";
  return bytes % MiB == 0 ? std::to_string(bytes / MiB) + " MiB"
                          : std::to_string(bytes / KiB) + " KiB";
}

void printCpuDescription(const CpuDescription &cpu, llvm::raw_ostream &os) {
  RegisterBlock block = productBlock(cpu);
  os << cpu.cpu << ": " << cpu.vectorBits << "-bit vectors x " << cpu.vectorRegisters << ", "
     << cpu.fmaPipes << " FMA pipes, " << cpu.loadPipes << " load pipes; L1d "
     << formatBytes(cpu.caches.l1d) << ", L2 " << formatBytes(cpu.caches.l2) << ", L3 "
     << formatBytes(cpu.caches.l3) << " (" << cpu.source << "); fp32 product block "
     << block.rows << "x" << block.columns;
}

} // namespace dlc::cpu
