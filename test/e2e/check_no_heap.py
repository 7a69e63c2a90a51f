# Proves that a run of a generated library allocates no heap memory: the archive references no
# allocation function, and a C program that interposes the C allocators (forwarding to glibc)
# counts the calls made inside NAME_run.
import argparse
import pathlib
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "models"))
import make_models  # noqa: E402
import onnx  # noqa: E402

PROGRAM = r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "%(name)s.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);

static volatile int counting, calls;
void *malloc(size_t n) { calls += counting; return __libc_malloc(n); }
void *calloc(size_t n, size_t m) { calls += counting; return __libc_calloc(n, m); }
void *realloc(void *p, size_t n) { calls += counting; return __libc_realloc(p, n); }
void free(void *p) { calls += counting && p; __libc_free(p); }
/* The aligned allocators too: a library could take its buffers from any of them. */
void *memalign(size_t a, size_t n) { calls += counting; return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { calls += counting; return __libc_memalign(a, n); }
void *valloc(size_t n) { calls += counting; return __libc_valloc(n); }
int posix_memalign(void **p, size_t a, size_t n) {
  calls += counting;
  *p = __libc_memalign(a, n);
  return *p ? 0 : 12; /* ENOMEM */
}

int main(void) {
  static const size_t in_bytes[] = {%(in_bytes)s};
  static const size_t out_bytes[] = {%(out_bytes)s};
  const void *inputs[%(num_in)d];
  void *outputs[%(num_out)d];
  for (int i = 0; i < %(num_in)d; ++i) inputs[i] = calloc(1, in_bytes[i]);
  for (int i = 0; i < %(num_out)d; ++i) outputs[i] = calloc(1, out_bytes[i]);
  void *workspace = malloc(%(upper)s_WORKSPACE_SIZE);
  /* The interposition itself must be seen counting: one call to each allocator, four frees. */
  counting = 1;
  void *volatile probe = malloc(16);
  free(probe);
  probe = aligned_alloc(64, 64);
  free(probe);
  void *aligned = NULL;
  if (posix_memalign(&aligned, 64, 64) == 0) free(aligned);
  probe = memalign(64, 64);
  free(probe);
  counting = 0;
  if (calls != 8) {
    printf("allocator interposition is not active (%%d of 8 calls)\n", calls);
    return 1;
  }
  calls = 0;
  /* The first run starts the runtime's worker threads (pthread_create may allocate once); every
     run after it must not touch the heap. */
  int status = %(name)s_run(inputs, outputs, workspace);
  counting = 1;
  status |= %(name)s_run(inputs, outputs, workspace);
  status |= %(name)s_run(inputs, outputs, workspace);
  counting = 0;
  printf("status %%d, heap calls during two runs after the first: %%d\n", status, calls);
  return status != 0 || calls != 0;
}
"""


# Functions through which a library could take memory at run time; NAME.a must reference none.
# (The runtime's pthread_create may map a stack on the first run, which the program allows.)
ALLOCATORS = {"malloc", "calloc", "realloc", "reallocarray", "free", "aligned_alloc",
              "posix_memalign", "memalign", "valloc", "pvalloc", "mmap", "mmap64", "sbrk", "brk",
              "_Znwm", "_Znam", "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t"}


def undefined_symbols(archive):
    """The undefined symbols of an archive's members, by `nm -u`."""
    out = subprocess.run(["nm", "-u", str(archive)], check=True, capture_output=True,
                         text=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines()
            if line.strip() and not line.endswith(":")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", help="a model name known to test/models/make_models.py")
    parser.add_argument("--dlc", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    model = make_models.make_model(args.model, 0)
    path = work / f"{args.model}.onnx"
    onnx.save(model, str(path))
    subprocess.run([args.dlc, "compile", str(path), "-o", str(work)], check=True)

    archive = work / f"lib{args.model}.a"
    referenced = sorted(undefined_symbols(archive) & ALLOCATORS)
    if referenced:
        print(f"FAIL: {archive} references {', '.join(referenced)}", file=sys.stderr)
        return 1
    print(f"{archive.name} references no allocation function")

    # Buffer sizes come from the generated header's macros.
    initializers = {t.name for t in model.graph.initializer}
    num_in = len([v for v in model.graph.input if v.name not in initializers])
    num_out = len(model.graph.output)
    upper = args.model.upper()
    source = PROGRAM % {
        "name": args.model, "upper": upper, "num_in": num_in, "num_out": num_out,
        "in_bytes": ", ".join(f"{upper}_INPUT_{i}_BYTES" for i in range(num_in)),
        "out_bytes": ", ".join(f"{upper}_OUTPUT_{i}_BYTES" for i in range(num_out))}
    (work / "no_heap.c").write_text(source)
    subprocess.run(["cc", "-O1", "-fno-builtin", "-I", str(work), str(work / "no_heap.c"),
                    str(work / f"lib{args.model}.a"), "-lm", "-lpthread", "-o", str(work / "no_heap")],
                   check=True)
    result = subprocess.run([str(work / "no_heap")], capture_output=True, text=True)
    print(result.stdout.strip())
    if result.returncode != 0:
        print(f"FAIL: {args.model}_run touched the heap or failed", file=sys.stderr)
        return 1
    print(f"PASS: {args.model}_run allocates nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
