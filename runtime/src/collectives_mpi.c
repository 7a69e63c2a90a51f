/* The collectives of dlc/collectives.h over MPI. Each call starts MPI's nonblocking form and
   polls it until it completes or the communicator's timeout passes, so a missing rank gives
   DLC_STATUS_TIMEOUT instead of a process that waits forever; errors come back as statuses
   (MPI_ERRORS_RETURN), never as an abort. */
#include "dlc/collectives.h"

#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(dlc_rt_comm *comm, int status, const char *what, int mpi_code) {
  char reason[MPI_MAX_ERROR_STRING] = "";
  int length = 0;
  if (mpi_code != MPI_SUCCESS)
    MPI_Error_string(mpi_code, reason, &length);
  snprintf(comm->error, sizeof comm->error, "rank %d of %d: %s%s%s", comm->rank, comm->size,
           what, length ? ": " : "", reason);
  return status;
}

/* Waits for `request` until the timeout; on expiry the request is kept in comm->pending and
   the communicator is broken. */
static int finish(dlc_rt_comm *comm, MPI_Request *request, const char *what, int started) {
  if (started != MPI_SUCCESS) {
    comm->broken = 1;
    return fail(comm, DLC_STATUS_COMM_FAILED, what, started);
  }
  double deadline = now_s() + comm->timeout_s;
  for (unsigned spins = 0;; ++spins) {
    int done = 0;
    int code = MPI_Test(request, &done, MPI_STATUS_IGNORE);
    if (code != MPI_SUCCESS) {
      comm->broken = 1;
      return fail(comm, DLC_STATUS_COMM_FAILED, what, code);
    }
    if (done)
      return DLC_STATUS_OK;
    if (now_s() > deadline) {
      comm->broken = 1;
      comm->pending = *request;
      char message[128];
      snprintf(message, sizeof message, "%s did not complete within %.3g s (a rank is missing "
               "or stopped)", what, comm->timeout_s);
      return fail(comm, DLC_STATUS_TIMEOUT, message, MPI_SUCCESS);
    }
    if (spins % 64 == 63)
      sched_yield(); /* leave the core to a rank that shares it */
  }
}

/* DLC_STATUS_OK when the communicator may start a call moving `bytes`. */
static int usable(dlc_rt_comm *comm, size_t bytes, const char *what) {
  if (!comm)
    return DLC_STATUS_NULL_ARGUMENT;
  if (comm->broken)
    return DLC_STATUS_COMM_FAILED; /* the error that broke it stays in comm->error */
  if (bytes > (size_t)INT_MAX)
    return fail(comm, DLC_STATUS_COMM_FAILED, what, MPI_SUCCESS);
  return DLC_STATUS_OK;
}

static int adopt(dlc_rt_comm *comm, MPI_Comm mpi, double timeout_s) {
  comm->error[0] = '\0';
  comm->broken = 0;
  comm->pending = MPI_REQUEST_NULL;
  comm->timeout_s = timeout_s > 0 ? timeout_s : 60.0;
  comm->rank = comm->size = 0;
  MPI_Comm_rank(mpi, &comm->rank);
  MPI_Comm_size(mpi, &comm->size);
  /* Duplicating is collective too: a rank that never comes times out here. */
  MPI_Request request;
  int status = finish(comm, &request, "joining the communicator",
                      MPI_Comm_idup(mpi, &comm->mpi, &request));
  if (status != DLC_STATUS_OK)
    return status;
  int code = MPI_Comm_set_errhandler(comm->mpi, MPI_ERRORS_RETURN);
  if (code == MPI_SUCCESS)
    code = MPI_Comm_rank(comm->mpi, &comm->rank);
  if (code == MPI_SUCCESS)
    code = MPI_Comm_size(comm->mpi, &comm->size);
  return code == MPI_SUCCESS ? DLC_STATUS_OK
                             : fail(comm, DLC_STATUS_COMM_FAILED, "cannot use the communicator",
                                    code);
}

int dlc_rt_comm_init(dlc_rt_comm *comm, int *argc, char ***argv, double timeout_s) {
  if (!comm)
    return DLC_STATUS_NULL_ARGUMENT;
  int initialized = 0;
  MPI_Initialized(&initialized);
  comm->initialized_mpi = 0;
  if (!initialized) {
    int code = MPI_Init(argc, argv);
    if (code != MPI_SUCCESS) {
      comm->rank = comm->size = 0;
      return fail(comm, DLC_STATUS_COMM_FAILED, "MPI_Init failed", code);
    }
    comm->initialized_mpi = 1;
  }
  return adopt(comm, MPI_COMM_WORLD, timeout_s);
}

int dlc_rt_comm_from_mpi(dlc_rt_comm *comm, MPI_Comm mpi, double timeout_s) {
  if (!comm)
    return DLC_STATUS_NULL_ARGUMENT;
  comm->initialized_mpi = 0;
  return adopt(comm, mpi, timeout_s);
}

int dlc_rt_comm_check_size(dlc_rt_comm *comm, int ranks) {
  if (!comm)
    return DLC_STATUS_NULL_ARGUMENT;
  if (comm->size == ranks)
    return DLC_STATUS_OK;
  char message[96];
  snprintf(message, sizeof message, "the plan has %d ranks but the communicator %d", ranks,
           comm->size);
  return fail(comm, DLC_STATUS_RANK_MISMATCH, message, MPI_SUCCESS);
}

int dlc_rt_comm_destroy(dlc_rt_comm *comm) {
  if (!comm)
    return DLC_STATUS_NULL_ARGUMENT;
  int status = DLC_STATUS_OK;
  if (comm->pending != MPI_REQUEST_NULL) {
    /* The operation a timeout abandoned may still finish (a late rank); it must, before the
       communicator is freed. Give it one more timeout, then leave it to the process's end. */
    status = finish(comm, &comm->pending, "the abandoned collective", MPI_SUCCESS);
    if (status != DLC_STATUS_OK)
      return status;
  }
  MPI_Comm_free(&comm->mpi);
  if (comm->initialized_mpi)
    MPI_Finalize();
  comm->initialized_mpi = 0;
  return status;
}

const char *dlc_rt_comm_error(const dlc_rt_comm *comm) { return comm ? comm->error : ""; }

int dlc_rt_allreduce_f32(dlc_rt_comm *comm, float *data, size_t count) {
  int status = usable(comm, count * sizeof(float), "all-reduce larger than 8 GiB");
  if (status != DLC_STATUS_OK)
    return status;
  MPI_Request request;
  int code = MPI_Iallreduce(MPI_IN_PLACE, data, (int)count, MPI_FLOAT, MPI_SUM, comm->mpi,
                            &request);
  return finish(comm, &request, "all-reduce", code);
}

int dlc_rt_allgather(dlc_rt_comm *comm, const void *send, void *recv, size_t bytes) {
  int status = usable(comm, bytes, "all-gather larger than 2 GiB a rank");
  if (status != DLC_STATUS_OK)
    return status;
  MPI_Request request;
  int code = MPI_Iallgather(send, (int)bytes, MPI_BYTE, recv, (int)bytes, MPI_BYTE, comm->mpi,
                            &request);
  return finish(comm, &request, "all-gather", code);
}

int dlc_rt_scatter(dlc_rt_comm *comm, const void *send, void *recv, size_t bytes, int root) {
  int status = usable(comm, bytes, "scatter larger than 2 GiB a rank");
  if (status != DLC_STATUS_OK)
    return status;
  MPI_Request request;
  int code = MPI_Iscatter(send, (int)bytes, MPI_BYTE, recv, (int)bytes, MPI_BYTE, root,
                          comm->mpi, &request);
  return finish(comm, &request, "scatter", code);
}

int dlc_rt_gather(dlc_rt_comm *comm, const void *send, void *recv, size_t bytes, int root) {
  int status = usable(comm, bytes, "gather larger than 2 GiB a rank");
  if (status != DLC_STATUS_OK)
    return status;
  MPI_Request request;
  int code = MPI_Igather(send, (int)bytes, MPI_BYTE, recv, (int)bytes, MPI_BYTE, root,
                         comm->mpi, &request);
  return finish(comm, &request, "gather", code);
}

int dlc_rt_send(dlc_rt_comm *comm, const void *data, size_t bytes, int peer) {
  int status = usable(comm, bytes, "send larger than 2 GiB");
  if (status != DLC_STATUS_OK)
    return status;
  MPI_Request request;
  int code = MPI_Isend(data, (int)bytes, MPI_BYTE, peer, 0, comm->mpi, &request);
  return finish(comm, &request, "send", code);
}

int dlc_rt_recv(dlc_rt_comm *comm, void *data, size_t bytes, int peer) {
  int status = usable(comm, bytes, "receive larger than 2 GiB");
  if (status != DLC_STATUS_OK)
    return status;
  MPI_Request request;
  int code = MPI_Irecv(data, (int)bytes, MPI_BYTE, peer, 0, comm->mpi, &request);
  return finish(comm, &request, "receive", code);
}
