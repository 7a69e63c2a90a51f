/* The dlc runtime's kernel profile: a library compiled with `dlc compile --profile` records one
   event per kernel it runs (start and end time, the kernel's arithmetic), which `dlc bench
   --profile` or an application reads back. Libraries compiled without it never call this. */
#ifndef DLC_PROFILE_H
#define DLC_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a kernel's arithmetic runs on, for comparing it with that instruction's peak. */
enum {
  DLC_RT_PROFILE_FP32 = 0, /* fp32 multiply-adds (FMA) */
  DLC_RT_PROFILE_BF16 = 1, /* AVX512-BF16 vdpbf16ps */
  DLC_RT_PROFILE_INT8 = 2, /* AVX512-VNNI vpdpbusd */
};

/** One run of one kernel. */
typedef struct dlc_rt_profile_event {
  const char *name;  /* the ONNX nodes the kernel computes, joined by '+' */
  int64_t operations; /* multiply-adds count 2, as FLOPs (integer ones too) */
  int32_t kind;       /* DLC_RT_PROFILE_FP32, _BF16 or _INT8 */
  int64_t start_ns;   /* CLOCK_MONOTONIC */
  int64_t end_ns;
} dlc_rt_profile_event;

/** The clock events are timed with, in nanoseconds. Called by generated code. */
int64_t dlc_rt_profile_clock(void);

/** Records a kernel that started at `start_ns` and ends now. Called by generated code. */
void dlc_rt_profile_record(const char *name, int64_t operations, int32_t kind, int64_t start_ns);

/** The events recorded since the last reset, oldest first, and their number in *count. At most
    DLC_RT_PROFILE_CAPACITY are kept; later ones are counted by dlc_rt_profile_dropped. */
const dlc_rt_profile_event *dlc_rt_profile_events(size_t *count);

/** Events that did not fit since the last reset. */
size_t dlc_rt_profile_dropped(void);

/** Forgets every event. Not to be called while a profiled model runs. */
void dlc_rt_profile_reset(void);

#define DLC_RT_PROFILE_CAPACITY ((size_t)1 << 18)

#ifdef __cplusplus
}
#endif

#endif /* DLC_PROFILE_H */
