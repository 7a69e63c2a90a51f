#!/usr/bin/env python3
# fp32 benchmark of dlc against onnxruntime and OpenVINO on whole models and single layers, at 1
# and 2 threads, every library called alternately in this one process.
"""Times dlc's fp32 code against onnxruntime's and OpenVINO's, interleaved in one process.

For each model (test/models/make_models.py builds them into build/bench/) and each thread count:

  dlc   dlc compile MODEL, loaded here as a shared object (compiler/tools/dlc/library.py), its
        runtime's pool sized to the thread count
  ort   onnxruntime, intra_op_num_threads = threads, inter_op 1, session.intra_op.allow_spinning
        = 0 (its workers sleep between runs instead of spinning on the core dlc's call needs)
  ov    OpenVINO's CPU plugin, INFERENCE_NUM_THREADS = threads, f32 (when `openvino` imports)

Each round calls each library once, in turn, so a change in the machine's load touches all of
them alike; the table gives the minimum and median over --runs rounds (30 by default) and the
ratios dlc / onnxruntime and dlc / OpenVINO of medians (minimums in brackets). Outputs are
compared with onnxruntime's first (max |a - b| / max |b|).

    python3 test/bench/cpu_bench.py [--models resnet50 mobilenetv2 ...] [--threads 1 2]
                                    [--runs 30] [--report docs/cpu-benchmarks.md]
"""
import argparse
import datetime
import sys
from pathlib import Path

import onnxruntime as ort

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_benchmarks as rb  # noqa: E402  (model_file, write_inputs, measure_peak, ...)

from peers import error, interleaved, openvino_runner, openvino_version, ort_runner  # noqa: E402
sys.path.insert(0, str(rb.REPO_ROOT / "compiler" / "tools" / "dlc"))
import library  # noqa: E402  (a dlc-compiled model called in this process)

MODELS = ["resnet50", "mobilenetv2", "bert_base", "mlp_large", "conv_resnet_3x3",
          "conv_resnet_1x1", "conv_resnet_7x7s2", "conv_resnet_3x3_14", "conv_resnet_3x3_7",
          "conv_mobilenet_dw", "conv_mobilenet_dw_s2"]


def bench(name, threads, args, cache, work):
    path = rb.model_file(name, cache)
    feed, _ = rb.write_inputs(name, path, cache)
    dlc = library.CompiledModel(args.dlc, path, work, f"{name}_t{threads}", [], threads=threads)
    dlc.bind(list(feed.values()))
    variants = {"dlc": dlc, "ort": ort_runner(path, feed, threads)}
    ov = openvino_runner(path, feed, "f32", threads) if "ov" in args.peers else None
    if ov:
        variants["ov"] = ov
    want = variants["ort"]()[0]
    errors = {label: error(run()[0], want) for label, run in variants.items()}
    if threads == 1 or not ov:
        times = interleaved(variants, args.runs)
        return {label: (low, mid, errors[label]) for label, (low, mid) in times.items()}
    # On several threads, OpenVINO's workers keep spinning after a run and take the cores dlc's
    # or onnxruntime's next run needs: dlc and onnxruntime alternate on their own, then dlc and
    # OpenVINO with a sleep after each call.
    rows = {}
    for pair, gap in ((("dlc", "ort"), 0.0), (("dlc", "ov"), args.gap_ms)):
        times = interleaved({label: variants[label] for label in pair}, args.runs, gap_ms=gap)
        for label, (low, mid) in times.items():
            rows[label if pair[1] == "ort" or label == "ov" else "dlc/ov"] = (low, mid,
                                                                               errors[label])
    return rows


def ratio(rows, a, b):
    if a not in rows or b not in rows:
        return "—"
    return f"{rows[a][1] / rows[b][1]:.2f} ({rows[a][0] / rows[b][0]:.2f})"


def cell(rows, label):
    return f"{rows[label][0]:.3f} / {rows[label][1]:.3f}" if label in rows else "—"


def table(results, threads, gap_ms):
    paired = any("dlc/ov" in rows for rows in results.values())
    lines = [f"### {threads} thread{'s' if threads > 1 else ''}", ""]
    if paired:
        lines += ["dlc alternates with onnxruntime, then (its second column) with OpenVINO, "
                  f"sleeping {gap_ms:g} ms after each call of that second rotation.", ""]
    lines += ["| model | dlc min / median ms | onnxruntime | "
              + ("dlc, with OpenVINO | " if paired else "")
              + "OpenVINO | dlc / onnxruntime | dlc / OpenVINO | dlc error |",
              "| --- " * (8 if paired else 7) + "|"]
    for name, rows in results.items():
        cells = [cell(rows, "dlc"), cell(rows, "ort")]
        if paired:
            cells.append(cell(rows, "dlc/ov"))
        cells.append(cell(rows, "ov"))
        against_ov = ratio(rows, "dlc/ov" if "dlc/ov" in rows else "dlc", "ov")
        lines.append(f"| {name} | {' | '.join(cells)} | {ratio(rows, 'dlc', 'ort')} | "
                     f"{against_ov} | {rows['dlc'][2]:.1e} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dlc", default=str(rb.REPO_ROOT / "build" / "bin" / "dlc"))
    parser.add_argument("--models", nargs="+", default=MODELS)
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--peers", nargs="+", choices=["ort", "ov"], default=["ort", "ov"],
                        help="the peers in the rotation (onnxruntime always: outputs are "
                             "compared with it)")
    parser.add_argument("--gap-ms", type=float, default=5.0,
                        help="on several threads, the sleep after each call of the rotation "
                             "of dlc and OpenVINO (default 5 ms), so that OpenVINO's spinning "
                             "workers do not take the cores of dlc's next run")
    parser.add_argument("--cache", default=str(rb.REPO_ROOT / "build" / "bench"))
    parser.add_argument("--report", help="also write the results to this Markdown file")
    args = parser.parse_args(argv)
    if args.runs < 30:
        parser.error("--runs: at least 30 rounds (the machines are shared and noisy)")
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    work = cache / "cpu_bench"
    work.mkdir(exist_ok=True)
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    peaks, _ = rb.measure_peak(args.dlc, 120)
    sections = []
    for threads in args.threads:
        results = {}
        for name in args.models:
            rb.log(f"{name}, {threads} thread(s)")
            results[name] = bench(name, threads, args, cache, work)
        sections.append(table(results, threads, args.gap_ms))
        print(sections[-1], flush=True)
    ov_version = openvino_version()
    command = "python3 test/bench/cpu_bench.py " + " ".join(
        a if a != args.report else "..." for a in (argv if argv is not None else sys.argv[1:]))
    fp32 = peaks.get("fp32")
    header = [
        "<!-- Generated by test/bench/cpu_bench.py; do not edit by hand. -->",
        "# fp32: dlc vs onnxruntime and OpenVINO, 1 and 2 threads", "",
        f"Generated on {started} (local time) by `{command}`. Every round calls dlc, "
        "onnxruntime and OpenVINO once each, in turn, in one process; minimum and median over "
        f"{args.runs} rounds. Ratios are of medians, minimums in brackets; below 1 dlc is "
        "faster. onnxruntime's workers do not spin between runs "
        "(`session.intra_op.allow_spinning=0`). Errors are max |a - b| / max |b| against "
        "onnxruntime.", "",
        f"- CPU: {rb.machine_description()}",
        f"- one core's fp32 FMA peak (`dlc bench --peak`, best of 3): {fp32:.0f} GFLOP/s",
        f"- onnxruntime {ort.__version__}, OpenVINO {ov_version}",
        f"- dlc: {rb.dlc_description(args.dlc)}", ""]
    text = "\n".join(header) + "\n" + "\n\n".join(sections) + "\n"
    if args.report:
        Path(args.report).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
