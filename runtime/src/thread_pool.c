/* The dlc runtime's thread pool: workers started on first use and kept, one parallel loop at a
   time, iterations handed out in ranges through an atomic counter; the caller works too.
   Between loops, workers spin briefly before they sleep, so back-to-back loops start fast. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif

#include "dlc/runtime.h"
#include "dlc/threads.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define DLC_RT_MAX_THREADS 256

/* Spin iterations (each a CPU pause) a worker waits for the next loop before it sleeps, and the
   caller waits for the last iteration before it yields its core: a model runs one parallel loop
   after another, microseconds apart, and waking a sleeping thread costs more than that. */
#define DLC_RT_SPIN_WAIT 20000

/* The pool's state word: which loop is current, whether it is closed to newcomers, how many
   workers may join it and how many are inside. A worker joins with a compare-and-swap that
   succeeds only while the loop is open and not full, so the job fields below are never read
   while the caller rewrites them (it does so only after closing the loop with nobody inside). */
#define ACTIVE_BITS 12
#define ACTIVE_MASK ((UINT64_C(1) << ACTIVE_BITS) - 1)
#define LIMIT_SHIFT ACTIVE_BITS
#define CLOSED_BIT (UINT64_C(1) << (2 * ACTIVE_BITS))
#define GENERATION_ONE (UINT64_C(1) << (2 * ACTIVE_BITS + 1))
#define ACTIVE(state) ((state) & ACTIVE_MASK)
#define LIMIT(state) (((state) >> LIMIT_SHIFT) & ACTIVE_MASK)
#define GENERATION(state) ((state) / GENERATION_ONE)

/* One participant's share of a loop: a contiguous range, handed out from its front. Each sits
   on its own cache line, so participants working through their own ranges do not contend. */
struct region {
  _Alignas(64) atomic_int_fast64_t next; /* the next iteration to hand out */
  int64_t end;
};

/* The loop being run; written only by the caller that owns run_lock, while the loop is closed. */
struct job {
  dlc_rt_task_fn task;
  void *context;
  int64_t count;
  int64_t grain;                /* iterations handed out at a time */
  int regions;                  /* participants the iterations were divided among */
  atomic_int joined;            /* workers that joined, numbering them 1, 2, ... */
  atomic_int_fast64_t finished; /* iterations completed */
  struct region region[DLC_RT_MAX_THREADS];
};

static _Atomic uint64_t pool_state = CLOSED_BIT;
static struct job current;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static atomic_int sleepers;                                  /* workers waiting on work_ready */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER; /* one loop at a time */
static int started_workers;                                  /* under run_lock */
static atomic_int requested_threads;                         /* 0: the default */
static dlc_rt_parallel_for_fn custom_parallel_for;
static void *custom_user;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static int default_threads(void) {
  const char *env = getenv("DLC_NUM_THREADS");
  if (env && *env) {
    long value = strtol(env, NULL, 10);
    if (value >= 1)
      return value > DLC_RT_MAX_THREADS ? DLC_RT_MAX_THREADS : (int)value;
  }
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 1)
    return CPU_COUNT(&set) > DLC_RT_MAX_THREADS ? DLC_RT_MAX_THREADS : CPU_COUNT(&set);
#endif
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online >= 1 ? (online > DLC_RT_MAX_THREADS ? DLC_RT_MAX_THREADS : (int)online) : 1;
}

int dlc_rt_get_num_threads(void) {
  int count = atomic_load_explicit(&requested_threads, memory_order_relaxed);
  return count >= 1 ? count : default_threads();
}

int dlc_rt_set_num_threads(int count) {
  if (count < 0)
    count = 0;
  if (count > DLC_RT_MAX_THREADS)
    count = DLC_RT_MAX_THREADS;
  atomic_store_explicit(&requested_threads, count, memory_order_relaxed);
  return DLC_STATUS_OK;
}

void dlc_rt_set_parallel_for(dlc_rt_parallel_for_fn parallel_for, void *user) {
  pthread_mutex_lock(&run_lock);
  custom_parallel_for = parallel_for;
  custom_user = user;
  pthread_mutex_unlock(&run_lock);
}

/* Runs participant `self`'s region of the current loop front to back, then helps with the
   others' remaining iterations, then counts what it ran as finished. */
static void work_on_current(int self) {
  int64_t done = 0;
  for (int k = 0; k < current.regions; ++k) {
    struct region *region = &current.region[(self + k) % current.regions];
    for (;;) {
      int64_t begin =
          atomic_fetch_add_explicit(&region->next, current.grain, memory_order_relaxed);
      if (begin >= region->end)
        break;
      int64_t end = begin + current.grain < region->end ? begin + current.grain : region->end;
      current.task(current.context, begin, end);
      done += end - begin;
    }
  }
  atomic_fetch_add_explicit(&current.finished, done, memory_order_acq_rel);
}

/* Joins the loop of `state` if it is still open and has room; false when it moved on. */
static int try_join(uint64_t state) {
  while (!(state & CLOSED_BIT) && ACTIVE(state) < LIMIT(state)) {
    if (atomic_compare_exchange_weak_explicit(&pool_state, &state, state + 1,
                                              memory_order_acquire, memory_order_relaxed))
      return 1;
  }
  return 0;
}

/* Waits (spinning, then sleeping) until the pool's generation differs from `seen`. */
static uint64_t wait_for_new_loop(uint64_t seen) {
  uint64_t state;
  for (int spin = 0; spin < DLC_RT_SPIN_WAIT; ++spin) {
    state = atomic_load_explicit(&pool_state, memory_order_acquire);
    if (GENERATION(state) != seen)
      return state;
    cpu_relax();
  }
  pthread_mutex_lock(&sleep_lock);
  atomic_fetch_add(&sleepers, 1); /* sequentially consistent: see dlc_rt_parallel_for */
  while (GENERATION(state = atomic_load(&pool_state)) == seen)
    pthread_cond_wait(&work_ready, &sleep_lock);
  atomic_fetch_sub(&sleepers, 1);
  pthread_mutex_unlock(&sleep_lock);
  return state;
}

static void *worker_main(void *unused) {
  (void)unused;
  uint64_t seen = 0;
  for (;;) {
    uint64_t state = wait_for_new_loop(seen);
    seen = GENERATION(state);
    if (!try_join(state))
      continue; /* full, or already over: wait for the next one */
    work_on_current(1 + atomic_fetch_add_explicit(&current.joined, 1, memory_order_relaxed));
    atomic_fetch_sub_explicit(&pool_state, 1, memory_order_release);
  }
  return NULL;
}

/* Starts workers until `wanted` exist (or thread creation fails; then fewer work). */
static void start_workers(int wanted) {
  while (started_workers < wanted) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, worker_main, NULL) != 0)
      break;
    pthread_detach(thread);
    ++started_workers;
  }
}

/* For testing the benchmark gate (test/bench/regress.py) only: DLC_RT_TEST_SLOWDOWN_US=N makes
   every parallel loop start N microseconds late, as a slower kernel would. Read once. */
static long test_slowdown_us(void) {
  static _Atomic long cached = -1;
  long us = atomic_load_explicit(&cached, memory_order_relaxed);
  if (us < 0) {
    const char *env = getenv("DLC_RT_TEST_SLOWDOWN_US");
    us = env ? strtol(env, NULL, 10) : 0;
    atomic_store_explicit(&cached, us > 0 ? us : 0, memory_order_relaxed);
  }
  return us;
}

static void spin_microseconds(long us) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  do
    clock_gettime(CLOCK_MONOTONIC, &now);
  while ((now.tv_sec - start.tv_sec) * 1000000L + (now.tv_nsec - start.tv_nsec) / 1000 < us);
}

void dlc_rt_parallel_for(int64_t count, dlc_rt_task_fn task, void *context) {
  if (count <= 0)
    return;
  if (test_slowdown_us())
    spin_microseconds(test_slowdown_us());
  if (custom_parallel_for) {
    custom_parallel_for(count, task, context, custom_user);
    return;
  }
  int threads = dlc_rt_get_num_threads();
  /* The pool runs one loop at a time: a loop started while it is busy (from another application
     thread, or from inside one of its own tasks) runs on the calling thread. */
  if (count == 1 || threads <= 1 || pthread_mutex_trylock(&run_lock) != 0) {
    task(context, 0, count);
    return;
  }
  start_workers(threads - 1);
  int helpers = threads - 1 < started_workers ? threads - 1 : started_workers;
  if (helpers > count - 1)
    helpers = (int)(count - 1);

  /* The previous loop is closed with nobody inside, so the fields are the caller's alone. */
  uint64_t state = atomic_load_explicit(&pool_state, memory_order_relaxed);
  current.task = task;
  current.context = context;
  current.count = count;
  /* Each participant (the caller and every worker that may join) gets a contiguous share of the
     iterations and works through it in order, so neighbouring iterations stay on one core (a
     product's block prefetches the next panel, which the same thread then reads); grabs of
     about an eighth of a share balance the end, when participants that finished early take
     over the rest of the others' shares. (Grabs from one shared counter interleaved
     neighbouring panels across cores: ResNet-50 at 2 threads took 19.6 ms, 18.1 ms this way,
     measured back to back.) */
  int regions = helpers + 1;
  current.regions = regions;
  for (int r = 0; r < regions; ++r) {
    atomic_store_explicit(&current.region[r].next, count * r / regions, memory_order_relaxed);
    current.region[r].end = count * (r + 1) / regions;
  }
  current.grain = count / ((int64_t)regions * 8) > 1 ? count / ((int64_t)regions * 8) : 1;
  atomic_store_explicit(&current.joined, 0, memory_order_relaxed);
  atomic_store_explicit(&current.finished, 0, memory_order_relaxed);
  uint64_t open = (GENERATION(state) + 1) * GENERATION_ONE | (uint64_t)helpers << LIMIT_SHIFT;
  /* Sequentially consistent, like the sleepers' count: either this wakes a worker that went to
     sleep, or that worker sees the new generation before it sleeps. */
  atomic_store(&pool_state, open);
  if (atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_broadcast(&work_ready);
    pthread_mutex_unlock(&sleep_lock);
  }

  work_on_current(0);
  /* Close the loop once every iteration finished and every worker that joined has left. */
  for (int spin = 0;; ++spin) {
    state = atomic_load_explicit(&pool_state, memory_order_acquire);
    if (atomic_load_explicit(&current.finished, memory_order_acquire) == count &&
        ACTIVE(state) == 0 &&
        atomic_compare_exchange_strong_explicit(&pool_state, &state, state | CLOSED_BIT,
                                                memory_order_acq_rel, memory_order_relaxed))
      break;
    if (spin < DLC_RT_SPIN_WAIT)
      cpu_relax();
    else
      sched_yield();
  }
  pthread_mutex_unlock(&run_lock);
}
