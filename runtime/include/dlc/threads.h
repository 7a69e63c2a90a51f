/* The dlc runtime's threads: the pool generated code runs its parallel loops on, and the C API
   an application uses to size it or to supply its own parallel-for (e.g. its own pool). */
#ifndef DLC_THREADS_H
#define DLC_THREADS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One piece of a parallel loop: runs iterations [begin, end) with `context`. */
typedef void (*dlc_rt_task_fn)(void *context, int64_t begin, int64_t end);

/** An application's parallel-for: must run task(context, b, e) over disjoint ranges covering
    [0, count) and return when all have finished. `user` is what was registered with it. */
typedef void (*dlc_rt_parallel_for_fn)(int64_t count, dlc_rt_task_fn task, void *context,
                                        void *user);

/** Sets how many threads (the caller included) generated code uses; 0 restores the default:
    $DLC_NUM_THREADS when set, else the CPUs this process may run on. Takes effect at the next
    parallel loop. Returns DLC_STATUS_OK. */
int dlc_rt_set_num_threads(int count);

/** The number of threads the next parallel loop will use. */
int dlc_rt_get_num_threads(void);

/** Routes every parallel loop to `parallel_for` (with `user`) instead of the built-in pool;
    NULL restores the pool. Not to be called while a model is running. */
void dlc_rt_set_parallel_for(dlc_rt_parallel_for_fn parallel_for, void *user);

/** Runs task(context, b, e) over [0, count) on the pool (or the registered parallel-for) and
    returns when all iterations are done. Called by generated code. A loop started while another
    is running (another application thread, or from inside a task) runs on the calling thread. */
void dlc_rt_parallel_for(int64_t count, dlc_rt_task_fn task, void *context);

#ifdef __cplusplus
}
#endif

#endif /* DLC_THREADS_H */
