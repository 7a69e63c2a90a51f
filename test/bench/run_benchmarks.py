# Benchmarks dlc against onnxruntime (CPU, 1 and 2 threads) on whole models and on single GEMMs and
# convolutions, and those single ops against oneDNN; checks that dlc's outputs agree with
# onnxruntime's, and writes docs/benchmarks.md (plus the same to stdout).
"""Usage:
  python3 test/bench/run_benchmarks.py                      # all models, writes docs/benchmarks.md
  python3 test/bench/run_benchmarks.py --models mlp_large,mobilenetv2 --quick --out /tmp/b.md
  python3 test/bench/run_benchmarks.py --no-onednn          # without the oneDNN comparison

For each model: the model is built with test/models/make_models.py (cached in build/bench/ and
rebuilt when make_models.py is newer), random inputs are written as .npy (seed 1), and
  * `dlc inspect` gives the FLOP estimate of one run,
  * `dlc run` on the .npy inputs gives dlc's outputs, compared with onnxruntime's:
    err = max|a - b| / max|b| per output must be <= 1e-3 (and no NaN/Inf where onnxruntime has none),
  * `dlc bench --threads=T --json` times N runs of NAME_run, at 1 and 2 threads,
  * onnxruntime (CPUExecutionProvider, intra_op_num_threads 1 and 2, inter_op_num_threads 1,
    sequential execution, all graph optimizations) times the same N runs after a warm-up, each
    run timed with time.perf_counter around InferenceSession.run.
N is adaptive: at least --min-iterations and enough for --min-time seconds of the fastest
measurement, at most --max-iterations and at most --max-time seconds of dlc runs. Each `dlc bench`
compiles the model again, so N is fixed before it from a short onnxruntime probe and dlc's time in
the previous run (build/bench/NAME.last.json); dlc bench is rerun with more runs only when dlc
turned out much faster than assumed.
`dlc bench --peak` measures one core's peak of fp32 FMA, AVX512-BF16 and AVX512-VNNI
multiply-adds; GFLOP/s figures are FLOPs (integer operations for
int8 models) / median latency, and percent of peak compares with one core's peak of the
instruction the model's kind uses (MODEL_PEAK; fp32 FMA by default; two cores' peak at 2
threads). Before and after each dlc and onnxruntime timing of a model, `dlc bench --peak` runs
on the first two CPUs at once; when the slowest of either's runs reaches less than 90% of the
one-core peak (the host shares them), the timing is repeated after a pause, at most 3 times, and
the report counts repeated and never-clean timings. dlc and onnxruntime at the same thread count
are timed back to back.

dlc vs oneDNN: for each model that is a single MatMul by a constant or a single Conv with constant
weights (the gemm_* and conv_* models), test/bench/onednn_bench.cpp (compiled with `c++ -O2
-std=c++17 ... -ldnnl` into the cache) times oneDNN's fp32 primitive on the same shape, N runs
after the same warm-up, at 1 and 2 threads (OMP_NUM_THREADS: Debian's oneDNN uses OpenMP).
Activations are plain row-major / NCHW as the model feeds them; the weights are reordered once,
before timing, into the layout oneDNN picks. Convolutions are also timed with the activations in
oneDNN's own layout (the reorders not timed), its kernel alone. Where oneDNN is not installed or
onednn_bench does not compile, the report says so and everything else still runs; --no-onednn
skips it.

Exit status: 0 when every tool ran and all outputs agree (whatever the speed: benchmarks report
figures, they are not tests); 1 when outputs disagree or a tool fails (the report is still written
with what was measured). oneDNN missing or failing to compile does not count as a failure.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(REPO_ROOT / "test" / "models"))
sys.path.insert(0, str(REPO_ROOT / "test" / "e2e"))
import make_models  # noqa: E402
import run_e2e  # noqa: E402  (graph_signature, make_inputs, compare semantics)

DEFAULT_MODELS = ["resnet50", "mobilenetv2", "bert_base", "mlp_large", "gemm_1024",
                  "gemm_4096x1024x4096", "gemm_int8_1024", "qdq_mlp_large", "qdq_bert_base",
                  "conv_resnet_3x3", "conv_resnet_1x1", "conv_resnet_7x7s2", "conv_mobilenet_dw",
                  "conv_mobilenet_dw_s2"]
# The instruction whose measured peak a model's rate is compared with (default fp32 FMA).
MODEL_PEAK = {"gemm_int8_1024": "int8", "qdq_mlp_large": "int8", "qdq_bert_base": "int8"}
PEAK_NAMES = {"fp32": "fp32 FMA", "bf16": "AVX512-BF16 vdpbf16ps", "int8": "AVX512-VNNI vpdpbusd"}
# What each model is run with, for the report.
MODEL_NOTES = {
    "resnet50": "ResNet-50 v1, batch 1, 3x224x224",
    "mobilenetv2": "MobileNetV2 1.0, batch 1, 3x224x224",
    "bert_base": "BERT-base encoder (12 layers), batch 1, sequence 128",
    "mlp_large": "MLP 1024-4096-4096-1024, batch 64",
    "gemm_1024": "MatMul 1024x1024 by a constant 1024x1024 (the GEMM kernel alone)",
    "gemm_4096x1024x4096": "MatMul 4096x1024 by a constant 1024x4096 (the GEMM kernel alone)",
    "gemm_int8_1024": "MatMulInteger 1024x1024 uint8 by a constant 1024x1024 int8, int32 "
                      "result (the int8 GEMM kernel alone; its rate is in integer GOP/s, "
                      "against the vpdpbusd peak)",
    "qdq_mlp_large": "mlp_large as onnxruntime's quantize_static writes it (QDQ, uint8 "
                     "activations, per-channel int8 weights): onnxruntime runs it on its int8 "
                     "kernels",
    "qdq_bert_base": "bert_base as onnxruntime's quantize_static writes it (QDQ, uint8 "
                     "activations, per-channel int8 weights; attention's products of two "
                     "activations stay float in dlc)",
    "conv_resnet_3x3": "Conv 3x3, 64 to 64 channels, 56x56, pad 1, with bias (ResNet-50 stage 1)",
    "conv_resnet_1x1": "Conv 1x1, 256 to 64 channels, 56x56, with bias (ResNet-50 stage 1)",
    "conv_resnet_7x7s2": "Conv 7x7 stride 2, 3 to 64 channels, 224x224, pad 3, with bias "
                         "(ResNet-50 stem)",
    "conv_mobilenet_dw": "Depthwise conv 3x3, 144 channels, 56x56, pad 1, with bias (MobileNetV2)",
    "conv_mobilenet_dw_s2": "Depthwise conv 3x3 stride 2, 96 channels, 112x112, pad 1, with bias "
                            "(MobileNetV2)",
}
RTOL = 1e-3
# Quantized models: onnxruntime's int8 kernels round differently from dlc's integer products
# (and run more ops on integers), and the differences compound over layers: one quantization
# step of the MLP's output is 1/255 of its range; BERT's 12 layers end up to 10 steps apart, as
# onnxruntime's own int8 and float executions of it do.
MODEL_RTOL = {"qdq_mlp_large": 1e-2, "qdq_bert_base": 0.1}
INPUT_SEED = 1  # not 0: make_models draws weights from seed 0, and equal streams correlate


class BenchError(Exception):
    """A tool failed; the message is meant for the user."""


@dataclass
class Timing:
    median_ms: float
    p90_ms: float
    iterations: int


@dataclass
class OneDnn:
    """oneDNN's timings of one model's single op, keyed by (layout, threads)."""
    shape: str                                   # onednn_bench's SHAPE argument
    flops: float = None
    timings: dict = field(default_factory=dict)  # ("plain" | "any", threads) -> Timing
    kernels: dict = field(default_factory=dict)  # ("plain" | "any", threads) -> implementation
    failure: str = None


@dataclass
class Result:
    name: str
    flops: float = None
    iterations: int = 0
    dlc: Timing = None   # 1 thread
    dlc2: Timing = None  # 2 threads
    ort: dict = field(default_factory=dict)  # threads -> Timing
    errors: list = field(default_factory=list)  # (output name, err, non-finite count)
    agree: bool = None
    failure: str = None
    warmup: int = 0
    onednn: OneDnn = None  # for single-op models, when oneDNN ran
    workspace: tuple = None  # (planned bytes, lower bound bytes) from `dlc compile --stats`


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def log(message):
    print(message, file=sys.stderr, flush=True)


def run_tool(cmd, what, timeout, stderr=False):
    """Runs a command; returns its stdout (or its stderr); raises BenchError on failure."""
    log("+ " + " ".join(shlex.quote(str(c)) for c in cmd))
    try:
        proc = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=timeout)
    except FileNotFoundError as exc:
        raise BenchError(f"{what}: cannot run {cmd[0]}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{what}: timed out after {timeout} s") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-10:]
        raise BenchError(f"{what} failed with exit status {proc.returncode}:\n  "
                         + "\n  ".join(tail))
    return proc.stderr if stderr else proc.stdout


def percentile(sorted_values, q):
    """The value at index round(q * (n - 1)) of sorted values, as `dlc bench` computes it."""
    return sorted_values[min(len(sorted_values) - 1, int(q * (len(sorted_values) - 1) + 0.5))]


def dlc_description(dlc):
    """`dlc --version`, the binary's modification time and the source tree's commit."""
    try:
        version = subprocess.run([dlc, "--version"], stdout=subprocess.PIPE, text=True,
                                 timeout=60).stdout.strip() or "unknown version"
    except (OSError, subprocess.SubprocessError):
        version = "unknown version"
    try:
        built = datetime.datetime.fromtimestamp(Path(dlc).stat().st_mtime)
        version += f", binary {dlc} built {built:%Y-%m-%d %H:%M}"
    except OSError:
        pass
    try:
        git = ["git", "-C", str(REPO_ROOT)]
        commit = subprocess.run(git + ["rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(git + ["status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        version += (f"; the checkout was at {commit}"
                    + (" with uncommitted changes" if dirty else "") + " when this ran")
    except (OSError, subprocess.CalledProcessError):
        pass
    return version


def machine_description():
    model, cores = platform.processor() or "unknown CPU", os.cpu_count()
    try:
        out = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        model = fields.get("Model name", model)
        per_socket = int(fields.get("Core(s) per socket", "0") or 0)
        sockets = int(fields.get("Socket(s)", "1") or 1)
        threads = int(fields.get("Thread(s) per core", "1") or 1)
        if per_socket:
            cores = per_socket * sockets
        # The family and model numbers tell CPUs apart that share a name (a Zen 4 EPYC from a
        # Zen 5 one, a hypervisor's "Intel Xeon Processor").
        family = (f", family {fields['CPU family']} model {fields['Model']}"
                  if "CPU family" in fields and "Model" in fields else "")
        return f"{model}, {cores} cores ({cores * threads} hardware threads){family}"
    except (OSError, subprocess.CalledProcessError, ValueError):
        return f"{model}, {cores} logical CPUs"


def busy_cpu_seconds():
    """CPU seconds all processes have used (from /proc/stat), or None where unavailable."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        # user nice system idle iowait irq softirq steal ...
        ticks = [int(x) for x in fields[1:9]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def own_cpu_seconds():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


# ---------------------------------------------------------------------------------------------
# Peak
# ---------------------------------------------------------------------------------------------

def peak_command(dlc):
    """The command that times one core's peaks: `dlc bench --peak --json`."""
    return [str(dlc), "bench", "--peak", "--json"]


def read_peaks(out):
    """{kind: (best, slowest)} in G(FL)OP/s and the fp32 instruction, from the JSON object
    `dlc bench --peak --json` prints."""
    try:
        report = json.loads(out)
    except json.JSONDecodeError as exc:
        raise BenchError(f"dlc bench --peak printed no JSON ({exc}):\n{out}")
    rates = {p["kind"]: (p["ops_per_s"] * 1e-9, p["slowest_ops_per_s"] * 1e-9)
             for p in report["peaks"]}
    isa = next((p["instruction"] for p in report["peaks"] if p["kind"] == "fp32"), "unknown")
    return rates, isa


def measure_peak(dlc, timeout, runs=3):
    """Runs `dlc bench --peak` `runs` times; returns the best rate of each instruction it
    measured ({"fp32": GFLOP/s, "bf16": GFLOP/s, "int8": GOP/s}, the last two where the CPU has
    them) and the fp32 instruction it used."""
    peaks, isa = {}, "unknown"
    for _ in range(runs):
        rates, isa = read_peaks(run_tool(peak_command(dlc), "dlc bench --peak", timeout))
        for kind, (best, _) in rates.items():
            peaks[kind] = max(peaks.get(kind, 0.0), best)
    if "fp32" not in peaks:
        raise BenchError("dlc bench --peak found no fp32 FMA (neither AVX-512 nor AVX2+FMA)")
    return peaks, isa


def peak_of(name, peaks):
    """The peak a model's rate is compared with (fp32 FMA unless MODEL_PEAK names another)."""
    return peaks.get(MODEL_PEAK.get(name, "fp32"), peaks["fp32"])


# Every core must deliver this share of the one-core peak while all run at once, or the machine
# counts as shared: a virtual machine's CPUs can land on one physical core's two hyperthreads or
# be time-sliced by the host, and then 2 threads run at the speed of about 1.
FULL_CORE_SHARE = 0.9


def cores_peak(dlc, cpus, timeout):
    """Runs `dlc bench --peak` on every CPU of `cpus` at once, each pinned to its CPU; returns the
    lowest fp32 GFLOP/s of any CPU's slowest run."""
    procs = [subprocess.Popen(peak_command(dlc), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              preexec_fn=lambda cpu=cpu: os.sched_setaffinity(0, {cpu}))
             for cpu in cpus]
    rates = []
    for proc in procs:
        out, _ = proc.communicate(timeout=timeout)
        try:
            rates.append(read_peaks(out)[0].get("fp32", (0.0, 0.0))[1])
        except (BenchError, KeyError):
            rates.append(0.0)
    return min(rates)


class CoreCheck:
    """Checks, around each timing, that the CPUs the timings use deliver full cores."""

    def __init__(self, dlc, peak, cpus, timeout, attempts=3, wait_s=10.0):
        self.dlc, self.peak, self.cpus, self.timeout = dlc, peak, cpus, timeout
        self.attempts, self.wait_s = attempts, wait_s
        self.timings = self.repeated = self.shared = 0

    def full(self):
        return cores_peak(self.dlc, self.cpus, self.timeout) >= FULL_CORE_SHARE * self.peak

    def timed(self, what, measure):
        """measure() between two checks; repeated (after a pause) while a check finds the CPUs
        shared, at most `attempts` times. The last timing is kept either way."""
        self.timings += 1
        for attempt in range(self.attempts):
            before = self.full()
            timing = measure()
            if before and self.full():
                return timing
            log(f"{what}: the CPUs were shared during the timing "
                f"(attempt {attempt + 1} of {self.attempts})")
            if attempt + 1 < self.attempts:
                self.repeated += 1
                time.sleep(self.wait_s)
        self.shared += 1
        return timing


# ---------------------------------------------------------------------------------------------
# oneDNN
# ---------------------------------------------------------------------------------------------

def build_onednn(cxx, cache, timeout):
    """Compiles onednn_bench.cpp; returns the binary and oneDNN's version line."""
    exe = cache / "onednn_bench"
    run_tool([cxx, "-O2", "-std=c++17", REPO_ROOT / "test" / "bench" / "onednn_bench.cpp",
              "-ldnnl", "-o", exe], "c++ onednn_bench.cpp", timeout)
    return exe, run_tool([exe, "--version"], "onednn_bench --version", timeout).strip()


def onednn_shape(path):
    """onednn_bench's SHAPE for a model that is one MatMul by a constant [K, N] or one 2-D Conv
    with constant weights, batch 1 and symmetric padding; None for any other model."""
    graph = onnx.load(str(path)).graph
    if len(graph.node) != 1:
        return None
    node = graph.node[0]
    constants = {t.name: list(t.dims) for t in graph.initializer}
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim] for v in graph.input}
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    if node.op_type == "MatMul" and len(shapes.get(node.input[0], [])) == 2 \
            and len(constants.get(node.input[1], [])) == 2:
        (m, k), (_, n) = shapes[node.input[0]], constants[node.input[1]]
        return f"matmul:m={m},k={k},n={n}"
    if node.op_type == "Conv" and node.input[1] in constants:
        x, w = shapes.get(node.input[0], []), constants[node.input[1]]
        strides, pads = attrs.get("strides", [1, 1]), attrs.get("pads", [0, 0, 0, 0])
        if len(x) != 4 or x[0] != 1 or w[2] != w[3] or strides[0] != strides[1] \
                or len(set(pads)) != 1 or set(attrs.get("dilations", [1, 1])) != {1} \
                or attrs.get("auto_pad", b"NOTSET") != b"NOTSET" \
                or len(node.input) < 3 or node.input[2] not in constants:
            return None
        return (f"conv:cin={x[1]},cout={w[0]},h={x[2]},w={x[3]},k={w[2]},stride={strides[0]},"
                f"pad={pads[0]},groups={attrs.get('group', 1)}")
    return None


def onednn_bench(exe, shape, threads, layout, iterations, warmup, timeout):
    """Runs onednn_bench on one shape; returns its Timing, oneDNN's implementation name and the
    FLOPs of one run."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    cmd = [exe, f"--iterations={iterations}", f"--warmup={warmup}", f"--layout={layout}", shape]
    log("+ OMP_NUM_THREADS=" + str(threads) + " " + " ".join(str(c) for c in cmd))
    try:
        proc = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BenchError(f"onednn_bench: {exc}") from exc
    if proc.returncode != 0:
        raise BenchError(f"onednn_bench failed with exit status {proc.returncode}: "
                         + (proc.stderr or proc.stdout).strip())
    line = next((l for l in proc.stdout.splitlines() if l.startswith("{")), None)
    if line is None:
        raise BenchError(f"onednn_bench printed no JSON line:\n{proc.stdout}")
    data = json.loads(line)
    if data["threads"] != threads:
        raise BenchError(f"onednn_bench ran {data['threads']} threads, not {threads}")
    timing = Timing(float(data["median_ms"]), float(data["p90_ms"]), int(data["iterations"]))
    return timing, data["impl"], float(data["flops"])


def bench_onednn(res, path, args, exe):
    """oneDNN's timings of the model's single op, or None when the model is not one op."""
    shape = onednn_shape(path)
    if shape is None:
        return None
    result = OneDnn(shape)
    # The same runs as dlc's; all of them when dlc failed before choosing a number.
    n = res.iterations or args.max_iterations
    layouts = ["plain", "any"] if shape.startswith("conv:") else ["plain"]
    try:
        for layout in layouts:
            for threads in (1, 2):
                timing, kernel, result.flops = onednn_bench(exe, shape, threads, layout, n,
                                                            args.warmup, args.timeout)
                result.timings[layout, threads] = timing
                result.kernels[layout, threads] = kernel
    except BenchError as exc:
        result.failure = " ".join(str(exc).split())
    return result


# ---------------------------------------------------------------------------------------------
# One model
# ---------------------------------------------------------------------------------------------

def model_file(name, cache):
    """build/bench/NAME.onnx, rebuilt when missing or older than make_models.py."""
    path = cache / f"{name}.onnx"
    source = Path(make_models.__file__)
    if not path.is_file() or path.stat().st_mtime < source.stat().st_mtime:
        log(f"building {name} -> {path}")
        make_models.save_model(name, str(path))
    return path


def write_inputs(name, path, cache):
    model = onnx.load(str(path))
    inputs, _ = run_e2e.graph_signature(model)
    values = run_e2e.make_inputs(model, inputs, INPUT_SEED)
    files = []
    for i, value in enumerate(values):
        f = cache / f"{name}.in{i}.npy"
        np.save(f, value)
        files.append(f)
    return {t.name: v for t, v in zip(inputs, values)}, files


def ort_session(path, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def time_ort(session, feed, iterations, warmup):
    for _ in range(warmup):
        session.run(None, feed)
    times = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        session.run(None, feed)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return Timing(percentile(times, 0.5), percentile(times, 0.9), iterations)


def probe_ort(session, feed):
    """A rough per-run time in seconds: one warm-up, then runs for ~0.3 s (at least 2)."""
    session.run(None, feed)
    times, start = [], time.perf_counter()
    while len(times) < 2 or time.perf_counter() - start < 0.3:
        t0 = time.perf_counter()
        session.run(None, feed)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def dlc_flops(dlc, path, timeout):
    out = run_tool([dlc, "inspect", path], "dlc inspect", timeout)
    m = re.search(r"FLOPs \(estimate, one run\):\s*([0-9.eE+-]+)", out)
    if not m:
        raise BenchError("dlc inspect printed no 'FLOPs (estimate, one run):' line")
    return float(m.group(1))


def dlc_workspace(dlc, path, timeout):
    """(planned workspace bytes, lower bound bytes) that `dlc compile --stats` prints (to
    stderr)."""
    with tempfile.TemporaryDirectory() as out:
        text = run_tool([dlc, "compile", path, "--stats", "-o", out], "dlc compile --stats",
                        timeout, stderr=True)
    plan = re.search(r"workspace: \d+ bytes \((\d+) planned", text)
    bound = re.search(r"workspace lower bound: (\d+) bytes", text)
    if not plan or not bound:
        raise BenchError(f"dlc compile --stats printed no workspace figures:\n{text}")
    return int(plan.group(1)), int(bound.group(1))


def dlc_bench(dlc, path, input_files, iterations, warmup, timeout, threads=1):
    out = run_tool([dlc, "bench", path, *input_files, f"--threads={threads}",
                    f"--iterations={iterations}", f"--warmup={warmup}", "--json"], "dlc bench",
                   timeout)
    line = next((l for l in out.splitlines() if l.startswith("{")), None)
    if line is None:
        raise BenchError(f"dlc bench printed no JSON line:\n{out}")
    data = json.loads(line)
    return Timing(float(data["median_ms"]), float(data["p90_ms"]), int(data["iterations"]))


def check_outputs(dlc, name, path, input_files, reference, output_names, cache, timeout):
    """Runs `dlc run`; returns a list of (output name, err, non-finite) and whether all agree."""
    out_dir = cache / f"{name}.dlc_out"
    for old in out_dir.glob("output_*.npy") if out_dir.is_dir() else []:
        old.unlink()
    run_tool([dlc, "run", path, *input_files, "--output-dir", out_dir], "dlc run", timeout)
    errors, ok = [], True
    for k, (oname, want) in enumerate(zip(output_names, reference)):
        f = out_dir / f"output_{k}.npy"
        if not f.is_file():
            raise BenchError(f"dlc run did not write {f}")
        got = np.load(f)
        if got.shape != want.shape:
            errors.append((oname, math.inf, 0))
            ok = False
            continue
        a, b = got.astype(np.float64), want.astype(np.float64)
        bad = int(np.count_nonzero(~np.isfinite(a) & np.isfinite(b)))
        finite = np.isfinite(a) & np.isfinite(b)
        max_ref = float(np.abs(b[finite]).max()) if finite.any() else 0.0
        err = float(np.abs(a - b)[finite].max()) / (max_ref if max_ref > 0 else 1.0) \
            if finite.any() else 0.0
        errors.append((oname, err, bad))
        ok &= err <= MODEL_RTOL.get(name, RTOL) and bad == 0
    return errors, ok


def choose_iterations(per_run_s, args, dlc_s=None):
    """Enough runs for --min-time of a per_run_s measurement, within the configured bounds."""
    n = math.ceil(args.min_time / max(per_run_s, 1e-6))
    if dlc_s:  # keep dlc's share under --max-time
        n = min(n, int(args.max_time / max(dlc_s, 1e-6)))
    return max(args.min_iterations, min(n, args.max_iterations))


def last_dlc_ms(cache, name):
    """dlc's median from the previous run of this script (build/bench/NAME.last.json), if any."""
    try:
        return float(json.loads((cache / f"{name}.last.json").read_text())["dlc_median_ms"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def bench_model(name, args, cache, check):
    res = Result(name, warmup=args.warmup)
    path = model_file(name, cache)
    feed, input_files = write_inputs(name, path, cache)
    res.flops = dlc_flops(args.dlc, path, args.timeout)
    res.workspace = dlc_workspace(args.dlc, path, args.timeout)

    sessions = {t: ort_session(path, t) for t in (1, 2)}
    output_names = [o.name for o in sessions[1].get_outputs()]
    reference = sessions[1].run(None, feed)
    res.errors, res.agree = check_outputs(args.dlc, name, path, input_files, reference,
                                          output_names, cache, args.timeout)

    # Every `dlc bench` compiles the model again (a minute for the large ones), so N is chosen
    # before it: from a short onnxruntime probe and dlc's time in the previous run, if known.
    fastest = min(probe_ort(s, feed) for s in sessions.values())
    previous = last_dlc_ms(cache, name)
    dlc_guess = previous / 1e3 if previous else None
    n = choose_iterations(min(fastest, dlc_guess or fastest), args, dlc_guess)
    log(f"{name}: onnxruntime probe {fastest * 1e3:.2f} ms/run, dlc previously "
        f"{'unknown' if previous is None else f'{previous:.2f} ms/run'} -> {n} iterations")
    res.dlc = check.timed(f"{name} dlc 1 thread", lambda: dlc_bench(
        args.dlc, path, input_files, n, args.warmup, args.timeout))
    dlc_s = res.dlc.median_ms / 1e3
    more = choose_iterations(min(fastest, dlc_s), args, dlc_s)
    if more > n * 1.5:  # dlc was faster than assumed: time more runs of everything
        log(f"{name}: dlc takes {res.dlc.median_ms:.3f} ms/run -> rerun with {more} iterations")
        n = more
        res.dlc = check.timed(f"{name} dlc 1 thread", lambda: dlc_bench(
            args.dlc, path, input_files, n, args.warmup, args.timeout))
    (cache / f"{name}.last.json").write_text(
        json.dumps({"dlc_median_ms": res.dlc.median_ms}) + "\n")
    res.iterations = n
    # dlc and onnxruntime at the same thread count are timed one right after the other, so a
    # change in what else the host runs affects both alike.
    res.ort[1] = check.timed(f"{name} onnxruntime 1 thread",
                             lambda: time_ort(sessions[1], feed, n, args.warmup))
    res.dlc2 = check.timed(f"{name} dlc 2 threads", lambda: dlc_bench(
        args.dlc, path, input_files, n, args.warmup, args.timeout, threads=2))
    res.ort[2] = check.timed(f"{name} onnxruntime 2 threads",
                             lambda: time_ort(sessions[2], feed, n, args.warmup))
    return res


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def fmt_ms(value):
    return "—" if value is None else (f"{value:.2f}" if value >= 1 else f"{value:.3f}")


def gflops(flops, ms):
    return flops / (ms * 1e-3) / 1e9


def model_table(res, peaks):
    peak = peak_of(res.name, peaks)
    lines = [f"### {res.name}", "", MODEL_NOTES.get(res.name, res.name) + ".", ""]
    if res.failure:
        return lines + [f"**Failed:** `{res.failure.replace('`', chr(39))}`", ""]
    lines += [
        "| runtime | threads | median ms | p90 ms | dlc / onnxruntime (lower is better) | GFLOP/s "
        "| % of peak |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    dlc = {1: res.dlc, 2: res.dlc2}
    rows = [("dlc", t, dlc[t], None) for t in (1, 2)] + \
           [("onnxruntime", t, res.ort[t], t) for t in (1, 2)]
    for runtime, threads, timing, ort_threads in rows:
        ratio = "—"
        if ort_threads:
            ratio = f"{dlc[ort_threads].median_ms / timing.median_ms:.2f}"
        rate = gflops(res.flops, timing.median_ms)
        cores_peak = peak * threads
        pct = f"{100 * rate / cores_peak:.1f}" + ("" if threads == 1 else f" of {threads} cores")
        lines.append(f"| {runtime} | {threads} | {fmt_ms(timing.median_ms)} | "
                     f"{fmt_ms(timing.p90_ms)} | {ratio} | {rate:.1f} | {pct} |")
    errs = ", ".join(f"`{n}` err {e:.2e}" + (f", {b} non-finite" if b else "")
                     for n, e, b in res.errors)
    lines += ["",
              f"Outputs agree (max\\|dlc − ort\\| / max\\|ort\\| ≤ "
              f"{MODEL_RTOL.get(res.name, RTOL):g}): "
              f"**{'yes' if res.agree else 'NO'}** ({errs}). "
              f"FLOPs per run (dlc inspect estimate): {res.flops:.3g}. "
              f"Timed runs per measurement: {res.iterations} (after {res.warmup} warm-up).",
              ""]
    return lines



def summary_table(results, peaks):
    lines = ["| model | dlc ms, 1 thread | ort ms, 1 thread | dlc / ort, 1 thread "
             "| dlc ms, 2 threads | ort ms, 2 threads | dlc / ort, 2 threads | outputs agree "
             "| dlc GFLOP/s, 1 thread (% of peak) |",
             "|---|---:|---:|---:|---:|---:|---:|:---:|---:|"]
    for r in results:
        if r.failure:
            lines.append(f"| {r.name} | failed | | | | | | | |")
            continue
        d1, d2 = r.dlc.median_ms, r.dlc2.median_ms
        o1, o2 = r.ort[1].median_ms, r.ort[2].median_ms
        rate = gflops(r.flops, d1)
        peak = peak_of(r.name, peaks)
        lines.append(f"| {r.name} | {fmt_ms(d1)} | {fmt_ms(o1)} | {d1 / o1:.2f} | {fmt_ms(d2)} | "
                     f"{fmt_ms(o2)} | {d2 / o2:.2f} | {'yes' if r.agree else 'NO'} | "
                     f"{rate:.1f} ({100 * rate / peak:.1f} %) |")
    lines.append("")
    return lines


def threads_and_memory_table(results):
    lines = ["| model | dlc ms, 1 thread | dlc ms, 2 threads | speed-up, 1 to 2 threads "
             "| workspace bytes (`NAME_WORKSPACE_SIZE` - 64) | lower bound bytes | plan / bound |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if r.failure:
            continue
        d1, d2 = r.dlc.median_ms, r.dlc2.median_ms
        plan, bound = r.workspace
        ratio = f"{plan / bound:.3f}" if bound else "—"
        lines.append(f"| {r.name} | {fmt_ms(d1)} | {fmt_ms(d2)} | {d1 / d2:.2f}x | {plan:,} | "
                     f"{bound:,} | {ratio} |")
    lines.append("")
    return lines


def rate_cell(flops, ms, peak, threads):
    """'GFLOP/s (percent of the peak of `threads` cores)'."""
    rate = gflops(flops, ms)
    return f"{rate:.1f} ({100 * rate / (peak * threads):.1f} %)"


def onednn_tables(results, peak):
    """dlc vs oneDNN with activations as the model feeds them, then oneDNN's kernel alone."""
    measured = [r for r in results if r.onednn]
    lines = ["| model | shape (onednn_bench) | threads | dlc ms | oneDNN ms | dlc / oneDNN "
             "| dlc GFLOP/s (% of peak) | oneDNN GFLOP/s (% of peak) | oneDNN kernel |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    kernel_rows = []
    for r in measured:
        d = r.onednn
        if d.failure:
            lines.append(f"| {r.name} | `{d.shape}` | | | oneDNN failed: "
                         f"{d.failure.replace('|', '/')} | | | | |")
            continue
        flops = r.flops or d.flops
        for threads in (1, 2):
            dlc = None if r.failure else {1: r.dlc, 2: r.dlc2}[threads]
            one = d.timings["plain", threads]
            dlc_cells = ("dlc failed", "", "") if dlc is None else (
                fmt_ms(dlc.median_ms), f"{dlc.median_ms / one.median_ms:.2f}",
                rate_cell(flops, dlc.median_ms, peak, threads))
            lines.append(f"| {r.name} | `{d.shape}` | {threads} | {dlc_cells[0]} | "
                         f"{fmt_ms(one.median_ms)} | {dlc_cells[1]} | {dlc_cells[2]} | "
                         f"{rate_cell(flops, one.median_ms, peak, threads)} | "
                         f"{d.kernels['plain', threads]} |")
            if ("any", threads) in d.timings:
                own = d.timings["any", threads]
                ratio = "" if dlc is None else f"{dlc.median_ms / own.median_ms:.2f}"
                kernel_rows.append(f"| {r.name} | {threads} | {fmt_ms(own.median_ms)} | {ratio} | "
                                   f"{rate_cell(flops, own.median_ms, peak, threads)} | "
                                   f"{d.kernels['any', threads]} |")
    lines.append("")
    if kernel_rows:
        lines += ["oneDNN's direct convolution kernels want NHWC or channel-blocked activations; "
                  "with plain NCHW it may fall back to im2col + GEMM (`gemm:jit` in the kernel "
                  "column above). Below, oneDNN picks the activation layout too (`onednn_bench "
                  "--layout=any`) and the reorders into and out of it are not timed: its kernel "
                  "alone, while dlc's time includes any layout changes it makes inside the model.",
                  "",
                  "| model | threads | oneDNN ms, own layout | dlc / oneDNN | "
                  "oneDNN GFLOP/s (% of peak) | oneDNN kernel |",
                  "|---|---:|---:|---:|---:|---|"] + kernel_rows + [""]
    return lines


def report(results, peaks, isa, command, started, load, args, dlc_version, onednn, check):
    peak = peaks["fp32"]
    lines = [
        "<!-- Generated by test/bench/run_benchmarks.py; do not edit by hand: rerun it. -->",
        "# Benchmarks: dlc vs onnxruntime"
        + (" and oneDNN" if any(r.onednn for r in results) else "") + " (CPU)",
        "",
        f"Generated by `test/bench/run_benchmarks.py` on {started:%Y-%m-%d %H:%M} "
        f"(local time){' with --quick' if args.quick else ''}.",
        "",
        "The CI benchmark gate (dlc / onnxruntime per model against a committed baseline, "
        "with plots of the ratios and of the baseline's history) is in "
        "[benchmark-gate.md](benchmark-gate.md).",
        "",
        f"- Machine: {machine_description()}",
        f"- Command: `{command}`",
        f"- dlc: {dlc_version}",
        f"- onnxruntime {ort.__version__} (CPUExecutionProvider, inter_op_num_threads 1, "
        "sequential execution, all graph optimizations), numpy " + np.__version__,
        f"- {onednn}",
        f"- Measured peaks (`dlc bench --peak`, one core, best of 3 runs): fp32 FMA ({isa}) "
        f"**{peak:.1f} GFLOP/s**"
        + "".join(f"; {PEAK_NAMES[kind]} **{peaks[kind]:.1f} G{'OP' if kind == 'int8' else 'FLOP'}"
                  f"/s** ({peaks[kind] / peak:.2f}x fp32)" for kind in ("bf16", "int8")
                  if kind in peaks)
        + " per core",
        f"- Load average (1 min) when started: {load[0]:.2f}; other processes used "
        + ("an unknown share" if load[1] is None else f"{load[1]:.2f} cores on average")
        + " while it ran"
        + (" — **the machine was busy with other work: figures are pessimistic and noisy**"
           if load[0] > 0.7 or (load[1] or 0) > 0.3 else ""),
        f"- Full cores: before and after each of the {check.timings} dlc and onnxruntime "
        f"timings of the models, `dlc bench --peak` ran on CPUs "
        f"{', '.join(map(str, check.cpus))} at once; "
        f"a timing counts as clean when each CPU's slowest run then reached "
        f"{FULL_CORE_SHARE:.0%} of the one-core peak (a virtual machine's CPUs can be two "
        f"hyperthreads of one core, or "
        f"time-sliced by the host, for minutes at a time). {check.repeated} timings were "
        f"repeated after finding the CPUs shared; "
        + (f"**{check.shared} never got clean CPUs and are kept as measured**"
           if check.shared else "all kept timings are clean"),
        "",
        "Latencies are per inference. dlc: `dlc bench --threads=N --json` (times NAME_run). "
        "onnxruntime: `InferenceSession.run` timed from Python (includes a few µs of "
        "binding overhead). Each measurement uses the same number of timed runs after a warm-up; "
        "ratios are dlc median / onnxruntime median (lower is better for dlc). GFLOP/s = dlc "
        "inspect's FLOP estimate / median latency; percent of peak uses one core's measured peak "
        "(two cores' for 2 threads). The estimate counts a convolution's direct FLOPs; dlc "
        "computes 3x3 stride-1 convolutions with Winograd transforms, which need 2.25x fewer "
        "multiply-adds, so those can show more than 100% of peak. "
        "onnxruntime at 2 threads needs every core of a 2-core "
        "machine, so other work on the machine slows it most.",
        "",
        "## Summary",
        "",
    ]
    lines += summary_table(results, peaks)
    lines += ["## Threads and memory plan", "",
              "Speed-up is dlc's 1-thread median over its 2-thread median, from the timings "
              "above. The workspace is the one buffer a run uses for all intermediates, as "
              "planned at compile time; the lower bound is the largest total size of "
              "intermediates live at the same time (`dlc compile MODEL --stats`).", ""]
    lines += threads_and_memory_table(results)
    if any(r.onednn for r in results):
        lines += ["## dlc vs oneDNN (single GEMMs and convolutions)", "",
                  "oneDNN's fp32 primitive on the model's one op, timed by "
                  "test/bench/onednn_bench.cpp: each run is one `execute` and a stream wait, "
                  "with the same number of timed runs and warm-up as dlc. Activations are plain "
                  "row-major / NCHW, as the model feeds them; the constant weights are reordered "
                  "once, before timing, into the layout oneDNN picks (`format_tag::any`), as dlc "
                  "packs them at compile time. Ratios are dlc median / oneDNN median (lower is "
                  "better for dlc); GFLOP/s use dlc inspect's FLOP estimate for both.",
                  ""]
        lines += onednn_tables(results, peak)
    lines += ["## Per model", ""]
    for r in results:
        lines += model_table(r, peaks)
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(description="Benchmark dlc against onnxruntime and oneDNN.")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        help=f"comma-separated (default {','.join(DEFAULT_MODELS)}); any of "
                             f"{', '.join(make_models.MODELS)}")
    parser.add_argument("--dlc", default=os.environ.get("DLC", str(REPO_ROOT / "build/bin/dlc")),
                        help="the dlc binary (default: $DLC or build/bin/dlc)")
    parser.add_argument("--out", default=str(REPO_ROOT / "docs" / "benchmarks.md"),
                        help="the Markdown report to write (default docs/benchmarks.md)")
    parser.add_argument("--cache", default=str(REPO_ROOT / "build" / "bench"),
                        help="models, inputs, outputs, the peak and onednn_bench binaries "
                             "(default build/bench)")
    parser.add_argument("--cxx", default=os.environ.get("CXX", "c++"),
                        help="C++ compiler for onednn_bench.cpp (default $CXX or c++)")
    parser.add_argument("--no-onednn", dest="onednn", action="store_false",
                        help="skip the comparison with oneDNN on single-op models")
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs: 3 to 20 per measurement, ~0.5 s, 1 warm-up")
    parser.add_argument("--min-iterations", type=int, help="default 5 (quick: 3)")
    parser.add_argument("--max-iterations", type=int, help="default 100 (quick: 20)")
    parser.add_argument("--min-time", type=float,
                        help="seconds of the fastest measurement (default 3, quick 0.5)")
    parser.add_argument("--max-time", type=float,
                        help="at most this many seconds of dlc runs (default 60, quick 10)")
    parser.add_argument("--warmup", type=int, help="warm-up runs (default 2, quick 1)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per tool command")
    args = parser.parse_args(argv)
    defaults = dict(min_iterations=(3, 5), max_iterations=(20, 100), min_time=(0.5, 3.0),
                    max_time=(10.0, 60.0), warmup=(1, 2))
    for key, (quick, full) in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, quick if args.quick else full)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in make_models.MODELS]
    if unknown:
        parser.error(f"unknown models {unknown}; known: {', '.join(make_models.MODELS)}")
    args.dlc = str(Path(args.dlc).resolve()) if os.sep in args.dlc else args.dlc
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    command = " ".join(["python3", "test/bench/run_benchmarks.py"] + [shlex.quote(a) for a in argv])
    started = datetime.datetime.now()
    load = os.getloadavg()[0]
    busy0, own0, wall0 = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
    dlc_version = dlc_description(args.dlc)
    cache = Path(args.cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    failed = False
    try:
        peaks, isa = measure_peak(args.dlc, args.timeout)
    except BenchError as exc:
        log(f"FAIL: {exc}")
        return 1
    peak = peaks["fp32"]
    log(f"peaks: " + ", ".join(f"{kind} {value:.1f}" for kind, value in peaks.items())
        + f" G(FL)OP/s ({isa})")
    cpus = sorted(os.sched_getaffinity(0))[:2]
    check = CoreCheck(args.dlc, peak, cpus, args.timeout)
    onednn_exe, onednn = None, "oneDNN: not measured (--no-onednn)"
    if args.onednn:
        try:
            onednn_exe, version = build_onednn(args.cxx, cache, args.timeout)
            onednn = (f"{version}; test/bench/onednn_bench.cpp built with `{args.cxx} -O2`, "
                      "threads set with OMP_NUM_THREADS")
        except BenchError as exc:
            log(f"oneDNN comparison skipped: {exc}")
            first = next((l.strip() for l in str(exc).splitlines()[1:] if "error" in l),
                         str(exc).splitlines()[0])
            onednn = ("oneDNN: **not measured**: test/bench/onednn_bench.cpp did not build "
                      f"(scripts/setup.sh installs libdnnl-dev): `{first.replace('`', chr(39))}`")
    results = []
    for name in args.models:
        t0 = time.perf_counter()
        try:
            res = bench_model(name, args, cache, check)
        except (BenchError, Exception) as exc:  # noqa: B014 (onnxruntime raises its own types)
            what = str(exc) if isinstance(exc, BenchError) else f"{type(exc).__name__}: {exc}"
            log(f"FAIL {name}: {what}")
            res = Result(name, failure=" ".join(what.split()) or type(exc).__name__)
            failed = True
        else:
            if not res.agree:
                log(f"FAIL {name}: outputs disagree with onnxruntime: {res.errors}")
                failed = True
        if onednn_exe:
            try:
                res.onednn = bench_onednn(res, model_file(name, cache), args, onednn_exe)
            except Exception as exc:  # noqa: BLE001 (the model could not be built or read)
                log(f"FAIL {name}: oneDNN: {type(exc).__name__}: {exc}")
            if res.onednn and res.onednn.failure:
                log(f"FAIL {name}: {res.onednn.failure}")
                failed = True
        log(f"{name}: done in {time.perf_counter() - t0:.0f} s")
        results.append(res)
    if dlc_description(args.dlc) != dlc_version:
        dlc_version += " — **the binary or checkout changed while this ran**"
        log("warning: the dlc binary or the checkout changed during the run")
    busy1, own1, wall1 = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
    others = None
    if busy0 is not None and busy1 is not None:
        others = max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall1 - wall0)
    load = (load, others)
    text = report(results, peaks, isa, command, started, load, args, dlc_version, onednn, check)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    log(f"wrote {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
