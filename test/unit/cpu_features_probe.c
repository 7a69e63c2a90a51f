/* Prints the CPU features the dlc runtime detects, one name per line, for comparison with
   /proc/cpuinfo. Build: cc -std=c11 -Iruntime/include test/unit/cpu_features_probe.c runtime/src/cpu_features.c */
#include "dlc/runtime.h"

#include <stdio.h>

int main(void) {
  static const struct { uint64_t bit; const char *name; } names[] = {
      {DLC_CPU_SSE42, "sse4_2"},         {DLC_CPU_AVX, "avx"},
      {DLC_CPU_AVX2, "avx2"},            {DLC_CPU_FMA, "fma"},
      {DLC_CPU_F16C, "f16c"},            {DLC_CPU_BMI2, "bmi2"},
      {DLC_CPU_AVX512F, "avx512f"},      {DLC_CPU_AVX512BW, "avx512bw"},
      {DLC_CPU_AVX512DQ, "avx512dq"},    {DLC_CPU_AVX512VL, "avx512vl"},
      {DLC_CPU_AVX512CD, "avx512cd"},    {DLC_CPU_AVX512VNNI, "avx512_vnni"},
      {DLC_CPU_AVX512BF16, "avx512_bf16"}, {DLC_CPU_AMX_TILE, "amx_tile"},
      {DLC_CPU_AMX_BF16, "amx_bf16"},    {DLC_CPU_AMX_INT8, "amx_int8"},
  };
  uint64_t features = dlc_rt_cpu_features();
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if (features & names[i].bit)
      printf("%s\n", names[i].name);
  int status = dlc_rt_check_cpu(features);
  printf("check(all detected): %s\n", dlc_rt_status_string(status));
  return status == DLC_STATUS_OK ? 0 : 1;
}
