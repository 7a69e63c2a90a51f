/* Tests of the runtime's thread pool: every iteration runs exactly once for many loop sizes and
   thread counts and when two application threads run loops at once, nested loops run inline,
   an application's parallel-for is used when set, and the default thread count is as documented. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* setenv, sched_getaffinity */
#endif
#include "dlc/runtime.h"
#include "dlc/threads.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COUNT 1000
static atomic_int hits[MAX_COUNT];
static int failures;

static void expect(int condition, const char *what) {
  if (!condition) {
    printf("FAIL: %s\n", what);
    ++failures;
  }
}

static void count_hits(void *context, int64_t begin, int64_t end) {
  (void)context;
  for (int64_t i = begin; i < end; ++i)
    atomic_fetch_add(&hits[i], 1);
}

/* An inner loop's iterations count hits and note any that ran on a thread other than the one
   running the outer iteration that started the loop. */
static atomic_int off_thread;
static void inner_iteration(void *context, int64_t begin, int64_t end) {
  const pthread_t *outer = context;
  for (int64_t i = begin; i < end; ++i) {
    atomic_fetch_add(&hits[i], 1);
    if (!pthread_equal(*outer, pthread_self())) atomic_fetch_add(&off_thread, 1);
  }
}

static void nested(void *context, int64_t begin, int64_t end) {
  (void)context;
  for (int64_t i = begin; i < end; ++i) {
    pthread_t self = pthread_self();
    dlc_rt_parallel_for(4, inner_iteration, &self);
  }
}

/* Two application threads run loops at once, each on its own array; every iteration of every
   loop must still run exactly once (one of them gets the pool, the other runs inline). */
#define CONCURRENT_COUNT 364
static atomic_int app_hits[2][CONCURRENT_COUNT];
static atomic_int concurrent_errors;
static void count_app_hits(void *context, int64_t begin, int64_t end) {
  atomic_int *array = context;
  for (int64_t i = begin; i < end; ++i)
    atomic_fetch_add(&array[i], 1);
}
static void *application_thread(void *arg) {
  atomic_int *array = arg;
  for (int repeat = 0; repeat < 200; ++repeat) {
    for (int i = 0; i < CONCURRENT_COUNT; ++i) atomic_store(&array[i], 0);
    dlc_rt_parallel_for(CONCURRENT_COUNT, count_app_hits, array);
    for (int i = 0; i < CONCURRENT_COUNT; ++i)
      if (atomic_load(&array[i]) != 1) atomic_fetch_add(&concurrent_errors, 1);
  }
  return NULL;
}

/* A loop started by another application thread while the pool is busy runs on that thread and
   completes: the first loop's tasks wait until the second loop has returned. */
static atomic_int first_inside, second_done;
static void wait_for_second_loop(void *context, int64_t begin, int64_t end) {
  (void)context;
  (void)begin;
  (void)end;
  atomic_store(&first_inside, 1);
  for (int ms = 0; ms < 10000 && !atomic_load(&second_done); ++ms) {
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, NULL);
  }
}
static void *second_loop(void *unused) {
  (void)unused;
  while (!atomic_load(&first_inside)) sched_yield();
  atomic_int *array = app_hits[0];
  for (int i = 0; i < CONCURRENT_COUNT; ++i) atomic_store(&array[i], 0);
  dlc_rt_parallel_for(CONCURRENT_COUNT, count_app_hits, array);
  for (int i = 0; i < CONCURRENT_COUNT; ++i)
    if (atomic_load(&array[i]) != 1) atomic_fetch_add(&concurrent_errors, 1);
  atomic_store(&second_done, 1);
  return NULL;
}

/* Records which thread ran each (slow) iteration, to see that the pool's workers take part. */
static pthread_t runner[8];
static void slow_iteration(void *context, int64_t begin, int64_t end) {
  (void)context;
  for (int64_t i = begin; i < end; ++i) {
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, NULL);
    runner[i] = pthread_self();
  }
}

static int custom_calls;
static void custom_parallel_for(int64_t count, dlc_rt_task_fn task, void *context, void *user) {
  ++custom_calls;
  expect(user == &custom_calls, "the custom parallel-for receives its user pointer");
  task(context, 0, count);
}

/* True when every hits[i] for i in [begin, end) equals `want`. */
static int hits_equal(int begin, int end, int want) {
  for (int i = begin; i < end; ++i)
    if (atomic_load(&hits[i]) != want) return 0;
  return 1;
}

int main(void) {
  for (int threads = 1; threads <= 4; ++threads) {
    dlc_rt_set_num_threads(threads);
    expect(dlc_rt_get_num_threads() == threads, "the thread count is what was set");
    for (int count = 1; count <= MAX_COUNT; count = count * 3 + 1)
      for (int repeat = 0; repeat < 20; ++repeat) {
        memset(hits, 0, sizeof(hits));
        dlc_rt_parallel_for(count, count_hits, NULL);
        for (int i = 0; i < MAX_COUNT; ++i)
          if (atomic_load(&hits[i]) != (i < count)) {
            printf("FAIL: %d threads, count %d: iteration %d ran %d times\n", threads, count, i,
                   atomic_load(&hits[i]));
            return 1;
          }
      }
  }

  dlc_rt_set_num_threads(2);
  dlc_rt_parallel_for(8, slow_iteration, NULL);
  int others = 0;
  for (int i = 0; i < 8; ++i)
    others += !pthread_equal(runner[i], pthread_self());
  expect(others > 0, "with 2 threads, a worker runs some of the iterations");

  memset(hits, 0, sizeof(hits));
  dlc_rt_parallel_for(8, nested, NULL);
  expect(hits_equal(0, 4, 8) && hits_equal(4, MAX_COUNT, 0),
         "a loop started inside a task runs once per outer iteration");
  expect(atomic_load(&off_thread) == 0,
         "a loop started inside a task runs on the thread that started it");

  memset(hits, 0, sizeof(hits));
  dlc_rt_parallel_for(0, count_hits, NULL);
  dlc_rt_parallel_for(-5, count_hits, NULL);
  expect(hits_equal(0, MAX_COUNT, 0), "a loop of 0 or fewer iterations runs none");

  pthread_t second;
  pthread_create(&second, NULL, second_loop, NULL);
  dlc_rt_parallel_for(2, wait_for_second_loop, NULL);
  pthread_join(second, NULL);
  expect(atomic_load(&second_done) && atomic_load(&concurrent_errors) == 0,
         "a loop started while another application thread's loop runs, runs every iteration once");

  pthread_t apps[2];
  for (int t = 0; t < 2; ++t) pthread_create(&apps[t], NULL, application_thread, app_hits[t]);
  for (int t = 0; t < 2; ++t) pthread_join(apps[t], NULL);
  expect(atomic_load(&concurrent_errors) == 0,
         "loops run by two application threads at once each run every iteration once");

  dlc_rt_set_parallel_for(custom_parallel_for, &custom_calls);
  memset(hits, 0, sizeof(hits));
  dlc_rt_parallel_for(10, count_hits, NULL);
  expect(custom_calls == 1 && hits_equal(0, 10, 1) && hits_equal(10, MAX_COUNT, 0),
         "the application's parallel-for runs the loop");
  dlc_rt_set_parallel_for(NULL, NULL);
  dlc_rt_parallel_for(10, count_hits, NULL);
  expect(custom_calls == 1 && hits_equal(0, 10, 2), "NULL restores the built-in pool");

  /* 0 restores the default: $DLC_NUM_THREADS when set, else the CPUs this process may use. */
  dlc_rt_set_num_threads(0);
  setenv("DLC_NUM_THREADS", "3", 1);
  expect(dlc_rt_get_num_threads() == 3, "the default thread count follows $DLC_NUM_THREADS");
  unsetenv("DLC_NUM_THREADS");
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0)
    expect(dlc_rt_get_num_threads() == CPU_COUNT(&cpus),
           "without $DLC_NUM_THREADS the default is the number of CPUs this process may use");
  printf("%s\n", failures ? "thread pool: FAILED" : "thread pool: ok");
  return failures != 0;
}
