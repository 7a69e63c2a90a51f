/* CPU feature detection for the dlc runtime: cpuid for what the CPU has, xgetbv for what the OS
   saves on context switch, and (on Linux) arch_prctl for the AMX tile-data permission. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* syscall() under -std=c11 */
#endif

#include "dlc/runtime.h"

#include <stdatomic.h>
#include <stddef.h>

#if defined(__x86_64__) || defined(__i386__)
#define DLC_RT_X86 1
#include <cpuid.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif
#endif

/* The cache holds the detected features plus this bit, so 0 means "not detected yet". Detection
   is idempotent, so racing threads at worst detect twice and store the same value. */
#define DLC_RT_DETECTED (UINT64_C(1) << 63)
static _Atomic uint64_t cached_features;

/* Why AMX is missing, for dlc_rt_explain_cpu: set by the detection. */
enum { AMX_PRESENT, AMX_NOT_IN_CPU, AMX_NO_OS_STATE, AMX_PERMISSION_REFUSED };
static _Atomic int amx_absence = AMX_NOT_IN_CPU;

#ifdef DLC_RT_X86

/* XCR0 state components that must all be enabled by the OS for each feature family. */
#define XCR0_AVX_STATE 0x6u        /* bits 1-2: SSE, AVX */
#define XCR0_AVX512_STATE 0xE0u    /* bits 5-7: opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_AMX_STATE 0x60000u    /* bits 17-18: XTILECFG, XTILEDATA */

#ifndef ARCH_REQ_XCOMP_PERM
#define ARCH_REQ_XCOMP_PERM 0x1023
#endif
#define XFEATURE_XTILEDATA 18

/* Reads XCR0; only valid when cpuid reports OSXSAVE. Inline asm avoids needing -mxsave. */
static uint64_t read_xcr0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

/* Asks Linux for permission to use AMX tile data in this process (kernel 5.16+). */
static int request_amx_permission(void) {
#if defined(__linux__) && defined(SYS_arch_prctl)
  return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0;
#else
  return 1; /* other OSes enable AMX for every process once XCR0 has it */
#endif
}

static uint64_t detect_features(void) {
  unsigned eax, ebx, ecx, edx;
  uint64_t f = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
    return 0;
  unsigned ecx1 = ecx;
  if (ecx1 & (1u << 20)) f |= DLC_CPU_SSE42;
  if (ecx1 & (1u << 29)) f |= DLC_CPU_F16C; /* VEX-encoded, gated on AVX state below */

  int has_leaf7 = __get_cpuid_max(0, 0) >= 7;
  unsigned ebx7 = 0, ecx7 = 0, edx7 = 0, eax7_1 = 0;
  if (has_leaf7) {
    __cpuid_count(7, 0, eax, ebx7, ecx7, edx7);
    unsigned max_sub7 = eax;
    if (max_sub7 >= 1)
      __cpuid_count(7, 1, eax7_1, ebx, ecx, edx);
  }
  if (ebx7 & (1u << 8)) f |= DLC_CPU_BMI2; /* scalar: needs no OS state */

  uint64_t xcr0 = (ecx1 & (1u << 27)) ? read_xcr0() : 0; /* OSXSAVE */
  int avx_os = (xcr0 & XCR0_AVX_STATE) == XCR0_AVX_STATE;
  if (!avx_os || !(ecx1 & (1u << 28))) {
    f &= ~DLC_CPU_F16C;
  } else {
    f |= DLC_CPU_AVX;
    if (ecx1 & (1u << 12)) f |= DLC_CPU_FMA;
    if (ebx7 & (1u << 5)) f |= DLC_CPU_AVX2;

    if ((xcr0 & XCR0_AVX512_STATE) == XCR0_AVX512_STATE && (ebx7 & (1u << 16))) {
      f |= DLC_CPU_AVX512F;
      if (ebx7 & (1u << 17)) f |= DLC_CPU_AVX512DQ;
      if (ebx7 & (1u << 28)) f |= DLC_CPU_AVX512CD;
      if (ebx7 & (1u << 30)) f |= DLC_CPU_AVX512BW;
      if (ebx7 & (1u << 31)) f |= DLC_CPU_AVX512VL;
      if (ecx7 & (1u << 11)) f |= DLC_CPU_AVX512VNNI;
      if (eax7_1 & (1u << 5)) f |= DLC_CPU_AVX512BF16;
    }
  }

  int amx = AMX_NOT_IN_CPU;
  if (edx7 & (1u << 24))
    amx = (xcr0 & XCR0_AMX_STATE) != XCR0_AMX_STATE ? AMX_NO_OS_STATE
          : request_amx_permission()                 ? AMX_PRESENT
                                                     : AMX_PERMISSION_REFUSED;
  atomic_store_explicit(&amx_absence, amx, memory_order_relaxed);
  if (amx == AMX_PRESENT) {
    f |= DLC_CPU_AMX_TILE;
    if (edx7 & (1u << 22)) f |= DLC_CPU_AMX_BF16;
    if (edx7 & (1u << 25)) f |= DLC_CPU_AMX_INT8;
  }
  return f;
}

#else

static uint64_t detect_features(void) { return 0; }

#endif /* DLC_RT_X86 */

uint64_t dlc_rt_cpu_features(void) {
  uint64_t f = atomic_load_explicit(&cached_features, memory_order_relaxed);
  if (!f) {
    f = detect_features() | DLC_RT_DETECTED;
    atomic_store_explicit(&cached_features, f, memory_order_relaxed);
  }
  return f & ~DLC_RT_DETECTED;
}

int dlc_rt_check_cpu(uint64_t required) {
  return (dlc_rt_cpu_features() & required) == required ? DLC_STATUS_OK
                                                       : DLC_STATUS_UNSUPPORTED_CPU;
}

/* Appends `text` to buffer[*used..size), keeping it NUL-terminated and cutting what does not
   fit; *used counts what would have been written. */
static void append(char *buffer, size_t size, size_t *used, const char *text) {
  for (; *text; ++text, ++*used)
    if (buffer && *used + 1 < size)
      buffer[*used] = *text;
  if (buffer && size > 0)
    buffer[*used < size ? *used : size - 1] = '\0';
}

int dlc_rt_explain_cpu(uint64_t required, char *text, size_t size) {
  static const struct {
    uint64_t bit;
    const char *name;
  } names[] = {{DLC_CPU_SSE42, "SSE4.2"},         {DLC_CPU_AVX, "AVX"},
               {DLC_CPU_AVX2, "AVX2"},            {DLC_CPU_FMA, "FMA"},
               {DLC_CPU_F16C, "F16C"},            {DLC_CPU_BMI2, "BMI2"},
               {DLC_CPU_AVX512F, "AVX512-F"},     {DLC_CPU_AVX512BW, "AVX512-BW"},
               {DLC_CPU_AVX512DQ, "AVX512-DQ"},   {DLC_CPU_AVX512VL, "AVX512-VL"},
               {DLC_CPU_AVX512CD, "AVX512-CD"},   {DLC_CPU_AVX512VNNI, "AVX512-VNNI"},
               {DLC_CPU_AVX512BF16, "AVX512-BF16"}, {DLC_CPU_AMX_TILE, "AMX-TILE"},
               {DLC_CPU_AMX_BF16, "AMX-BF16"},    {DLC_CPU_AMX_INT8, "AMX-INT8"}};
  uint64_t missing = required & ~dlc_rt_cpu_features();
  size_t used = 0;
  int count = 0;
  append(text, size, &used, "");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
    if (!(missing & names[i].bit))
      continue;
    append(text, size, &used, count++ ? ", " : "this machine lacks ");
    append(text, size, &used, names[i].name);
  }
  if (missing & (DLC_CPU_AMX_TILE | DLC_CPU_AMX_BF16 | DLC_CPU_AMX_INT8)) {
    switch (atomic_load_explicit(&amx_absence, memory_order_relaxed)) {
    case AMX_NOT_IN_CPU: append(text, size, &used, " (the CPU does not report AMX)"); break;
    case AMX_NO_OS_STATE:
      append(text, size, &used,
             " (the CPU has AMX but the OS does not enable its tile state in XCR0)");
      break;
    case AMX_PERMISSION_REFUSED:
      append(text, size, &used,
             " (the OS refused this process the AMX tile data permission, "
             "arch_prctl ARCH_REQ_XCOMP_PERM; Linux 5.16 or later grants it)");
      break;
    default: break;
    }
  }
  return count;
}

const char *dlc_rt_status_string(int status) {
  switch (status) {
  case DLC_STATUS_OK: return "ok";
  case DLC_STATUS_NULL_ARGUMENT: return "null argument";
  case DLC_STATUS_UNSUPPORTED_CPU: return "CPU lacks a feature the model was compiled for";
  case DLC_STATUS_BAD_DIMENSION: return "a dimension value outside the bounds compiled for";
  case DLC_STATUS_COMM_FAILED: return "the communication between ranks failed";
  case DLC_STATUS_TIMEOUT: return "a collective did not complete in time";
  case DLC_STATUS_RANK_MISMATCH: return "the number of ranks is not the plan's";
  default: return "unknown status";
  }
}
