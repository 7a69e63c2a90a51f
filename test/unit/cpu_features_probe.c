/* Checks the runtime's CPU feature detection against the kernel's view: the DLC_CPU_* features
   dlc_rt_cpu_features() reports must be exactly the matching flags of /proc/cpuinfo, and
   dlc_rt_check_cpu must accept what was detected and reject a feature this CPU lacks.
   Exit status: 0 pass, 1 failure (each difference named), 77 skipped (no x86 flags line in
   /proc/cpuinfo, e.g. not Linux or not x86).
   Build: cc -std=c11 -Iruntime/include test/unit/cpu_features_probe.c runtime/src/cpu_features.c */
#include "dlc/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_SKIP 77

/* Each DLC_CPU_* bit with the name Linux gives the same feature in /proc/cpuinfo. The kernel
   lists a flag only when the CPU has it and the kernel enabled its state (XSAVE components), which
   is also what the runtime requires. */
static const struct {
  uint64_t bit;
  const char *name;
} features[] = {
    {DLC_CPU_SSE42, "sse4_2"},           {DLC_CPU_AVX, "avx"},
    {DLC_CPU_AVX2, "avx2"},              {DLC_CPU_FMA, "fma"},
    {DLC_CPU_F16C, "f16c"},              {DLC_CPU_BMI2, "bmi2"},
    {DLC_CPU_AVX512F, "avx512f"},        {DLC_CPU_AVX512BW, "avx512bw"},
    {DLC_CPU_AVX512DQ, "avx512dq"},      {DLC_CPU_AVX512VL, "avx512vl"},
    {DLC_CPU_AVX512CD, "avx512cd"},      {DLC_CPU_AVX512VNNI, "avx512_vnni"},
    {DLC_CPU_AVX512BF16, "avx512_bf16"}, {DLC_CPU_AMX_TILE, "amx_tile"},
    {DLC_CPU_AMX_BF16, "amx_bf16"},      {DLC_CPU_AMX_INT8, "amx_int8"},
};
#define NUM_FEATURES (sizeof features / sizeof features[0])

/* Reads the first "flags" line of /proc/cpuinfo into `line`; returns 0 when there is none. */
static int read_flags_line(char *line, size_t size) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return 0;
  int found = 0;
  while (!found && fgets(line, (int)size, f))
    found = strncmp(line, "flags", 5) == 0 && strchr(line, ':') != NULL;
  fclose(f);
  return found;
}

/* The DLC_CPU_* bits whose names appear as whole words in the flags line. */
static uint64_t kernel_features(char *line) {
  uint64_t result = 0;
  for (char *word = strtok(strchr(line, ':') + 1, " \t\n"); word; word = strtok(NULL, " \t\n"))
    for (size_t i = 0; i < NUM_FEATURES; ++i)
      if (strcmp(word, features[i].name) == 0) result |= features[i].bit;
  return result;
}

static void print_set(const char *label, uint64_t set) {
  printf("%s:", label);
  for (size_t i = 0; i < NUM_FEATURES; ++i)
    if (set & features[i].bit) printf(" %s", features[i].name);
  printf("%s\n", set ? "" : " (none)");
}

int main(void) {
  static char line[1 << 16]; /* a flags line is a few hundred to ~2000 characters */
  if (!read_flags_line(line, sizeof line)) {
    printf("SKIP: no flags line in /proc/cpuinfo to compare with\n");
    return EXIT_SKIP;
  }
  uint64_t kernel = kernel_features(line);
  uint64_t detected = dlc_rt_cpu_features();
  int failures = 0;

  print_set("detected by the runtime", detected);
  print_set("listed in /proc/cpuinfo", kernel);
  for (size_t i = 0; i < NUM_FEATURES; ++i) {
    uint64_t bit = features[i].bit;
    if ((detected & bit) && !(kernel & bit)) {
      printf("FAIL: the runtime detects %s, /proc/cpuinfo does not list it\n", features[i].name);
      ++failures;
    } else if (!(detected & bit) && (kernel & bit)) {
      printf("FAIL: /proc/cpuinfo lists %s, the runtime does not detect it\n", features[i].name);
      ++failures;
    }
  }
  uint64_t known = 0;
  for (size_t i = 0; i < NUM_FEATURES; ++i) known |= features[i].bit;
  if (detected & ~known) {
    printf("FAIL: the runtime reports bits outside DLC_CPU_*: 0x%llx\n",
           (unsigned long long)(detected & ~known));
    ++failures;
  }
  if (dlc_rt_cpu_features() != detected) {
    printf("FAIL: a second call to dlc_rt_cpu_features returns a different set\n");
    ++failures;
  }

  /* dlc_rt_check_cpu: accepts nothing and exactly what was detected ... */
  int status = dlc_rt_check_cpu(0);
  if (status != DLC_STATUS_OK) {
    printf("FAIL: dlc_rt_check_cpu(0) returns %d (%s)\n", status, dlc_rt_status_string(status));
    ++failures;
  }
  status = dlc_rt_check_cpu(detected);
  if (status != DLC_STATUS_OK) {
    printf("FAIL: dlc_rt_check_cpu(detected) returns %d (%s)\n", status,
           dlc_rt_status_string(status));
    ++failures;
  }
  /* ... and rejects every feature this CPU lacks, alone and together with the detected ones;
     bit 62 stands for a feature no CPU has, so a CPU with all sixteen is tested too. */
  int rejected = 0;
  for (size_t i = 0; i <= NUM_FEATURES; ++i) {
    uint64_t bit = i < NUM_FEATURES ? features[i].bit : UINT64_C(1) << 62;
    const char *name = i < NUM_FEATURES ? features[i].name : "bit 62 (no such feature)";
    if (detected & bit) continue;
    int alone = dlc_rt_check_cpu(bit);
    int with_detected = dlc_rt_check_cpu(detected | bit);
    if (alone != DLC_STATUS_UNSUPPORTED_CPU || with_detected != DLC_STATUS_UNSUPPORTED_CPU) {
      printf("FAIL: dlc_rt_check_cpu(missing %s) returns %d alone and %d with the detected "
             "features; expected %d (DLC_STATUS_UNSUPPORTED_CPU)\n",
             name, alone, with_detected, DLC_STATUS_UNSUPPORTED_CPU);
      ++failures;
    }
    ++rejected;
  }
  printf("dlc_rt_check_cpu: tried the detected set and %d features this CPU lacks\n", rejected);

  printf("%s\n", failures ? "cpu features: FAILED" : "cpu features: ok");
  return failures != 0;
}
