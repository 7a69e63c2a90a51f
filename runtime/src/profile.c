/* The kernel profile's event buffer (see dlc/profile.h). Events are appended with one atomic
   increment, so runs on several application threads may record at once. */
#include "dlc/profile.h"

#include <time.h>

static dlc_rt_profile_event events[DLC_RT_PROFILE_CAPACITY];
static size_t next_event; /* atomic: the slot the next event takes */

int64_t dlc_rt_profile_clock(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

void dlc_rt_profile_record(const char *name, int64_t operations, int32_t kind, int64_t start_ns) {
  int64_t end_ns = dlc_rt_profile_clock();
  size_t slot = __atomic_fetch_add(&next_event, 1, __ATOMIC_RELAXED);
  if (slot >= DLC_RT_PROFILE_CAPACITY)
    return;
  dlc_rt_profile_event *event = &events[slot];
  event->name = name;
  event->operations = operations;
  event->kind = kind;
  event->start_ns = start_ns;
  event->end_ns = end_ns;
}

const dlc_rt_profile_event *dlc_rt_profile_events(size_t *count) {
  size_t recorded = __atomic_load_n(&next_event, __ATOMIC_ACQUIRE);
  *count = recorded < DLC_RT_PROFILE_CAPACITY ? recorded : DLC_RT_PROFILE_CAPACITY;
  return events;
}

size_t dlc_rt_profile_dropped(void) {
  size_t recorded = __atomic_load_n(&next_event, __ATOMIC_ACQUIRE);
  return recorded > DLC_RT_PROFILE_CAPACITY ? recorded - DLC_RT_PROFILE_CAPACITY : 0;
}

void dlc_rt_profile_reset(void) { __atomic_store_n(&next_event, 0, __ATOMIC_RELEASE); }
