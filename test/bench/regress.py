#!/usr/bin/env python3
# The benchmark gate: dlc against onnxruntime, called in turn in this process at 1 thread, each
# model's ratio compared with the one committed for this CPU (test/bench/baseline.json).
"""Checks that dlc has not become slower relative to onnxruntime.

    python3 test/bench/regress.py                       # the short suite (CI, a few minutes)
    python3 test/bench/regress.py --suite full          # every model and precision
    python3 test/bench/regress.py --update-baseline     # record this CPU's ratios
    python3 test/bench/regress.py --report R.md         # also the table and plots: R.md,
                                                        # R-ratios.svg, R-history.svg

For each entry of the suite, dlc's library (compiled for this machine, loaded here) and
onnxruntime (1 thread, spinning off) run alternately for --runs rounds; the ratio is dlc's
minimum over onnxruntime's minimum, the statistic that moves least on a shared machine. Ratios
rather than times: a machine that is slower or busier slows both alike.

An entry is a model of test/models/make_models.py or a PP-OCRv4 model of the
rapidocr-onnxruntime wheel (ppocr_det at 480x640, ppocr_rec at 48x320, ppocr_cls at 48x192, on
rendered text), with `:bf16` for dlc's --precision=bf16 against onnxruntime's fp32. A QDQ model
(qdq_*) runs on dlc's int8 kernels against onnxruntime's int8 execution of the same model.
Where the PP-OCR models cannot be fetched their entries are left out, with a message.

A model is suspect when its ratio exceeds the baseline's by more than the threshold (the
baseline file's `threshold`, a fraction). A suspect model is measured again, up to --repeats
more times, and the gate fails only when every measurement stays above the limit. Where the
baseline has no entry for this CPU (its model name, family and model number), the table is
printed with no verdict and the exit status is 0.

Exit status: 0 pass (or no baseline here), 1 a regression held across the repeats, 2 bad use.
"""
import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import onnxruntime  # noqa: E402
import run_benchmarks as rb  # noqa: E402  (REPO_ROOT, model_file, write_inputs)
from peers import interleaved, ort_runner  # noqa: E402
sys.path.insert(0, str(rb.REPO_ROOT / "compiler" / "tools" / "dlc"))
import library  # noqa: E402  (a dlc-compiled model called in this process)

SUITES = {
    "short": ["mobilenetv2", "mlp_large", "transformer_block"],
    "full": ["resnet50", "mobilenetv2", "bert_base", "mlp_large", "transformer_block",
             "ppocr_det", "ppocr_rec", "ppocr_cls", "resnet50:bf16", "bert_base:bf16",
             "ppocr_rec:bf16", "qdq_resnet50", "qdq_mobilenetv2", "qdq_bert_base"],
}
PPOCR_SHAPES = {"det": (1, 3, 480, 640), "rec": (1, 3, 48, 320), "cls": (1, 3, 48, 192)}
PRECISIONS = ("fp32", "bf16")
FORMAT, VERSION = "dlc-bench-baseline", 1


def cpu_key():
    """This CPU as the baseline names it: model name, family and model number."""
    fields = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
            if not line.strip():
                break
    return (f"{fields.get('model name', 'unknown')} (family {fields.get('cpu family', '?')} "
            f"model {fields.get('model', '?')})")


def plot(report, rows, latency, known, limit_of, history, cpu):
    """Next to the Markdown report: each model's latency (dlc's and onnxruntime's minimums) and
    ratio against its baseline and limit, and the ratios of every baseline update for this CPU
    with this run's last. Returns the files' names, or none where matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    stem = Path(report).with_suffix("")
    names = list(rows)
    at = list(range(len(names)))
    width = max(6, 0.55 * len(names))
    figure, (top, axes) = plt.subplots(2, 1, figsize=(width, 5.5), sharex=True)
    top.bar([x - 0.2 for x in at], [latency[n][0] for n in names], 0.4, label="dlc",
            color="tab:blue")
    top.bar([x + 0.2 for x in at], [latency[n][1] for n in names], 0.4, label="onnxruntime",
            color="tab:gray")
    top.set_yscale("log")
    top.set_ylabel("minimum latency, ms")
    top.set_title(cpu, fontsize=8)
    top.legend(fontsize=7)
    axes.bar(at, [rows[n] for n in names], color="tab:blue", label="this run")
    labelled = set()
    for i, name in enumerate(names):
        if name in known:
            axes.hlines(known[name], i - 0.4, i + 0.4, colors="black",
                        label=None if "baseline" in labelled else "baseline")
            axes.hlines(limit_of[name], i - 0.4, i + 0.4, colors="tab:red", linestyles="dashed",
                        label=None if "baseline" in labelled else "limit")
            labelled.add("baseline")
    axes.set_ylabel("dlc / onnxruntime (minimums)")
    axes.set_xticks(at, names, rotation=45, ha="right", fontsize=7)
    axes.legend(fontsize=7)
    figure.tight_layout()
    ratios_file = stem.parent / f"{stem.name}-ratios.svg"
    figure.savefig(ratios_file)
    plt.close(figure)
    figure, axes = plt.subplots(figsize=(8, 4))
    axes.set_prop_cycle(color=plt.cm.tab20.colors)  # a colour per model up to 20
    points = history + [{"date": "this run", "ratios": rows}]
    for name in names:
        xs = [i for i, point in enumerate(points) if name in point["ratios"]]
        axes.plot(xs, [points[i]["ratios"][name] for i in xs], marker="o", label=name)
    axes.set_xticks(range(len(points)), [point["date"] for point in points], fontsize=7)
    axes.set_ylabel("dlc / onnxruntime (minimums)")
    axes.set_title(f"baseline updates, {cpu}", fontsize=8)
    axes.legend(fontsize=6, bbox_to_anchor=(1.01, 1), loc="upper left")
    figure.tight_layout()
    history_file = stem.parent / f"{stem.name}-history.svg"
    figure.savefig(history_file)
    plt.close(figure)
    return [ratios_file.name, history_file.name]


def model_and_feed(name, cache):
    """The model file of suite entry `name` (without its precision), its inputs and the
    `dlc compile` options its shape needs; None for a PP-OCR model that cannot be fetched."""
    if not name.startswith("ppocr_"):
        path = rb.model_file(name, cache)
        feed, _ = rb.write_inputs(name, path, cache)
        return path, feed, []
    sys.path.insert(0, str(rb.REPO_ROOT / "test" / "models"))
    sys.path.insert(0, str(rb.REPO_ROOT / "test" / "e2e"))
    import fetch_ppocr
    from run_ppocr import prepare
    models = fetch_ppocr.fetch(str(rb.REPO_ROOT / "build" / "cache" / "ppocr"))
    if models is None:
        return None
    kind = name[len("ppocr_"):]
    shape = PPOCR_SHAPES[kind]
    feed = {"x": prepare(kind, shape, np.random.default_rng(7))}
    return Path(models[kind]), feed, ["--shape", "x=" + "x".join(map(str, shape))]


def parse_entry(entry):
    """(model, precision) of a suite entry `model[:precision]`; ValueError when it is not one."""
    name, _, precision = entry.partition(":")
    precision = precision or "fp32"
    if precision not in PRECISIONS:
        raise ValueError(f"'{entry}': the precision must be one of {', '.join(PRECISIONS)}")
    if not name.startswith("ppocr_") and name not in rb.make_models.MODELS:
        raise ValueError(f"'{entry}': no such model (make_models.py's, or ppocr_det, "
                         "ppocr_rec, ppocr_cls)")
    if name.startswith("ppocr_") and name[len("ppocr_"):] not in PPOCR_SHAPES:
        raise ValueError(f"'{entry}': the PP-OCR models are ppocr_det, ppocr_rec, ppocr_cls")
    return name, precision


def measure(args, entry, work):
    """{dlc, ort: (min, median) ms} and dlc's min over onnxruntime's for suite entry `entry`;
    None where its model cannot be had."""
    name, precision = parse_entry(entry)
    prepared = model_and_feed(name, Path(args.cache))
    if prepared is None:
        return None
    path, feed, options = prepared
    if precision != "fp32":
        options = options + [f"--precision={precision}"]
    dlc = library.CompiledModel(args.dlc, str(path), str(work), name=entry.replace(":", "_"),
                                options=options, threads=1)
    dlc.bind([feed[k] for k in feed])
    ort = ort_runner(path, feed, threads=1)
    times = interleaved({"dlc": dlc, "ort": ort}, args.runs)
    return times, times["dlc"][0] / times["ort"][0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", choices=sorted(SUITES), default="short")
    parser.add_argument("--models", nargs="+", help="instead of a suite")
    parser.add_argument("--runs", type=int, default=30, help="rounds per measurement")
    parser.add_argument("--repeats", type=int, default=2,
                        help="measurements more of a suspect model (default 2)")
    parser.add_argument("--baseline", default=str(Path(__file__).resolve().parent /
                                                   "baseline.json"))
    parser.add_argument("--update-baseline", action="store_true",
                        help="record this CPU's ratios in the baseline file")
    parser.add_argument("--report", help="also write the Markdown table to this file")
    parser.add_argument("--dlc", default=str(rb.REPO_ROOT / "build" / "bin" / "dlc"))
    parser.add_argument("--cache", default=str(rb.REPO_ROOT / "build" / "bench"))
    args = parser.parse_args()
    models = args.models or SUITES[args.suite]
    for entry in models:
        try:
            parse_entry(entry)
        except ValueError as bad:
            parser.error(str(bad))
    work = Path(args.cache) / "regress"
    work.mkdir(parents=True, exist_ok=True)

    baseline_path = Path(args.baseline)
    baseline = (json.loads(baseline_path.read_text()) if baseline_path.is_file()
                else {"format": FORMAT, "version": VERSION, "threshold": 0.25, "cpus": {}})
    if baseline.get("format") != FORMAT or baseline.get("version") != VERSION:
        print(f"regress: {baseline_path} is not a {FORMAT} file of version {VERSION}",
              file=sys.stderr)
        return 2
    cpu = cpu_key()
    known = baseline["cpus"].get(cpu, {}).get("ratios", {})
    threshold = float(baseline["threshold"])
    print(f"regress: {cpu}; {len(models)} models, {args.runs} rounds each, 1 thread; "
          f"threshold {100 * threshold:.0f}% over the baseline ratio", flush=True)

    rows, ratios, failed, limits, latency = [], {}, [], {}, {}
    for name in models:
        result = measure(args, name, work)
        if result is None:
            print(f"regress: {name}: its model cannot be fetched here; left out", flush=True)
            continue
        times, ratio = result
        measured = [ratio]
        limit = known[name] * (1 + threshold) if name in known else None
        limits[name] = limit
        # A suspect is measured again: the gate fails only on a slowdown that holds.
        while limit and min(measured) > limit and len(measured) <= args.repeats:
            print(f"regress: {name}: ratio {ratio:.3f} over the limit {limit:.3f}; measuring "
                  f"again", flush=True)
            times, ratio = measure(args, name, work)
            measured.append(ratio)
        best = min(measured)
        ratios[name] = best
        latency[name] = (times["dlc"][0], times["ort"][0])
        verdict = ("no baseline" if limit is None else
                   "ok" if best <= limit else f"SLOWER ({len(measured)} measurements)")
        if limit is not None and best > limit:
            failed.append(name)
        rows.append(f"| {name} | {times['dlc'][0]:.3f} / {times['dlc'][1]:.3f} | "
                    f"{times['ort'][0]:.3f} / {times['ort'][1]:.3f} | {best:.3f} | "
                    + (f"{known[name]:.3f} | {limit:.3f}" if limit else "- | -")
                    + f" | {verdict} |")
        print(rows[-1], flush=True)

    chosen = f"--models {' '.join(args.models)}" if args.models else f"--suite {args.suite}"
    table = "\n".join([
        "# The benchmark gate", "",
        f"Written by `python3 test/bench/regress.py {chosen}"
        + (f" --report {args.report}" if args.report else "") + "`; "
        "`.ci/run` runs the short suite (`--full-bench`: the full one) and fails on a "
        "slowdown that holds (docs/design.md, Decisions).", "",
        f"Benchmark gate on {cpu}, {date.today()}: dlc against onnxruntime "
        f"{onnxruntime.__version__} at 1 thread, called in turn, "
        f"{args.runs} rounds; ratio = dlc's minimum / onnxruntime's (the lowest of its "
        "measurements for a suspect model); limit = baseline x "
        f"{1 + threshold:.2f}.", "",
        "| model | dlc min / median ms | onnxruntime min / median ms | ratio | baseline | "
        "limit | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |", *rows, ""])
    print(table)
    history = baseline["cpus"].get(cpu, {}).get("history", [])
    if args.report:
        plots = plot(args.report, ratios, latency, known, limits, history, cpu)
        table += "".join(f"\n![{name}]({name})\n" for name in plots)
        Path(args.report).write_text(table)
    if args.update_baseline:
        entry = baseline["cpus"].setdefault(cpu, {"ratios": {}})
        entry["ratios"].update({k: round(v, 4) for k, v in ratios.items()})
        entry["updated"] = str(date.today())
        entry.setdefault("history", []).append(
            {"date": str(date.today()), "ratios": {k: round(v, 4) for k, v in ratios.items()}})
        baseline_path.write_text(json.dumps(baseline, indent=1, sort_keys=True) + "\n")
        print(f"regress: recorded {len(ratios)} ratios for {cpu} in {baseline_path}")
        return 0
    if failed:
        print(f"regress: FAIL: slower than the baseline beyond {100 * threshold:.0f}%: "
              + ", ".join(failed), file=sys.stderr)
        return 1
    print("regress: PASS" if known else "regress: no baseline for this CPU (no verdict)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
