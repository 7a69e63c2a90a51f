// Peak-rate microbenchmarks of one core (see CorePeaks.h). The kernels carry their own target
// attributes, so the compiler builds them whatever the build's baseline ISA, and they run only
// where the CPU reports the features.
#include "targets/CPU/CorePeaks.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <chrono>
#include <immintrin.h>

namespace dlc::cpu {

namespace {

/// Rounds of all chains per repeat; only the granularity of the repeat count.
constexpr int kInner = 64;
constexpr int kChains = 16;
constexpr int kChainsYmm = 12; // 16 ymm registers, two hold the operands

/// Each kernel runs `reps` x kInner steps of every chain and returns a value that depends on all
/// of them, so that nothing is optimized away. The chains are an array the compiler keeps in
/// registers once the inner loops are unrolled (`#pragma GCC unroll`).
__attribute__((target("avx512f,fma"), noinline)) float fmaZmm(long reps) {
  __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
  __m512 c[kChains];
#pragma GCC unroll 16
  for (int i = 0; i < kChains; ++i)
    c[i] = _mm512_set1_ps(0.01f * float(i));
  for (long r = 0; r < reps; ++r)
    for (int k = 0; k < kInner; ++k)
#pragma GCC unroll 16
      for (int i = 0; i < kChains; ++i)
        c[i] = _mm512_fmadd_ps(c[i], a, b);
  __m512 sum = _mm512_setzero_ps();
#pragma GCC unroll 16
  for (int i = 0; i < kChains; ++i)
    sum = _mm512_add_ps(sum, c[i]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"), noinline)) float fmaYmm(long reps) {
  __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
  __m256 c[kChainsYmm];
#pragma GCC unroll 12
  for (int i = 0; i < kChainsYmm; ++i)
    c[i] = _mm256_set1_ps(0.01f * float(i));
  for (long r = 0; r < reps; ++r)
    for (int k = 0; k < kInner; ++k)
#pragma GCC unroll 12
      for (int i = 0; i < kChainsYmm; ++i)
        c[i] = _mm256_fmadd_ps(c[i], a, b);
  __m256 sum = _mm256_setzero_ps();
#pragma GCC unroll 12
  for (int i = 0; i < kChainsYmm; ++i)
    sum = _mm256_add_ps(sum, c[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes)
    total += lane;
  return total;
}

/// vdpbf16ps: c += a[2i] b[2i] + a[2i+1] b[2i+1] per fp32 lane; b is tiny, so the chains stay
/// finite and normal.
__attribute__((target("avx512f,avx512bf16"), noinline)) float dotBf16(long reps) {
  __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.999999f), _mm512_set1_ps(0.999999f));
  __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(1e-6f), _mm512_set1_ps(1e-6f));
  __m512 c[kChains];
#pragma GCC unroll 16
  for (int i = 0; i < kChains; ++i)
    c[i] = _mm512_set1_ps(0.01f * float(i));
  for (long r = 0; r < reps; ++r)
    for (int k = 0; k < kInner; ++k)
#pragma GCC unroll 16
      for (int i = 0; i < kChains; ++i)
        c[i] = _mm512_dpbf16_ps(c[i], a, b);
  __m512 sum = _mm512_setzero_ps();
#pragma GCC unroll 16
  for (int i = 0; i < kChains; ++i)
    sum = _mm512_add_ps(sum, c[i]);
  return _mm512_reduce_add_ps(sum);
}

/// vpdpbusd: c += a[4i..4i+3] (u8) . b[4i..4i+3] (s8) per int32 lane; wrapping is harmless.
__attribute__((target("avx512f,avx512vnni"), noinline)) float dotInt8(long reps) {
  __m512i a = _mm512_set1_epi8(99), b = _mm512_set1_epi8(1);
  __m512i c[kChains];
#pragma GCC unroll 16
  for (int i = 0; i < kChains; ++i)
    c[i] = _mm512_set1_epi32(i);
  for (long r = 0; r < reps; ++r)
    for (int k = 0; k < kInner; ++k)
#pragma GCC unroll 16
      for (int i = 0; i < kChains; ++i)
        c[i] = _mm512_dpbusd_epi32(c[i], a, b);
  __m512i sum = _mm512_setzero_si512();
#pragma GCC unroll 16
  for (int i = 0; i < kChains; ++i)
    sum = _mm512_add_epi32(sum, c[i]);
  return float(_mm512_reduce_add_epi32(sum));
}

double secondsOf(float (*kernel)(long), long reps, volatile float &sink) {
  auto start = std::chrono::steady_clock::now();
  sink = sink + kernel(reps);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The best and slowest of five runs of about 0.1 s each, after growing the repeat count until
/// one run takes 20 ms.
InstructionPeak measure(const char *kind, const char *instruction, float (*kernel)(long),
                        double opsPerRep) {
  volatile float sink = 0;
  long reps = 1000;
  double seconds;
  while ((seconds = secondsOf(kernel, reps, sink)) < 0.02)
    reps *= 4;
  reps = long(double(reps) * 0.1 / seconds) + 1;
  double best = 1e30, worst = 0;
  for (int run = 0; run < 5; ++run) {
    seconds = secondsOf(kernel, reps, sink);
    best = std::min(best, seconds);
    worst = std::max(worst, seconds);
  }
  double ops = opsPerRep * double(reps);
  return {kind, instruction, ops / best, ops / worst};
}

/// A sysfs file's text, trimmed; empty when absent or unreadable. (sysfs files report a size
/// they do not have, so they are read as streams.)
std::string readSysfs(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFileAsStream(path);
  return buffer ? (*buffer)->getBuffer().trim().str() : std::string();
}

/// A sysfs cache size ("48K", "1024K", "32M") in bytes; 0 when absent or unreadable.
int64_t readCacheSize(const std::string &path) {
  std::string read = readSysfs(path);
  llvm::StringRef text = read;
  int64_t scale = 1;
  if (text.consume_back("K"))
    scale = 1024;
  else if (text.consume_back("M"))
    scale = 1024 * 1024;
  int64_t value = 0;
  return text.getAsInteger(10, value) ? 0 : value * scale;
}

} // namespace

std::vector<InstructionPeak> measureCorePeaks() {
  __builtin_cpu_init();
  std::vector<InstructionPeak> peaks;
  constexpr double kOpsZmm = 2.0 * 16 * kChains * kInner;
  if (__builtin_cpu_supports("avx512f"))
    peaks.push_back(measure("fp32", "vfmadd231ps zmm", fmaZmm, kOpsZmm));
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    peaks.push_back(measure("fp32", "vfmadd231ps ymm", fmaYmm, 2.0 * 8 * kChainsYmm * kInner));
  if (__builtin_cpu_supports("avx512bf16"))
    peaks.push_back(measure("bf16", "vdpbf16ps zmm", dotBf16, 2 * kOpsZmm));
  if (__builtin_cpu_supports("avx512vnni"))
    peaks.push_back(measure("int8", "vpdpbusd zmm", dotInt8, 4 * kOpsZmm));
  return peaks;
}

CacheSizes hostCacheSizes() {
  // Linux lists each cache of CPU 0 as indexN/{level,type,size}.
  CacheSizes sizes;
  for (int index = 0; index < 8; ++index) {
    std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    std::string levelText = readSysfs(dir + "level"), typeText = readSysfs(dir + "type");
    if (levelText.empty() || typeText == "Instruction")
      continue;
    int64_t size = readCacheSize(dir + "size");
    if (levelText == "1")
      sizes.l1d = size;
    else if (levelText == "2")
      sizes.l2 = size;
    else if (levelText == "3")
      sizes.l3 = size;
  }
  return sizes;
}

} // namespace dlc::cpu
