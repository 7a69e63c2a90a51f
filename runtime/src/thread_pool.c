/* The dlc runtime's thread pool: workers started on first use and kept, one parallel loop at a
   time, iterations handed out one by one through an atomic counter; the caller works too. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif

#include "dlc/runtime.h"
#include "dlc/threads.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define DLC_RT_MAX_THREADS 256

/* The loop being run: what to call, and how far it has got. `next` is the only field touched
   without pool_lock; a job is not replaced while any worker is still inside it (`active`). */
struct job {
  dlc_rt_task_fn task;
  void *context;
  int64_t count;
  atomic_int_fast64_t next; /* the next iteration to hand out */
  int64_t finished;         /* iterations completed */
  int active;               /* workers inside this job */
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t work_done = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER; /* one loop at a time */
static pthread_t workers[DLC_RT_MAX_THREADS];
static int started_workers;
static unsigned long generation; /* bumped for each loop, under pool_lock */
static struct job current;
static atomic_int requested_threads; /* 0: the default */
static dlc_rt_parallel_for_fn custom_parallel_for;
static void *custom_user;

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

/* Hands out iterations of `job` until none are left; returns how many this thread ran. */
static int64_t work_on(struct job *job) {
  int64_t done = 0;
  for (;;) {
    int64_t i = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
    if (i >= job->count)
      break;
    job->task(job->context, i, i + 1);
    ++done;
  }
  return done;
}

/* Whether the current job is over: every iteration ran and no worker is inside it. */
static int job_over(void) { return current.finished == current.count && current.active == 0; }

static void *worker_main(void *unused) {
  (void)unused;
  unsigned long seen = 0;
  pthread_mutex_lock(&pool_lock);
  for (;;) {
    while (generation == seen)
      pthread_cond_wait(&work_ready, &pool_lock);
    seen = generation;
    ++current.active;
    pthread_mutex_unlock(&pool_lock);
    int64_t done = work_on(&current);
    pthread_mutex_lock(&pool_lock);
    current.finished += done;
    --current.active;
    if (job_over())
      pthread_cond_broadcast(&work_done);
  }
  return NULL;
}

/* Starts workers until `wanted` exist (or thread creation fails; then fewer work). */
static void start_workers(int wanted) {
  while (started_workers < wanted &&
         pthread_create(&workers[started_workers], NULL, worker_main, NULL) == 0) {
    pthread_detach(workers[started_workers]);
    ++started_workers;
  }
}

void dlc_rt_parallel_for(int64_t count, dlc_rt_task_fn task, void *context) {
  if (count <= 0)
    return;
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
  pthread_mutex_lock(&pool_lock);
  /* A worker that woke late for the previous loop may still be leaving it. */
  while (!job_over())
    pthread_cond_wait(&work_done, &pool_lock);
  start_workers(threads - 1);
  current.task = task;
  current.context = context;
  current.count = count;
  current.finished = 0;
  atomic_store_explicit(&current.next, 0, memory_order_relaxed);
  ++generation;
  pthread_cond_broadcast(&work_ready);
  pthread_mutex_unlock(&pool_lock);

  int64_t done = work_on(&current);
  pthread_mutex_lock(&pool_lock);
  current.finished += done;
  while (!job_over())
    pthread_cond_wait(&work_done, &pool_lock);
  pthread_mutex_unlock(&pool_lock);
  pthread_mutex_unlock(&run_lock);
}
