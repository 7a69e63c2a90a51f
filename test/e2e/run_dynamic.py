# End-to-end test of bounded symbolic dimensions: compiles a model with `--max-shape`, runs the
# library at several dimension values from a C program, and compares with onnxruntime and with
# static compilations (`--shape`) of the same shapes.
"""Usage:
  python3 test/e2e/run_dynamic.py dynamic_encoder --max-shape hidden=2x5x32 \\
      --cases 1x1x32 2x5x32 2x3x32 --dlc build/bin/dlc --work build/e2e/dynamic_encoder

Each case is the shape of the model's single input. For every case the program checks
NAME_output_shape against onnxruntime's output shapes, runs NAME_run with the case's dimension
values, and runs a static compilation of the case's shape on the same input. Passing means:
  - every output is within --rtol of onnxruntime (max|a - b| / max|b|, as in run_e2e.py);
  - every output equals the static compilation's bit for bit (the specialization is the static
    compilation);
  - NAME_WORKSPACE_SIZE is at least each static compilation's workspace;
  - a dimension value of 0 or above its bound returns DLC_STATUS_BAD_DIMENSION and a null dims
    array DLC_STATUS_NULL_ARGUMENT.
Exit status: 0 pass, 1 failure, 77 skipped (the CPU lacks a feature the code needs).
"""

import argparse
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_e2e  # noqa: E402
from run_e2e import E2EError, Tensor  # noqa: E402


def parse_dims(text):
    return [int(d) for d in text.split("x")]


def header_int(header, macro):
    match = re.search(rf"#define {macro} (\d+)", header.read_text())
    if not match:
        raise E2EError(f"{header} does not define {macro}")
    return int(match.group(1))


def compile_lib(dlc, model_path, name, option, lib_dir, timeout):
    if lib_dir.exists():
        shutil.rmtree(lib_dir)
    cmd = [dlc, "compile", model_path, "--name", name, option, "-o", lib_dir]
    if run_e2e.run_command(cmd, f"dlc compile {name}", timeout=timeout).returncode != 0:
        raise E2EError(f"dlc compile {name} failed")


def symbolic_positions(model):
    """The positions of the single input's symbolic dimensions, in the order NAME_run takes
    them (dim_params in order of first appearance)."""
    dims = model.graph.input[0].type.tensor_type.shape.dim
    return [k for k, d in enumerate(dims) if not d.HasField("dim_value")]


def c_program(name, cases, n_out, ranks, positions, max_dims, dim_names, max_shape):
    """app.c: checks the header's dimension macros; per case, checks the output shapes, runs the
    dynamic and the static library and writes both outputs; then checks the statuses of bad
    dimension values."""
    lines = ["#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>",
             f'#include "{name}.h"']
    lines += [f'#include "{name}_s{i}.h"' for i in range(len(cases))]
    helpers = run_e2e.C_HELPERS.replace("%(unsupported)d", str(run_e2e.APP_EXIT_UNSUPPORTED_CPU))
    lines.append(helpers)
    m = name.upper()
    lines += ["int main(int argc, char **argv) {",
              "  const char *dir = argc > 1 ? argv[1] : \".\";",
              "  int bad = 0;",
              "  char file[256];",
              f"  _Static_assert({m}_NUM_DIMS == {len(max_dims)}, \"{m}_NUM_DIMS\");"]
    for d, (dim_name, bound) in enumerate(zip(dim_names, max_dims)):
        lines += [f"  _Static_assert({m}_DIM_{d}_MAX == {bound}, \"{m}_DIM_{d}_MAX\");",
                  f"  bad |= check_string(\"dimension {d}\", {m}_DIM_{d}_NAME, \"{dim_name}\");"]
    lines += ["  {",
              f"    static const long long got[] = {m}_INPUT_0_MAX_SHAPE, "
              f"want[] = {{{', '.join(map(str, max_shape))}}};",
              f"    bad |= check_shape(\"input 0 max\", got, sizeof got / sizeof got[0], "
              f"{m}_INPUT_0_RANK, want, {len(max_shape)});",
              "  }",
              f"  void *ws = malloc({m}_WORKSPACE_SIZE);",
              f"  void *in = malloc({m}_INPUT_0_MAX_BYTES);",
              f"  void *outs[{n_out}], *static_outs[{n_out}];",
              f"  static const size_t max_bytes[] = {{"
              + ", ".join(f"{m}_OUTPUT_{k}_MAX_BYTES" for k in range(n_out)) + "};",
              f"  for (int k = 0; k < {n_out}; ++k) {{",
              "    outs[k] = malloc(max_bytes[k]);",
              "    static_outs[k] = malloc(max_bytes[k]);",
              "  }"]
    for i, (shape, out_shapes) in enumerate(cases):
        s = f"{name}_s{i}"
        dims = ", ".join(str(shape[p]) for p in positions)
        in_bytes = int(np.prod(shape)) * 4
        lines += [f"  {{ /* case {i}: input {shape} */",
                  f"    const int64_t dims[] = {{{dims}}};",
                  "    /* NaN bytes: an output the library leaves unwritten cannot pass. */",
                  f"    for (int k = 0; k < {n_out}; ++k) {{",
                  "      memset(outs[k], 0xff, max_bytes[k]);",
                  "      memset(static_outs[k], 0xff, max_bytes[k]);",
                  "    }",
                  f"    snprintf(file, sizeof file, \"case{i}_in.bin\");",
                  f"    if (read_file(dir, file, in, {in_bytes})) return 1;"]
        for k, out_shape in enumerate(out_shapes):
            lines += ["    {",
                      f"      int64_t got[{max(ranks[k], 1)}];",
                      f"      const int64_t want[] = {{{', '.join(map(str, out_shape))}}};",
                      f"      bad |= check_status(\"{name}_output_shape\", "
                      f"{name}_output_shape(dims, {k}, got), DLC_STATUS_OK);",
                      f"      if (memcmp(got, want, sizeof want)) {{",
                      f"        fprintf(stderr, \"app: case {i}: output {k} shape differs\\n\");",
                      "        bad = 1;",
                      "      }",
                      "    }"]
        lines += ["    const void *inputs[] = {in};",
                  f"    bad |= check_status(\"{name}_run\", {name}_run(dims, inputs, outs, ws),"
                  " DLC_STATUS_OK);",
                  f"    void *sws = malloc({s.upper()}_WORKSPACE_SIZE);",
                  f"    bad |= check_status(\"{s}_run\", {s}_run(inputs, static_outs, sws),"
                  " DLC_STATUS_OK);",
                  "    free(sws);"]
        for k, out_shape in enumerate(out_shapes):
            out_bytes = int(np.prod(out_shape)) * 4
            lines += [f"    snprintf(file, sizeof file, \"case{i}_out{k}.bin\");",
                      f"    bad |= write_file(dir, file, outs[{k}], {out_bytes});",
                      f"    snprintf(file, sizeof file, \"case{i}_static{k}.bin\");",
                      f"    bad |= write_file(dir, file, static_outs[{k}], {out_bytes});"]
        lines.append("  }")
    # Values outside 1..MAX and a null dims array are rejected with a status, not a crash.
    for d, bound in enumerate(max_dims):
        for value in (0, bound + 1):
            values = ", ".join(str(value if j == d else 1) for j in range(len(max_dims)))
            lines += ["  {",
                      f"    const int64_t dims[] = {{{values}}};",
                      "    const void *inputs[] = {in};",
                      f"    bad |= check_status(\"{name}_run(dim {d} = {value})\", "
                      f"{name}_run(dims, inputs, outs, ws), DLC_STATUS_BAD_DIMENSION);",
                      "    int64_t shape[8];",
                      f"    bad |= check_status(\"{name}_output_shape(dim {d} = {value})\", "
                      f"{name}_output_shape(dims, 0, shape), DLC_STATUS_BAD_DIMENSION);",
                      "  }"]
    lines += ["  {",
              "    const void *inputs[] = {in};",
              f"    bad |= check_status(\"{name}_run(NULL dims)\", "
              f"{name}_run(NULL, inputs, outs, ws), DLC_STATUS_NULL_ARGUMENT);",
              "  }",
              "  if (!bad) printf(\"app: every case ran and every status was as expected\\n\");",
              "  return bad;",
              "}", ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="a make_models.py name with one symbolic-shaped input")
    parser.add_argument("--max-shape", required=True, help="NAME=DIMS, as dlc takes it")
    parser.add_argument("--cases", nargs="+", required=True, help="input shapes to run, AxBxC")
    parser.add_argument("--dlc", default=str(run_e2e.REPO_ROOT / "build" / "bin" / "dlc"))
    parser.add_argument("--cc", default="cc")
    parser.add_argument("--work", default=None)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    work = Path(args.work or f"build/e2e/{args.model}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        model_path, name = run_e2e.resolve_model(args.model, work, 0)
        model = onnx.load(str(model_path))
        input_name = model.graph.input[0].name
        positions = symbolic_positions(model)
        max_dims = [parse_dims(args.max_shape.split("=", 1)[1])[p] for p in positions]

        compile_lib(args.dlc, model_path, name, f"--max-shape={args.max_shape}",
                    work / "dynamic", args.timeout)
        header = work / "dynamic" / f"{name}.h"
        cases, static_workspaces = [], []
        for i, text in enumerate(args.cases):
            shape = parse_dims(text)
            value = run_e2e.make_inputs(model, [Tensor(input_name, np.dtype(np.float32), shape)],
                                        seed=i)[0]
            (work / f"case{i}_in.bin").write_bytes(value.tobytes())
            reference = run_e2e.reference_outputs(model_path, [Tensor(input_name, None, shape)],
                                                  [value])
            cases.append((shape, [list(r.shape) for r in reference], reference))
            s = f"{name}_s{i}"
            compile_lib(args.dlc, model_path, s, f"--shape={input_name}={text}",
                        work / s, args.timeout)
            static_workspaces.append(header_int(work / s / f"{s}.h",
                                                f"{s.upper()}_WORKSPACE_SIZE"))

        workspace = header_int(header, f"{name.upper()}_WORKSPACE_SIZE")
        if workspace < max(static_workspaces):
            raise E2EError(f"{name.upper()}_WORKSPACE_SIZE is {workspace}, less than a static "
                           f"compilation's {max(static_workspaces)}")
        print(f"workspace: {workspace} bytes (static compilations: {static_workspaces})")

        ranks = [len(s) for s in cases[0][1]]
        app_c = work / "app.c"
        dims = model.graph.input[0].type.tensor_type.shape.dim
        dim_names = [dims[p].dim_param for p in positions]
        max_shape = parse_dims(args.max_shape.split("=", 1)[1])
        app_c.write_text(c_program(name, [(c[0], c[1]) for c in cases], len(ranks), ranks,
                                   positions, max_dims, dim_names, max_shape))
        cmd = [args.cc, "-O2", "-std=c11", "-Wall", "-Werror", f"-I{work / 'dynamic'}"]
        cmd += [f"-I{work / f'{name}_s{i}'}" for i in range(len(cases))]
        cmd += [app_c, work / "dynamic" / f"lib{name}.a"]
        cmd += [work / f"{name}_s{i}" / f"lib{name}_s{i}.a" for i in range(len(cases))]
        cmd += ["-lm", "-lpthread", "-o", work / "app"]
        if run_e2e.run_command(cmd, "cc").returncode != 0:
            raise E2EError("compiling the test program failed")
        if not run_e2e.run_app(work / "app", work, args.timeout):
            print("SKIP: the library needs a CPU feature this machine lacks")
            return run_e2e.EXIT_SKIP

        ok = True
        for i, (shape, _, reference) in enumerate(cases):
            for k, want in enumerate(reference):
                got = np.fromfile(work / f"case{i}_out{k}.bin", np.float32).reshape(want.shape)
                static = np.fromfile(work / f"case{i}_static{k}.bin",
                                     np.float32).reshape(want.shape)
                ok &= run_e2e.compare(f"case {shape} output {k} vs onnxruntime", got, want,
                                      args.rtol)
                same = np.array_equal(got.view(np.uint32), static.view(np.uint32))
                print(f"{'ok  ' if same else 'FAIL'} case {shape} output {k}: "
                      f"{'bitwise equal to' if same else 'differs from'} the static compilation")
                ok &= same
        if not ok:
            raise E2EError("some outputs differ")
    except E2EError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
