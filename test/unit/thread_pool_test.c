/* Tests of the runtime's thread pool: every iteration runs exactly once for many loop sizes and
   thread counts, nested loops run inline, and an application's parallel-for is used when set. */
#include "dlc/runtime.h"
#include "dlc/threads.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
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

static void nested(void *context, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i)
    dlc_rt_parallel_for(4, count_hits, context);
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
  expect(atomic_load(&hits[0]) == 8 && atomic_load(&hits[3]) == 8 && atomic_load(&hits[4]) == 0,
         "a loop started inside a task runs inline, once per outer iteration");

  dlc_rt_set_parallel_for(custom_parallel_for, &custom_calls);
  memset(hits, 0, sizeof(hits));
  dlc_rt_parallel_for(10, count_hits, NULL);
  expect(custom_calls == 1 && atomic_load(&hits[9]) == 1, "the application's parallel-for runs the loop");
  dlc_rt_set_parallel_for(NULL, NULL);
  dlc_rt_parallel_for(10, count_hits, NULL);
  expect(custom_calls == 1 && atomic_load(&hits[9]) == 2, "NULL restores the built-in pool");

  dlc_rt_set_num_threads(0);
  expect(dlc_rt_get_num_threads() >= 1, "the default thread count is at least 1");
  printf("%s\n", failures ? "thread pool: FAILED" : "thread pool: ok");
  return failures != 0;
}
