/* The dlc C runtime: status codes and CPU feature detection shared by every generated library.
   All exported symbols start with dlc_rt_; the runtime never allocates heap memory or prints. */
#ifndef DLC_RUNTIME_H
#define DLC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by the runtime and by every generated NAME_run. Generated headers define
   the same macros with the same guard, so the two can be included together. */
#ifndef DLC_STATUS_OK
#define DLC_STATUS_OK 0
#define DLC_STATUS_NULL_ARGUMENT 1
#define DLC_STATUS_UNSUPPORTED_CPU 2
#endif
#ifndef DLC_STATUS_BAD_DIMENSION
#define DLC_STATUS_BAD_DIMENSION 3 /* a dimension value outside the compiled bounds */
#endif
/* 4 is kept for DLC_STATUS_NO_DEVICE (a GPU target without a GPU). The collectives' statuses
   (dlc/collectives.h): */
#ifndef DLC_STATUS_COMM_FAILED
#define DLC_STATUS_COMM_FAILED 5   /* the transport failed, or an earlier timeout broke the link */
#define DLC_STATUS_TIMEOUT 6       /* a collective did not complete in time (a rank missing) */
#define DLC_STATUS_RANK_MISMATCH 7 /* the communicator's size is not the plan's rank count */
#endif

/* CPU feature bits. Generated code bakes these values in: never renumber, only append. */
#define DLC_CPU_SSE42 (UINT64_C(1) << 0)
#define DLC_CPU_AVX (UINT64_C(1) << 1)
#define DLC_CPU_AVX2 (UINT64_C(1) << 2)
#define DLC_CPU_FMA (UINT64_C(1) << 3)
#define DLC_CPU_F16C (UINT64_C(1) << 4)
#define DLC_CPU_BMI2 (UINT64_C(1) << 5)
#define DLC_CPU_AVX512F (UINT64_C(1) << 6)
#define DLC_CPU_AVX512BW (UINT64_C(1) << 7)
#define DLC_CPU_AVX512DQ (UINT64_C(1) << 8)
#define DLC_CPU_AVX512VL (UINT64_C(1) << 9)
#define DLC_CPU_AVX512CD (UINT64_C(1) << 10)
#define DLC_CPU_AVX512VNNI (UINT64_C(1) << 11)
#define DLC_CPU_AVX512BF16 (UINT64_C(1) << 12)
#define DLC_CPU_AMX_TILE (UINT64_C(1) << 13)
#define DLC_CPU_AMX_BF16 (UINT64_C(1) << 14)
#define DLC_CPU_AMX_INT8 (UINT64_C(1) << 15)

/** Returns the DLC_CPU_* features this CPU has and the OS has enabled (AVX/AVX-512 state saved by
    the OS; on Linux, AMX tile data permission granted to this process). Detected on the first call
    and cached; safe to call from any thread. Returns 0 on non-x86 machines. */
uint64_t dlc_rt_cpu_features(void);

/** Returns DLC_STATUS_OK when every bit of `required` is in dlc_rt_cpu_features(), and
    DLC_STATUS_UNSUPPORTED_CPU otherwise. */
int dlc_rt_check_cpu(uint64_t required);

/** Writes into text[0..size) (NUL-terminated, cut to fit; text may be NULL) why this machine
    cannot run code that requires `required`: the missing features by name and, for AMX, whether
    the CPU lacks it, the OS does not enable its state, or the OS refused this process its use.
    Writes an empty string when nothing is missing. Returns the number of missing features. */
int dlc_rt_explain_cpu(uint64_t required, char *text, size_t size);
/** Returns a static, human-readable description of a DLC_STATUS_* code. */
const char *dlc_rt_status_string(int status);

#ifdef __cplusplus
}
#endif

#endif /* DLC_RUNTIME_H */
