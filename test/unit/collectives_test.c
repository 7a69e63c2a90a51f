/* The runtime's collectives over MPI, run by `mpirun -np 2`: each call's result against the
   values every rank can compute for itself, a rank count that is not the plan's, and a rank
   that never joins a collective (the other must get DLC_STATUS_TIMEOUT, not wait forever).
   Prints PASS on rank 0; exit status 1 on any failure. */
#include "dlc/collectives.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures = 0;

#define EXPECT(cond, ...)                                                                        \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      fprintf(stderr, "FAIL (line %d): ", __LINE__);                                            \
      fprintf(stderr, __VA_ARGS__);                                                              \
      fprintf(stderr, "\n");                                                                     \
      ++failures;                                                                                \
    }                                                                                            \
  } while (0)

enum { COUNT = 1000 };

int main(int argc, char **argv) {
  dlc_rt_comm comm;
  int status = dlc_rt_comm_init(&comm, &argc, &argv, 2.0);
  if (status != DLC_STATUS_OK) {
    fprintf(stderr, "dlc_rt_comm_init: %s\n", dlc_rt_comm_error(&comm));
    return 1;
  }
  int rank = comm.rank, size = comm.size;
  EXPECT(size == 2, "run with mpirun -np 2, not %d ranks", size);

  /* All-reduce: rank r holds (r + 1) * (i + 1); the sum is (i + 1) * size (size + 1) / 2. */
  static float data[COUNT];
  for (int i = 0; i < COUNT; ++i)
    data[i] = (float)((rank + 1) * (i + 1));
  status = dlc_rt_allreduce_f32(&comm, data, COUNT);
  EXPECT(status == DLC_STATUS_OK, "all-reduce: %s", dlc_rt_comm_error(&comm));
  for (int i = 0; i < COUNT; ++i)
    if (data[i] != (float)((i + 1) * size * (size + 1) / 2)) {
      EXPECT(0, "all-reduce element %d is %g", i, data[i]);
      break;
    }

  /* All-gather: rank r's block holds r * 100 + j. */
  int mine[4], all[4 * 2];
  for (int j = 0; j < 4; ++j)
    mine[j] = rank * 100 + j;
  status = dlc_rt_allgather(&comm, mine, all, sizeof mine);
  EXPECT(status == DLC_STATUS_OK, "all-gather: %s", dlc_rt_comm_error(&comm));
  for (int r = 0; r < size && r < 2; ++r)
    for (int j = 0; j < 4; ++j)
      EXPECT(all[r * 4 + j] == r * 100 + j, "all-gather block %d element %d is %d", r, j,
             all[r * 4 + j]);

  /* Scatter from rank 1, then gather to rank 0: the blocks come back in rank order. */
  int whole[2 * 3], part[3], back[2 * 3];
  for (int k = 0; k < 6; ++k)
    whole[k] = rank == 1 ? 7 * k + 1 : -1;
  status = dlc_rt_scatter(&comm, whole, part, sizeof part, 1);
  EXPECT(status == DLC_STATUS_OK, "scatter: %s", dlc_rt_comm_error(&comm));
  for (int j = 0; j < 3; ++j)
    EXPECT(part[j] == 7 * (rank * 3 + j) + 1, "scatter: rank %d element %d is %d", rank, j,
           part[j]);
  status = dlc_rt_gather(&comm, part, back, sizeof part, 0);
  EXPECT(status == DLC_STATUS_OK, "gather: %s", dlc_rt_comm_error(&comm));
  if (rank == 0)
    for (int k = 0; k < 6; ++k)
      EXPECT(back[k] == 7 * k + 1, "gather element %d is %d", k, back[k]);

  /* Send and receive: rank 0 -> rank 1, then back doubled. */
  double value = rank == 0 ? 1.25 : 0;
  if (rank == 0) {
    EXPECT(dlc_rt_send(&comm, &value, sizeof value, 1) == DLC_STATUS_OK, "send: %s",
           dlc_rt_comm_error(&comm));
    EXPECT(dlc_rt_recv(&comm, &value, sizeof value, 1) == DLC_STATUS_OK, "recv: %s",
           dlc_rt_comm_error(&comm));
    EXPECT(value == 2.5, "received %g back", value);
  } else {
    EXPECT(dlc_rt_recv(&comm, &value, sizeof value, 0) == DLC_STATUS_OK, "recv: %s",
           dlc_rt_comm_error(&comm));
    value *= 2;
    EXPECT(dlc_rt_send(&comm, &value, sizeof value, 0) == DLC_STATUS_OK, "send: %s",
           dlc_rt_comm_error(&comm));
  }

  /* A plan for 3 ranks on 2. */
  EXPECT(dlc_rt_comm_check_size(&comm, 2) == DLC_STATUS_OK, "2 ranks rejected");
  EXPECT(dlc_rt_comm_check_size(&comm, 3) == DLC_STATUS_RANK_MISMATCH, "3 ranks accepted");
  EXPECT(strstr(dlc_rt_comm_error(&comm), "the plan has 3 ranks but the communicator 2"),
         "rank mismatch says '%s'", dlc_rt_comm_error(&comm));

  /* Rank 1 joins the last all-reduce 3 s late: rank 0 times out after its 2 s, says so, and
     its communicator fails every later call at once. */
  float late[1] = {1.0f};
  if (rank == 1)
    sleep(3);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  status = dlc_rt_allreduce_f32(&comm, late, 1);
  clock_gettime(CLOCK_MONOTONIC, &end);
  double waited =
      (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
  if (rank == 0) {
    EXPECT(status == DLC_STATUS_TIMEOUT, "a missing rank gave status %d, not a timeout", status);
    EXPECT(waited >= 1.9 && waited < 3.5, "timed out after %.2f s, not about 2", waited);
    EXPECT(strstr(dlc_rt_comm_error(&comm),
                  "rank 0 of 2: all-reduce did not complete within 2 s (a rank is missing"),
           "timeout says '%s'", dlc_rt_comm_error(&comm));
    EXPECT(dlc_rt_allreduce_f32(&comm, late, 1) == DLC_STATUS_COMM_FAILED,
           "a broken communicator still ran a collective");
  }
  /* Rank 1's late all-reduce completes the one rank 0 abandoned, which destroy waits for. */
  status = dlc_rt_comm_destroy(&comm);
  EXPECT(status == DLC_STATUS_OK, "destroy: status %d", status);
  if (rank == 0 && failures == 0)
    printf("PASS\n");
  return failures ? 1 : 0;
}
