#!/usr/bin/env python3
# A data-parallel compilation end to end: `dlc compile --devices` on a model the planner splits
# by rows of the batch, an MPI application that calls NAME_run_ranks on every rank, run with
# mpirun -np 2, its outputs on rank 0 against onnxruntime on the whole batch.
"""Usage: python3 test/e2e/run_ranks.py MODEL --dlc DLC --collectives LIBDIR --work DIR
                                        [--rtol R] [--rounds N]

MODEL is one of test/models/make_models.py. The planner works from a devices file written here
(2 ranks of one socket, fixed rates, so its choice does not depend on this machine's load).
The same model compiled for one process (the whole batch) is linked into the same application;
rank 0 runs it alone, then both ranks run NAME_run_ranks, alternately for --rounds rounds, and
the application prints both outputs' errors' inputs and the times: the minimum and median of
each and the throughput of 2 ranks over 1. The times are reported, not asserted.

Exit status 0 when both outputs match onnxruntime within --rtol (of the largest magnitude);
1 otherwise; 77 (a skip) where mpirun or the collectives library is missing."""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(REPO, "test", "models"))
import make_models  # noqa: E402

EXIT_SKIP = 77
DEVICES = {
    "format": "dlc-devices", "version": 1,
    "device": {"kind": "cpu", "name": "core", "target": "host", "gflops": 100,
               "memory_gib": 4, "memory_gbps": 20},
    "levels": [{"name": "socket", "count": 2, "gbps": 10, "latency_us": 1}],
}
MPIRUN = ["mpirun", "-np", "2", "--oversubscribe", "--allow-run-as-root", "--mca", "btl",
          "self,vader", "--mca", "btl_vader_single_copy_mechanism", "none"]

APP = r"""
#include "dlc/collectives.h"
#include "whole.h"
#include "ranks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void *buffer(size_t bytes) {
  void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) { fprintf(stderr, "app: out of memory\n"); exit(1); }
  memset(p, 0, (bytes + 63) / 64 * 64);
  return p;
}

int main(int argc, char **argv) {
  dlc_rt_comm comm;
  if (dlc_rt_comm_init(&comm, &argc, &argv, 60.0) != DLC_STATUS_OK) {
    fprintf(stderr, "app: %s\n", dlc_rt_comm_error(&comm));
    return 1;
  }
  int rounds = atoi(argv[3]);
  void *in = 0, *out_ranks = 0, *out_whole = 0, *ws_whole = 0;
  void *share = buffer(RANKS_SHARE_BYTES), *ws = buffer(RANKS_WORKSPACE_SIZE);
  if (comm.rank == 0) {
    in = buffer(WHOLE_INPUT_0_BYTES);
    out_ranks = buffer(WHOLE_OUTPUT_0_BYTES);
    out_whole = buffer(WHOLE_OUTPUT_0_BYTES);
    ws_whole = buffer(WHOLE_WORKSPACE_SIZE);
    FILE *f = fopen(argv[1], "rb");
    if (!f || fread(in, 1, WHOLE_INPUT_0_BYTES, f) != WHOLE_INPUT_0_BYTES) {
      fprintf(stderr, "app: cannot read %s\n", argv[1]);
      return 1;
    }
    fclose(f);
  }
  const void *inputs[] = {in};
  void *outputs[] = {out_ranks}, *whole_outputs[] = {out_whole};
  double *t1 = calloc(rounds, sizeof *t1), *t2 = calloc(rounds, sizeof *t2);
  for (int r = -2; r < rounds; ++r) {  /* two rounds of warm-up */
    MPI_Barrier(MPI_COMM_WORLD);
    if (comm.rank == 0) {
      double start = now_ms();
      int status = whole_run(inputs, whole_outputs, ws_whole);
      if (status != DLC_STATUS_OK) {
        fprintf(stderr, "app: whole_run: %s\n", dlc_rt_status_string(status));
        return 1;
      }
      if (r >= 0) t1[r] = now_ms() - start;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    double start = now_ms();
    int status = ranks_run_ranks(&comm, comm.rank == 0 ? inputs : 0,
                                 comm.rank == 0 ? outputs : 0, share, ws);
    if (status != DLC_STATUS_OK) {
      fprintf(stderr, "app: rank %d: ranks_run_ranks: %s (%s)\n", comm.rank,
              dlc_rt_status_string(status), dlc_rt_comm_error(&comm));
      return 1;
    }
    if (r >= 0) t2[r] = now_ms() - start;
  }
  if (comm.rank == 0) {
    FILE *f = fopen(argv[2], "wb");
    fwrite(out_ranks, 1, WHOLE_OUTPUT_0_BYTES, f);
    fwrite(out_whole, 1, WHOLE_OUTPUT_0_BYTES, f);
    fclose(f);
    qsort(t1, rounds, sizeof *t1, by_value);
    qsort(t2, rounds, sizeof *t2, by_value);
    printf("{\"one_rank_ms\": [%.4f, %.4f], \"ranks_ms\": [%.4f, %.4f]}\n", t1[0],
           t1[rounds / 2], t2[0], t2[rounds / 2]);
  }
  return dlc_rt_comm_destroy(&comm) == DLC_STATUS_OK ? 0 : 1;
}
"""


def run(command, what):
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {' '.join(map(str, command))}\n"
                           f"{proc.stdout}{proc.stderr}")
    return proc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=sorted(make_models.MODELS))
    parser.add_argument("--dlc", required=True)
    parser.add_argument("--collectives", required=True,
                        help="the folder of libdlc_collectives_mpi.a")
    parser.add_argument("--work", required=True)
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    library = os.path.join(args.collectives, "libdlc_collectives_mpi.a")
    if not shutil.which("mpirun") or not shutil.which("mpicc") or not os.path.exists(library):
        print(f"SKIP: needs mpirun, mpicc and {library}")
        return EXIT_SKIP
    os.makedirs(args.work, exist_ok=True)
    path = os.path.join(args.work, f"{args.model}.onnx")
    make_models.save_model(args.model, path)
    devices = os.path.join(args.work, "devices.json")
    with open(devices, "w") as f:
        json.dump(DEVICES, f)
    run([args.dlc, "compile", path, "--name", "whole", "-o", os.path.join(args.work, "whole")],
        "dlc compile")
    planned = run([args.dlc, "compile", path, "--name", "ranks", "--devices", devices, "-o",
                   os.path.join(args.work, "ranks")], "dlc compile --devices")
    print(planned.stderr.strip())
    with open(os.path.join(args.work, "ranks", "ranks.h")) as f:
        if "#define RANKS_RANKS 2" not in f.read():
            print("FAIL: the plan is not data parallel over 2 ranks")
            return 1

    model = onnx.load(path)
    name = model.graph.input[0].name
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    x.tofile(os.path.join(args.work, "input.bin"))
    app = os.path.join(args.work, "app")
    with open(app + ".c", "w") as f:
        f.write(APP)
    include = os.path.join(REPO, "runtime", "include")
    run(["mpicc", "-O2", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Werror",
         "-I", include, "-I", os.path.join(args.work, "whole"), "-I",
         os.path.join(args.work, "ranks"), app + ".c",
         os.path.join(args.work, "whole", "libwhole.a"),
         os.path.join(args.work, "ranks", "libranks.a"), library, "-lm", "-lpthread", "-o", app],
        "mpicc")
    env = dict(os.environ, DLC_NUM_THREADS="1")
    proc = subprocess.run(MPIRUN + [app, os.path.join(args.work, "input.bin"),
                                    os.path.join(args.work, "output.bin"), str(args.rounds)],
                          capture_output=True, text=True, env=env, timeout=600)
    if proc.returncode != 0:
        print(f"FAIL: mpirun exited {proc.returncode}\n{proc.stdout}{proc.stderr}")
        return 1
    times = json.loads(proc.stdout.strip().splitlines()[-1])

    want = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(
        None, {name: x})[0]
    got = np.fromfile(os.path.join(args.work, "output.bin"), dtype=np.float32)
    ranks_out, whole_out = got[:want.size].reshape(want.shape), got[want.size:].reshape(want.shape)
    ok = True
    for label, out in (("2 ranks (NAME_run_ranks)", ranks_out), ("1 rank", whole_out)):
        err = float(np.abs(out - want).max() / np.abs(want).max())
        passed = err <= args.rtol
        ok &= passed
        print(f"{'ok  ' if passed else 'FAIL'} {label} vs onnxruntime: max |diff| / max |ref| = "
              f"{err:.2e} (rtol {args.rtol:g})")
    one, two = times["one_rank_ms"], times["ranks_ms"]
    print(f"times over {args.rounds} rounds, 1 thread a rank: 1 rank min {one[0]:.3f} / median "
          f"{one[1]:.3f} ms, 2 ranks min {two[0]:.3f} / median {two[1]:.3f} ms; throughput "
          f"2 ranks / 1 rank: {one[0] / two[0]:.2f}x of the minimums, {one[1] / two[1]:.2f}x "
          "of the medians")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
