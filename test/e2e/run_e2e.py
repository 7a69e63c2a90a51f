# End-to-end test: compiles ONNX models with `dlc compile`, links the archives into a generated C
# program, runs it on random inputs and compares every output with onnxruntime (CPU) or ONNX's
# reference evaluator (--reference).
"""Usage:
  python3 test/e2e/run_e2e.py small_cnn --dlc build/bin/dlc --work build/e2e/small_cnn
  python3 test/e2e/run_e2e.py path/to/model.onnx [--rtol 1e-3] [--target x86-64-v3]
  python3 test/e2e/run_e2e.py --two-models          # small_cnn + mlp linked into one program
  python3 test/e2e/run_e2e.py small_cnn mlp          # the same, with any list of models

Tolerance: for each output, err = max|a - b| / max|b| (a: dlc, b: the reference; the denominator is
1 when b is all zeros; non-finite elements are left out of it). The output passes when
err <= --rtol and a has NaN/Inf exactly where b has the same (NaN where b has NaN, an inf of b's
sign where b has one).
Integer and bool outputs must match exactly. The per-element relative error
max |a - b| / max(|b|, 1e-3 * max|b|) is printed for information only.

Exit status: 0 pass, 1 failure (message on stderr), 77 skipped (the library reported
DLC_STATUS_UNSUPPORTED_CPU for this machine; use ctest's SKIP_RETURN_CODE 77).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "test" / "models"))
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import make_models  # noqa: E402

EXIT_SKIP = 77
APP_EXIT_UNSUPPORTED_CPU = 77


class E2EError(Exception):
    """A failure with a message meant for the user."""


@dataclass
class Tensor:
    name: str
    dtype: np.dtype
    shape: list


@dataclass
class Library:
    """One model compiled into DIR/libNAME.a + DIR/NAME.h, with its inputs and references."""
    name: str
    model_path: Path
    lib_dir: Path
    file_prefix: str
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    input_values: list = field(default_factory=list)
    reference: list = field(default_factory=list)

    @property
    def macro(self):
        return self.name.upper()


# ---------------------------------------------------------------------------------------------
# Models, inputs and the onnxruntime reference
# ---------------------------------------------------------------------------------------------

def c_identifier(text):
    ident = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return "m_" + ident if not ident or ident[0].isdigit() else ident


def resolve_model(spec, work, model_seed):
    """Returns (model path, library name) for a make_models name or an .onnx path."""
    if spec in make_models.MODELS:
        path = work / f"{spec}.onnx"
        make_models.save_model(spec, str(path), model_seed)
        return path, spec
    path = Path(spec)
    if not path.is_file():
        raise E2EError(f"{spec!r} is neither a known model ({', '.join(make_models.MODELS)}) "
                       "nor an existing .onnx file")
    return path.resolve(), c_identifier(path.stem)


def tensor_list(value_infos):
    result = []
    for vi in value_infos:
        ttype = vi.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in ttype.shape.dim]
        if any(d is None for d in dims):
            raise E2EError(f"tensor {vi.name!r} has a dynamic shape; e2e needs static shapes")
        dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(ttype.elem_type))
        result.append(Tensor(vi.name, dtype, dims))
    return result


def graph_signature(model):
    """Graph inputs (initializers excluded) and outputs as Tensor lists."""
    init_names = {t.name for t in model.graph.initializer}
    inputs = [vi for vi in model.graph.input if vi.name not in init_names]
    return tensor_list(inputs), tensor_list(model.graph.output)


def index_bound(model, input_name):
    """Upper bound (exclusive) for integer input values: the smallest Gather table it indexes."""
    shapes = {t.name: list(t.dims) for t in model.graph.initializer}
    bounds = []
    for node in model.graph.node:
        if node.op_type == "Gather" and len(node.input) > 1 and node.input[1] == input_name:
            axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
            table = shapes.get(node.input[0])
            if table:
                bounds.append(table[axis])
    return min(bounds) if bounds else 2


def make_inputs(model, inputs, seed):
    """Random inputs: N(0,1) floats, integers in range for the Gather they feed (bytes that feed
    no Gather over their whole range), random bools."""
    rng = np.random.default_rng(seed)
    values = []
    for t in inputs:
        if t.dtype == np.bool_:
            values.append(rng.integers(0, 2, t.shape).astype(np.bool_))
        elif t.dtype in (np.int8, np.uint8) and index_bound(model, t.name) == 2:
            # Bytes that index nothing (quantized activations) take their whole range.
            info = np.iinfo(t.dtype)
            values.append(rng.integers(info.min, info.max + 1, t.shape).astype(t.dtype))
        elif np.issubdtype(t.dtype, np.integer):
            values.append(rng.integers(0, index_bound(model, t.name), t.shape).astype(t.dtype))
        else:
            values.append(rng.standard_normal(t.shape).astype(t.dtype))
    return values


def cpu_has(flag):
    """Whether /proc/cpuinfo lists `flag` ("avx512_vnni") for this machine's CPU."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return any(line.startswith("flags") and flag in line.split() for line in cpuinfo)
    except OSError:
        return False


def reference_outputs(model_path, inputs, values, reference="onnxruntime"):
    """The outputs to compare with, from `reference`:
      onnxruntime       its graph unoptimized (as the ONNX ops define them);
      onnxruntime-int8  with every optimization, where a QDQ model runs on onnxruntime's int8
                        kernels. On a CPU without AVX512-VNNI dlc computes a QDQ model's products
                        in fp32 on the dequantized values, and onnxruntime's AVX2 u8s8 kernels
                        add pairs of products in saturating int16 (vpmaddubsw: a MatMulInteger
                        0.11 of its largest output off the exact sums), so `onnx` is used there;
      onnx              ONNX's reference evaluator (numpy: exact integer sums, QDQ as float math),
                        on the model converted to opset 19 where it is older (the evaluator
                        implements DequantizeLinear from 19 on)."""
    feed = {t.name: v for t, v in zip(inputs, values)}
    if reference == "onnxruntime-int8" and not cpu_has("avx512_vnni"):
        print("note: this CPU has no AVX512-VNNI: comparing with ONNX's reference evaluator, not "
              "onnxruntime's int8 kernels")
        reference = "onnx"
    if reference == "onnx":
        from onnx import version_converter
        from onnx.reference import ReferenceEvaluator
        model = onnx.load(str(model_path))
        opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
        if opset < 19:
            model = version_converter.convert_version(model, 19)
        return ReferenceEvaluator(model).run(None, feed)
    options = ort.SessionOptions()
    options.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                                        if reference == "onnxruntime-int8"
                                        else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    return session.run(None, feed)


# ---------------------------------------------------------------------------------------------
# dlc compile and the C program
# ---------------------------------------------------------------------------------------------

def run_command(cmd, what, cwd=None, timeout=None):
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    try:
        proc = subprocess.run([str(c) for c in cmd], cwd=cwd, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except FileNotFoundError as exc:
        raise E2EError(f"{what}: cannot run {cmd[0]}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise E2EError(f"{what}: timed out after {timeout} s") from exc
    if proc.stdout.strip():
        print(proc.stdout.rstrip())
    return proc


def dlc_options(args, run=False):
    """The options of dlc compile (or of dlc run, which compiles for this machine) that the
    command line passes on."""
    precision = [f"--precision={args.precision}"] if args.precision else []
    if run:
        return precision
    return ([f"--target={args.target}"] if args.target else []) + precision + args.dlc_flag


def compile_model(dlc, lib, timeout, options):
    """Runs dlc compile into a fresh directory and checks it wrote exactly libNAME.a and NAME.h."""
    if lib.lib_dir.exists():
        shutil.rmtree(lib.lib_dir)
    cmd = [dlc, "compile", lib.model_path, *options, "--name", lib.name, "-o", lib.lib_dir]
    proc = run_command(cmd, f"dlc compile {lib.name}", timeout=timeout)
    if proc.returncode != 0:
        raise E2EError(f"dlc compile {lib.name} failed with exit status {proc.returncode}")
    expected = {f"lib{lib.name}.a", f"{lib.name}.h"}
    found = {p.name for p in lib.lib_dir.iterdir()} if lib.lib_dir.is_dir() else set()
    if found != expected:
        raise E2EError(f"dlc compile {lib.name} wrote {sorted(found)} in {lib.lib_dir}; "
                       f"the contract is exactly {sorted(expected)}")


C_HELPERS = r"""
static int read_file(const char *dir, const char *file, void *buf, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "app: cannot open %s\n", path); return 1; }
  size_t got = fread(buf, 1, bytes, f);
  int extra = fgetc(f);
  fclose(f);
  if (got != bytes || extra != EOF) {
    fprintf(stderr, "app: %s does not hold exactly %zu bytes\n", path, bytes);
    return 1;
  }
  return 0;
}

static int write_file(const char *dir, const char *file, const void *buf, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(buf, 1, bytes, f) != bytes) {
    fprintf(stderr, "app: cannot write %s\n", path);
    if (f) fclose(f);
    return 1;
  }
  return fclose(f) != 0;
}

static int check_string(const char *what, const char *got, const char *want) {
  if (strcmp(got, want) != 0) {
    fprintf(stderr, "app: %s is \"%s\", expected \"%s\"\n", what, got, want);
    return 1;
  }
  return 0;
}

static int check_shape(const char *what, const long long *got, size_t rank, size_t macro_rank,
                       const long long *want, size_t want_rank) {
  int bad = rank != macro_rank || rank != want_rank;
  for (size_t i = 0; !bad && i < rank; ++i) bad = got[i] != want[i];
  if (bad) fprintf(stderr, "app: %s shape/rank macros do not match the model\n", what);
  return bad;
}

static int check_status(const char *what, int status, int want) {
  if (status == DLC_STATUS_UNSUPPORTED_CPU && want == DLC_STATUS_OK) {
    fprintf(stderr, "app: %s: DLC_STATUS_UNSUPPORTED_CPU on this machine\n", what);
    exit(%(unsupported)d);
  }
  if (status != want) {
    fprintf(stderr, "app: %s returned status %d, expected %d\n", what, status, want);
    return 1;
  }
  return 0;
}
"""


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_tensor_checks(lib, kind, index, tensor):
    """C statements checking the header's metadata macros for one input/output."""
    m = f"{lib.macro}_{kind}_{index}"
    label = c_string(f"{lib.name} {kind.lower()} {index}")
    numel = int(np.prod(tensor.shape, dtype=np.int64))
    lines = [
        f"  _Static_assert({m}_NUMEL == {numel}, \"{m}_NUMEL\");",
        f"  _Static_assert({m}_BYTES == {numel * tensor.dtype.itemsize}, \"{m}_BYTES\");",
        f"  bad |= check_string({label} \" name\", {m}_NAME, {c_string(tensor.name)});",
        f"  bad |= check_string({label} \" dtype\", {m}_DTYPE, {c_string(tensor.dtype.name)});",
    ]
    if tensor.shape:  # an empty brace initializer is not C11
        want = ", ".join(str(d) for d in tensor.shape)
        lines += [
            "  {",
            f"    static const long long got[] = {m}_SHAPE, want[] = {{{want}}};",
            f"    bad |= check_shape({label}, got, sizeof got / sizeof got[0], {m}_RANK,",
            f"                       want, {len(tensor.shape)});",
            "  }",
        ]
    else:
        lines.append(f"  _Static_assert({m}_RANK == 0, \"{m}_RANK\");")
    return lines


def c_run_function(lib):
    """A C function that checks one library's macros, runs it twice and writes its outputs."""
    n_in, n_out = len(lib.inputs), len(lib.outputs)
    m, p = lib.macro, lib.file_prefix
    in_bytes = ", ".join(f"{m}_INPUT_{i}_BYTES" for i in range(n_in)) or "0"
    out_bytes = ", ".join(f"{m}_OUTPUT_{k}_BYTES" for k in range(n_out)) or "0"
    lines = [
        f"static int run_{lib.name}(const char *dir) {{",
        "  int bad = 0;",
        f"  _Static_assert({m}_NUM_INPUTS == {n_in}, \"{m}_NUM_INPUTS\");",
        f"  _Static_assert({m}_NUM_OUTPUTS == {n_out}, \"{m}_NUM_OUTPUTS\");",
    ]
    for i, t in enumerate(lib.inputs):
        lines += c_tensor_checks(lib, "INPUT", i, t)
    for k, t in enumerate(lib.outputs):
        lines += c_tensor_checks(lib, "OUTPUT", k, t)
    lines += [
        "  if (bad) return 1;",
        f"  static const size_t in_bytes[] = {{{in_bytes}}};",
        f"  static const size_t out_bytes[] = {{{out_bytes}}};",
        f"  void *in_buf[{max(n_in, 1)}] = {{0}};",
        f"  const void *inputs[{max(n_in, 1)}] = {{0}};",
        f"  void *outputs[{max(n_out, 1)}] = {{0}}, *outputs2[{max(n_out, 1)}] = {{0}};",
        "  char file[256];",
        f"  for (int i = 0; i < {n_in}; ++i) {{",
        "    in_buf[i] = malloc(in_bytes[i] ? in_bytes[i] : 1);",
        "    if (!in_buf[i]) return 1;",
        f"    snprintf(file, sizeof file, \"{p}in%d.bin\", i);",
        "    if (read_file(dir, file, in_buf[i], in_bytes[i])) return 1;",
        "    inputs[i] = in_buf[i];",
        "  }",
        f"  for (int k = 0; k < {n_out}; ++k) {{",
        "    outputs[k] = malloc(out_bytes[k] ? out_bytes[k] : 1);",
        "    outputs2[k] = malloc(out_bytes[k] ? out_bytes[k] : 1);",
        "    if (!outputs[k] || !outputs2[k]) return 1;",
        "    memset(outputs[k], 0xff, out_bytes[k]);",
        "    memset(outputs2[k], 0xff, out_bytes[k]);",
        "  }",
        "  /* One spare byte: the second run uses a deliberately misaligned workspace. */",
        f"  unsigned char *ws = malloc((size_t){m}_WORKSPACE_SIZE + 1);",
        "  if (!ws) { fprintf(stderr, \"app: cannot allocate the workspace\\n\"); return 1; }",
        f"  bad |= check_status(\"{lib.name}_run\", {lib.name}_run(inputs, outputs, ws),",
        "                      DLC_STATUS_OK);",
    ]
    infer_args = [f"in_buf[{i}]" for i in range(n_in)] + [f"outputs2[{k}]" for k in range(n_out)]
    infer_args = ", ".join(infer_args + ["ws + 1"])
    lines += [
        f"  bad |= check_status(\"{lib.name}_infer\", {lib.name}_infer({infer_args}),",
        "                      DLC_STATUS_OK);",
    ]
    if n_in:
        lines.append(f"  bad |= check_status(\"{lib.name}_run(NULL inputs)\", "
                     f"{lib.name}_run(NULL, outputs2, ws), DLC_STATUS_NULL_ARGUMENT);")
    if n_out:
        lines.append(f"  bad |= check_status(\"{lib.name}_run(NULL outputs)\", "
                     f"{lib.name}_run(inputs, NULL, ws), DLC_STATUS_NULL_ARGUMENT);")
    lines += [
        f"  for (int k = 0; k < {n_out}; ++k) {{",
        f"    snprintf(file, sizeof file, \"{p}out%d.bin\", k);",
        "    bad |= write_file(dir, file, outputs[k], out_bytes[k]);",
        f"    snprintf(file, sizeof file, \"{p}out%d.infer.bin\", k);",
        "    bad |= write_file(dir, file, outputs2[k], out_bytes[k]);",
        "    free(outputs[k]);",
        "    free(outputs2[k]);",
        "  }",
        f"  for (int i = 0; i < {n_in}; ++i) free(in_buf[i]);",
        "  free(ws);",
        "  return bad;",
        "}",
    ]
    return "\n".join(lines)


def c_program(libs):
    """The whole app.c: includes every library's header and runs each library in turn."""
    parts = ["/* Generated by test/e2e/run_e2e.py: runs " + ", ".join(l.name for l in libs) + ".",
             "   Usage: app DIR (reads DIR/<prefix>in<i>.bin, writes DIR/<prefix>out<k>.bin). */",
             "#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>"]
    parts += [f'#include "{lib.name}.h"' for lib in libs]
    parts.append(C_HELPERS.replace("%(unsupported)d", str(APP_EXIT_UNSUPPORTED_CPU)))
    parts += [c_run_function(lib) + "\n" for lib in libs]
    parts += ["int main(int argc, char **argv) {",
              "  const char *dir = argc > 1 ? argv[1] : \".\";",
              "  int bad = 0;"]
    # A library that cannot run here says why (NAME_check_cpu); its NAME_run must then return
    # DLC_STATUS_UNSUPPORTED_CPU, which check_status turns into the app's skip status.
    parts += ["  char why[256];"]
    for lib in libs:
        parts += [f"  if ({lib.name}_check_cpu(why, sizeof why) != DLC_STATUS_OK)",
                  f"    printf(\"app: {lib.name} cannot run on this machine: %s\\n\", why);"]
    parts += [f"  bad |= run_{lib.name}(dir);" for lib in libs]
    parts += ["  if (!bad) printf(\"app: all runs returned DLC_STATUS_OK\\n\");",
              "  return bad ? 1 : 0;", "}", ""]
    return "\n".join(parts)


def build_app(cc, libs, work):
    app_c, app = work / "app.c", work / "app"
    app_c.write_text(c_program(libs))
    cmd = [cc, "-O2", "-std=c11", "-Wall", "-Werror"]
    cmd += [f"-I{lib.lib_dir}" for lib in libs]
    cmd += [app_c] + [lib.lib_dir / f"lib{lib.name}.a" for lib in libs]
    cmd += ["-lm", "-lpthread", "-o", app]
    proc = run_command(cmd, "cc")
    if proc.returncode != 0:
        raise E2EError(f"compiling/linking {app_c} failed (exit status {proc.returncode})")
    return app


def run_app(app, work, timeout, unsupported_reason=None):
    """Runs the app; False when a library reported DLC_STATUS_UNSUPPORTED_CPU. With
    `unsupported_reason`, the reason the app printed for it must contain that text."""
    proc = run_command([app, work], "app", timeout=timeout)
    if proc.returncode == APP_EXIT_UNSUPPORTED_CPU:
        if unsupported_reason is not None and unsupported_reason not in proc.stdout:
            raise E2EError(f"the library's reason for DLC_STATUS_UNSUPPORTED_CPU does not say "
                           f"\"{unsupported_reason}\"")
        return False
    if proc.returncode < 0:
        raise E2EError(f"{app} was killed by signal {-proc.returncode}")
    if proc.returncode != 0:
        raise E2EError(f"{app} failed with exit status {proc.returncode}")
    return True


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------

def compare(label, got, want, rtol):
    """Prints the errors of one output; returns True when it passes (see the module docstring)."""
    if got.shape != want.shape or got.dtype != want.dtype:
        print(f"FAIL {label}: got {got.dtype}{list(got.shape)}, "
              f"expected {want.dtype}{list(want.shape)}")
        return False
    if not np.issubdtype(want.dtype, np.floating):
        mismatches = int(np.count_nonzero(got != want))
        print(f"{'ok  ' if mismatches == 0 else 'FAIL'} {label}: {mismatches} mismatching elements")
        return mismatches == 0
    a, b = got.astype(np.float64), want.astype(np.float64)
    finite = np.isfinite(a) & np.isfinite(b)
    same_nonfinite = (a == b) | (np.isnan(a) & np.isnan(b))
    bad_nonfinite = int(np.count_nonzero(~finite & ~same_nonfinite))
    diff = np.abs(a[finite] - b[finite])
    max_abs = float(diff.max()) if diff.size else 0.0
    max_ref = float(np.abs(b[finite]).max()) if diff.size else 0.0
    scale = max_ref if max_ref > 0 else 1.0
    err = max_abs / scale
    elem_rel = 0.0
    if diff.size:
        elem_rel = float((diff / np.maximum(np.abs(b[finite]), 1e-3 * scale)).max())
    ok = err <= rtol and bad_nonfinite == 0
    print(f"{'ok  ' if ok else 'FAIL'} {label}: max|a-b| = {max_abs:.3e}, max|b| = {max_ref:.3e}, "
          f"err = max|a-b|/max|b| = {err:.3e} (rtol {rtol:g}), "
          f"max elementwise rel = {elem_rel:.3e}, non-finite = {bad_nonfinite}")
    return ok


def check_outputs(lib, work, rtol):
    ok = True
    for k, (t, want) in enumerate(zip(lib.outputs, lib.reference)):
        for suffix, how in (("", "_run"), (".infer", "_infer, misaligned workspace")):
            path = work / f"{lib.file_prefix}out{k}{suffix}.bin"
            got = np.fromfile(path, dtype=t.dtype)
            if got.size != want.size:
                print(f"FAIL {lib.name} output {k}: {path} has {got.size} elements, "
                      f"expected {want.size}")
                ok = False
                continue
            ok &= compare(f"{lib.name} output {k} \"{t.name}\" ({lib.name}{how})",
                          got.reshape(want.shape), want, rtol)
    return ok


def check_dlc_run(dlc, lib, work, rtol, timeout, options):
    """Optionally also checks `dlc run MODEL INPUT... --output-dir DIR` against the reference."""
    out_dir = work / f"{lib.file_prefix}dlc_run"
    shutil.rmtree(out_dir, ignore_errors=True)
    inputs = [work / f"{lib.file_prefix}in{i}.npy" for i in range(len(lib.inputs))]
    proc = run_command([dlc, "run", lib.model_path, *inputs, "--output-dir", out_dir, *options],
                       f"dlc run {lib.name}", timeout=timeout)
    if proc.returncode != 0:
        raise E2EError(f"dlc run {lib.name} failed with exit status {proc.returncode}")
    ok = True
    for k, want in enumerate(lib.reference):
        path = out_dir / f"output_{k}.npy"
        if not path.is_file():
            raise E2EError(f"dlc run {lib.name} did not write {path}")
        ok &= compare(f"{lib.name} output {k} (dlc run)", np.load(path), want, rtol)
    return ok


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------

def prepare_library(spec, work, args, prefix):
    path, name = resolve_model(spec, work, args.model_seed)
    lib = Library(name=name, model_path=path, lib_dir=work / f"lib_{name}", file_prefix=prefix)
    model = onnx.load(str(path))
    lib.inputs, lib.outputs = graph_signature(model)
    lib.input_values = make_inputs(model, lib.inputs, args.seed)
    for i, value in enumerate(lib.input_values):
        value.tofile(work / f"{prefix}in{i}.bin")
        np.save(work / f"{prefix}in{i}.npy", value)
    lib.reference = reference_outputs(path, lib.inputs, lib.input_values, args.reference)
    return lib


def run(args, work):
    specs = ["small_cnn", "mlp"] if args.two_models else args.models
    if not specs:
        raise E2EError("give a model name or .onnx path, or --two-models")
    several = len(specs) > 1
    libs = []
    for spec in specs:
        prefix = ""
        if several:
            prefix = c_identifier(Path(spec).stem if spec.endswith(".onnx") else spec) + "_"
        libs.append(prepare_library(spec, work, args, prefix))
    names = [lib.name for lib in libs]
    if len(set(names)) != len(names):
        raise E2EError(f"library names must differ: {names}")
    for lib in libs:
        if not args.prebuilt:
            compile_model(args.dlc, lib, args.timeout, dlc_options(args))
        elif not (lib.lib_dir / f"lib{lib.name}.a").is_file():
            raise E2EError(f"--prebuilt: {lib.lib_dir} holds no lib{lib.name}.a")
    app = build_app(args.cc, libs, work)
    if not run_app(app, work, args.timeout, args.expect_unsupported_cpu):
        if args.expect_unsupported_cpu is not None:
            print(f"ok   DLC_STATUS_UNSUPPORTED_CPU, and the reason says "
                  f"\"{args.expect_unsupported_cpu}\"")
            return 0
        print(f"SKIP: the library does not support this CPU (target {args.target or 'default'})")
        return EXIT_SKIP
    ok = all([check_outputs(lib, work, args.rtol) for lib in libs])
    if args.check_dlc_run:
        ok = all([check_dlc_run(args.dlc, lib, work, args.rtol, args.timeout,
                                dlc_options(args, run=True))
                  for lib in libs]) and ok
    if not ok:
        raise E2EError(f"outputs of {', '.join(names)} do not match the reference "
                       f"({args.reference}, rtol {args.rtol:g})")
    print(f"PASS: {', '.join(names)}")
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Compile ONNX models with dlc, run them from C and compare with onnxruntime.")
    parser.add_argument("models", nargs="*",
                        help=f"model names ({', '.join(make_models.MODELS)}) or .onnx paths; "
                             "several are linked into one program")
    parser.add_argument("--two-models", action="store_true",
                        help="link small_cnn and mlp into one C program and check both")
    parser.add_argument("--dlc", default=os.environ.get("DLC", str(REPO_ROOT / "build/bin/dlc")),
                        help="the dlc binary (default: $DLC or build/bin/dlc)")
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"),
                        help="C compiler (default: $CC or cc)")
    parser.add_argument("--work",
                        help="working directory (default: a temporary one, removed on success)")
    parser.add_argument("--target", help="passed as --target= to dlc compile")
    parser.add_argument("--rtol", type=float, default=1e-3,
                        help="pass if max|a-b| <= rtol * max|b| per output (default 1e-3)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the random inputs (default 0)")
    parser.add_argument("--model-seed", type=int, default=0,
                        help="seed of the model weights (default 0)")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds per command (default 3600)")
    parser.add_argument("--reference", default="onnxruntime",
                        choices=["onnxruntime", "onnxruntime-int8", "onnx"],
                        help="what the outputs are compared with (reference_outputs says each; "
                             "default onnxruntime, its graph unoptimized)")
    parser.add_argument("--precision", choices=["fp32", "bf16"],
                        help="passed to dlc compile and dlc run (default: dlc's, fp32)")
    parser.add_argument("--dlc-flag", action="append", default=[],
                        help="one more option for dlc compile (repeatable)")
    parser.add_argument("--prebuilt", action="store_true",
                        help="link the libraries dlc compiled before into WORK/lib_NAME "
                             "(elsewhere: a machine without dlc) instead of compiling")
    parser.add_argument("--expect-unsupported-cpu", metavar="TEXT",
                        help="where the library cannot run on this machine, pass when its "
                             "reason (NAME_check_cpu) contains TEXT instead of skipping; where it "
                             "can, compare its outputs as usual")
    parser.add_argument("--check-dlc-run", action="store_true",
                        help="also run `dlc run` on the same inputs and compare its outputs")
    args = parser.parse_args(argv)
    args.dlc = str(Path(args.dlc).resolve()) if os.sep in args.dlc else args.dlc
    return args


def main(argv=None):
    args = parse_args(argv)
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="dlc-e2e-") if temporary else args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        status = run(args, work)
    except E2EError as exc:
        print(f"FAIL: {exc} (files kept in {work})", file=sys.stderr)
        return 1
    if temporary:
        shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
