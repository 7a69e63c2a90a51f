/* Measures one core's peak throughput (one thread) of the multiply-add instructions dlc's kernels
   can use, and prints it:
     peak            fp32 FMA: AVX-512 when the CPU has avx512f, else AVX2+FMA;
                     "peak_gflops <value>" and "isa <name>"
     peak avx2       the same on the AVX2 path
     peak bf16       AVX512-BF16 vdpbf16ps (2 bf16 products per fp32 lane, fp32 sums):
                     "peak_bf16_gflops <value>"
     peak int8       AVX512-VNNI vpdpbusd (4 u8 x s8 products per int32 lane):
                     "peak_int8_gops <value>"
     peak all        every one the CPU has, and each one's rate relative to fp32 FMA
   Build: cc -O2 peak.c -o peak */

/* Each kernel keeps many independent accumulator chains (acc = acc * a + b, or acc += a . b) in
   registers so that latency x pipes is covered: 16 zmm chains (32 zmm registers exist), 12 ymm
   chains (16 ymm registers exist; two hold a and b). The kernels get their own target
   attributes, so a plain `cc -O2` builds the file and the dispatch below only calls what the CPU
   supports.

   Timing: a calibration run picks a repeat count for ~0.1 s, then five such runs are timed and
   the fastest is reported (about 0.5 s of work in all). Operations count a multiply and an add
   as 2: 32 per zmm FMA, 64 per vdpbf16ps, 128 per vpdpbusd. */

#define _POSIX_C_SOURCE 199309L
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INNER 64 /* rounds of all chains per repeat; only the granularity of the repeat count */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define ACC512 16
#define ACC256 12

/* The chains are named variables, written out with macros: -O2 does not unroll a loop over an
   array of vectors and would keep the array in memory. */
#define DO16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define DO12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

/* Returns a value that depends on every accumulator, so nothing can be optimized away. */
__attribute__((target("avx512f,fma"), noinline)) static float fma_avx512(long reps, float fa,
                                                                           float fb) {
  __m512 a = _mm512_set1_ps(fa), b = _mm512_set1_ps(fb);
#define INIT(i) __m512 c##i = _mm512_set1_ps((float)(i) * 0.01f);
#define STEP(i) c##i = _mm512_fmadd_ps(c##i, a, b);
#define SUM(i) s = _mm512_add_ps(s, c##i);
  DO16(INIT)
  for (long r = 0; r < reps; ++r) {
    for (int k = 0; k < INNER; ++k) {
      DO16(STEP)
    }
  }
  __m512 s = _mm512_setzero_ps();
  DO16(SUM)
#undef INIT
#undef STEP
#undef SUM
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"), noinline)) static float fma_avx2(long reps, float fa,
                                                                      float fb) {
  __m256 a = _mm256_set1_ps(fa), b = _mm256_set1_ps(fb);
#define INIT(i) __m256 c##i = _mm256_set1_ps((float)(i) * 0.01f);
#define STEP(i) c##i = _mm256_fmadd_ps(c##i, a, b);
#define SUM(i) s = _mm256_add_ps(s, c##i);
  DO12(INIT)
  for (long r = 0; r < reps; ++r) {
    for (int k = 0; k < INNER; ++k) {
      DO12(STEP)
    }
  }
  __m256 s = _mm256_setzero_ps();
  DO12(SUM)
#undef INIT
#undef STEP
#undef SUM
  float out[8];
  _mm256_storeu_ps(out, s);
  float total = 0.0f;
  for (int i = 0; i < 8; ++i) total += out[i];
  return total;
}

/* vdpbf16ps: c += a[2i] b[2i] + a[2i+1] b[2i+1] per fp32 lane. b is tiny, so the chains stay
   finite and normal. */
__attribute__((target("avx512f,avx512bf16"), noinline)) static float bf16_avx512(long reps,
                                                                                  float fa,
                                                                                  float fb) {
  __m512bh a = _mm512_cvtne2ps_pbh(_mm512_set1_ps(fa), _mm512_set1_ps(fa));
  __m512bh b = _mm512_cvtne2ps_pbh(_mm512_set1_ps(fb), _mm512_set1_ps(fb));
#define INIT(i) __m512 c##i = _mm512_set1_ps((float)(i) * 0.01f);
#define STEP(i) c##i = _mm512_dpbf16_ps(c##i, a, b);
#define SUM(i) s = _mm512_add_ps(s, c##i);
  DO16(INIT)
  for (long r = 0; r < reps; ++r) {
    for (int k = 0; k < INNER; ++k) {
      DO16(STEP)
    }
  }
  __m512 s = _mm512_setzero_ps();
  DO16(SUM)
#undef INIT
#undef STEP
#undef SUM
  return _mm512_reduce_add_ps(s);
}

/* vpdpbusd: c += a[4i..4i+3] (u8) . b[4i..4i+3] (s8) per int32 lane; wrapping is harmless. */
__attribute__((target("avx512f,avx512vnni"), noinline)) static float int8_avx512(long reps,
                                                                                  float fa,
                                                                                  float fb) {
  __m512i a = _mm512_set1_epi8((char)(int)(fa * 100.0f)), b = _mm512_set1_epi8((char)(fb > 0));
#define INIT(i) __m512i c##i = _mm512_set1_epi32(i);
#define STEP(i) c##i = _mm512_dpbusd_epi32(c##i, a, b);
#define SUM(i) s = _mm512_add_epi32(s, c##i);
  DO16(INIT)
  for (long r = 0; r < reps; ++r) {
    for (int k = 0; k < INNER; ++k) {
      DO16(STEP)
    }
  }
  __m512i s = _mm512_setzero_si512();
  DO16(SUM)
#undef INIT
#undef STEP
#undef SUM
  return (float)_mm512_reduce_add_epi32(s);
}

typedef float (*kernel_fn)(long, float, float);

/* The best of five ~0.1 s runs of `kernel`, in operations per second; `slowest` gets the worst
   run's rate, `seconds` the best run's time and `reps` its repeat count. */
static double measure(kernel_fn kernel, double ops_per_rep, double *slowest, double *seconds,
                      long *reps_out) {
  /* a < 1 and b small: every fp32 chain converges to b / (1 - a) with no overflow or
     denormals. */
  const float fa = 0.999999f, fb = 1e-6f;
  volatile float sink = 0.0f;
  /* Calibrate: grow the repeat count until one run takes at least 20 ms. */
  long reps = 1000;
  double t;
  for (;;) {
    double t0 = now_s();
    sink += kernel(reps, fa, fb);
    t = now_s() - t0;
    if (t >= 0.02) break;
    reps *= 4;
  }
  reps = (long)((double)reps * 0.1 / t) + 1; /* ~0.1 s per timed run */
  double best = 1e30, worst = 0;
  for (int trial = 0; trial < 5; ++trial) {
    double t0 = now_s();
    sink += kernel(reps, fa, fb);
    double dt = now_s() - t0;
    if (dt < best) best = dt;
    if (dt > worst) worst = dt;
  }
  (void)sink;
  *slowest = ops_per_rep * (double)reps / worst;
  *seconds = best;
  *reps_out = reps;
  return ops_per_rep * (double)reps / best;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : ""; /* "", "avx2", "bf16", "int8" or "all" */
  __builtin_cpu_init();
  int all = strcmp(mode, "all") == 0;
  double slowest, seconds, fp32 = 0;
  long reps;
  if (!strcmp(mode, "") || !strcmp(mode, "avx2") || all) {
    kernel_fn kernel;
    const char *isa;
    double flops_per_rep;
    if (__builtin_cpu_supports("avx512f") && strcmp(mode, "avx2") != 0) {
      kernel = fma_avx512;
      isa = "avx512f (16 zmm accumulators)";
      flops_per_rep = 2.0 * 16 * ACC512 * INNER;
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      kernel = fma_avx2;
      isa = "avx2+fma (12 ymm accumulators)";
      flops_per_rep = 2.0 * 8 * ACC256 * INNER;
    } else {
      fprintf(stderr, "peak: this CPU has neither avx512f nor avx2+fma\n");
      return 1;
    }
    fp32 = measure(kernel, flops_per_rep, &slowest, &seconds, &reps);
    printf("peak_gflops %.1f\n", fp32 * 1e-9);
    /* The slowest run shows whether the core was shared (time-sliced by a host) meanwhile. */
    printf("slowest_gflops %.1f\n", slowest * 1e-9);
    printf("isa %s\n", isa);
    printf("time_per_run_s %.4f (best of 5, %ld x %.0f FLOPs)\n", seconds, reps, flops_per_rep);
  }
  if (!strcmp(mode, "bf16") || all) {
    if (!__builtin_cpu_supports("avx512bf16")) {
      fprintf(stderr, "peak: this CPU lacks avx512bf16\n");
      if (!all) return 1;
    } else {
      double rate = measure(bf16_avx512, 4.0 * 16 * ACC512 * INNER, &slowest, &seconds, &reps);
      printf("peak_bf16_gflops %.1f\n", rate * 1e-9);
      printf("slowest_bf16_gflops %.1f\n", slowest * 1e-9);
      if (fp32 > 0) printf("bf16_vs_fp32 %.2f\n", rate / fp32);
    }
  }
  if (!strcmp(mode, "int8") || all) {
    if (!__builtin_cpu_supports("avx512vnni")) {
      fprintf(stderr, "peak: this CPU lacks avx512vnni\n");
      if (!all) return 1;
    } else {
      double rate = measure(int8_avx512, 8.0 * 16 * ACC512 * INNER, &slowest, &seconds, &reps);
      printf("peak_int8_gops %.1f\n", rate * 1e-9);
      printf("slowest_int8_gops %.1f\n", slowest * 1e-9);
      if (fp32 > 0) printf("int8_vs_fp32 %.2f\n", rate / fp32);
    }
  }
  return 0;
}
