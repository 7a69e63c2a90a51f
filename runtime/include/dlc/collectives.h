/* Collectives between the ranks of a parallel plan, over MPI between CPU processes (NCCL
   between GPUs will take the same calls). The application passes its MPI communicator, or lets
   dlc initialise MPI; the same calls serve every rank, which reads its number at run time.
   Nothing waits forever: a call that does not complete within the communicator's timeout
   returns DLC_STATUS_TIMEOUT, and the communicator then says why in words
   (dlc_rt_comm_error). Like the rest of the runtime it allocates no heap memory: the caller
   owns the dlc_rt_comm. Link libdlc_collectives_mpi.a and MPI (mpicc does). */
#ifndef DLC_COLLECTIVES_H
#define DLC_COLLECTIVES_H

#include "dlc/runtime.h"

#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A communicator: fill it with dlc_rt_comm_init or dlc_rt_comm_from_mpi, release it with
   dlc_rt_comm_destroy. Its fields are the runtime's. */
typedef struct dlc_rt_comm {
  MPI_Comm mpi;
  int rank, size;
  double timeout_s;
  int initialized_mpi; /* dlc called MPI_Init and finalizes it */
  int broken;          /* a call timed out or failed: later calls fail at once */
  MPI_Request pending; /* the operation a timeout abandoned */
  char error[192];
} dlc_rt_comm;

/* Initialises MPI (unless the application already has) and uses MPI_COMM_WORLD. */
int dlc_rt_comm_init(dlc_rt_comm *comm, int *argc, char ***argv, double timeout_s);
/* Uses the application's communicator (dlc duplicates it: its traffic never mixes with the
   application's). */
int dlc_rt_comm_from_mpi(dlc_rt_comm *comm, MPI_Comm mpi, double timeout_s);
/* DLC_STATUS_RANK_MISMATCH (with the two counts in dlc_rt_comm_error) unless the
   communicator has exactly `ranks` ranks. */
int dlc_rt_comm_check_size(dlc_rt_comm *comm, int ranks);
/* Releases the communicator, and finalizes MPI when dlc initialised it. */
int dlc_rt_comm_destroy(dlc_rt_comm *comm);
/* Words for the last failure ("" when none). */
const char *dlc_rt_comm_error(const dlc_rt_comm *comm);

/* Sums `count` floats across the ranks, in place on every rank. */
int dlc_rt_allreduce_f32(dlc_rt_comm *comm, float *data, size_t count);
/* Every rank's `bytes` of `send`, in rank order, into `recv` (size * bytes) on every rank. */
int dlc_rt_allgather(dlc_rt_comm *comm, const void *send, void *recv, size_t bytes);
/* Rank `root`'s `send` (size * bytes) cut into `bytes` per rank, in rank order. */
int dlc_rt_scatter(dlc_rt_comm *comm, const void *send, void *recv, size_t bytes, int root);
/* Every rank's `bytes` of `send`, in rank order, into rank `root`'s `recv` (size * bytes). */
int dlc_rt_gather(dlc_rt_comm *comm, const void *send, void *recv, size_t bytes, int root);
/* `bytes` from this rank to rank `peer`, and from `peer` into `data`. */
int dlc_rt_send(dlc_rt_comm *comm, const void *data, size_t bytes, int peer);
int dlc_rt_recv(dlc_rt_comm *comm, void *data, size_t bytes, int peer);

#ifdef __cplusplus
}
#endif

#endif
