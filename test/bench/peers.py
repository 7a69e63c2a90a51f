# The peer runtimes the benchmarks call in the same process as dlc: onnxruntime and OpenVINO.
"""Callables that run a model once on a fixed feed, for the interleaved benchmarks
(precision_bench.py, cpu_bench.py)."""
import statistics
import time

import numpy as np
import onnxruntime as ort


def ort_runner(path, feed, threads=1):
    """onnxruntime's CPU provider on `threads` threads; its workers sleep between runs instead of
    spinning on the cores the next library called needs."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return lambda: session.run(None, feed)


def openvino_runner(path, feed, precision, threads=1):
    """OpenVINO's CPU plugin with INFERENCE_PRECISION_HINT `precision` (none: the model's own,
    as for QDQ models), or None where openvino is not installed."""
    try:
        import openvino as ov
    except ImportError:
        return None
    core = ov.Core()
    config = {"INFERENCE_NUM_THREADS": str(threads), "PERFORMANCE_HINT": "LATENCY"}
    if precision:
        config["INFERENCE_PRECISION_HINT"] = precision
    compiled = core.compile_model(str(path), "CPU", config)
    request = compiled.create_infer_request()
    inputs = {compiled.input(k): v for k, v in enumerate(feed.values())}
    return lambda: [np.asarray(request.infer(inputs)[compiled.output(k)])
                    for k in range(len(compiled.outputs))]


def openvino_version():
    try:
        import openvino
        return openvino.__version__
    except ImportError:
        return "not installed"


def error(got, want):
    """max |a - b| / max |b|."""
    a, b = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


def interleaved(variants, runs, warmup=3, gap_ms=0.0):
    """{label: (minimum, median) ms} of `runs` rounds, each calling every variant once in turn
    (after `warmup` calls of each), so that a change in the machine's load touches all alike.
    `gap_ms` of sleep after each call lets a library's workers stop spinning before the next
    library runs on the cores they would take."""
    for run in variants.values():
        for _ in range(warmup):
            run()
    times = {label: [] for label in variants}
    for _ in range(runs):
        for label, run in variants.items():
            start = time.perf_counter()
            run()
            times[label].append((time.perf_counter() - start) * 1e3)
            if gap_ms:
                time.sleep(gap_ms * 1e-3)
    return {label: (min(t), statistics.median(t)) for label, t in times.items()}
