#!/usr/bin/env python3
# Reduced-precision benchmark: dlc's fp32, bf16 and int8 builds of a model against onnxruntime
# (fp32, and its int8 execution of the QDQ model) and OpenVINO (f32, bf16 hint, QDQ int8), all
# called alternately in this one process, at 1 thread.
"""Times dlc's fp32, bf16 and int8 compilations of models against onnxruntime and OpenVINO.

For each model M (resnet50, bert_base by default; mobilenetv2, and ppocr_rec, the trained
PP-OCRv4 recognizer, on request) the fp32 model and its QDQ form (onnxruntime's
quantize_static, as test/models/make_models.py writes it: qdq_resnet50 and qdq_mobilenetv2
S8S8, qdq_bert_base U8S8, per-channel weights) run as:

  dlc fp32    dlc compile M                       (a shared object loaded here)
  dlc bf16    dlc compile M --precision=bf16
  dlc int8    dlc compile qdq_M
  ort fp32    onnxruntime on M
  ort int8    onnxruntime on qdq_M (its int8 kernels)
  ov f32/bf16 OpenVINO on M with INFERENCE_PRECISION_HINT f32 / bf16 (when `openvino` imports)
  ov int8     OpenVINO on qdq_M

ppocr_rec's dlc int8 and dlc auto compile the fp32 model with a `dlc calibrate` table
(--precision=int8, and --precision=auto within 1% of top-1 moves per step); its errors are
against onnxruntime's fp32 (ppocr_rec() says how its QDQ form is made).

Each round calls every variant once, one after the other, so a change in the machine's load
affects all alike; the table gives the minimum and median of --runs rounds and the ratios the
issue names. Outputs are compared first: dlc fp32 and bf16 with onnxruntime fp32, dlc int8
with onnxruntime int8 (max |a - b| / max |b|). Where a DequantizeLinear gives the QDQ model's
output, the table also gives the share of output elements within one quantization step of
onnxruntime's int8 execution, for dlc, OpenVINO and onnxruntime's own unoptimized execution of
the QDQ graph (Q and DQ as written around float ops): how far rounding alone moves them.

    python3 test/bench/precision_bench.py [--models resnet50 bert_base mobilenetv2 ppocr_rec]
                                          [--runs 30] [--report docs/precision-benchmarks.md]
"""
import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_benchmarks as rb  # noqa: E402  (model_file, write_inputs, measure_peak, ...)

from peers import error, interleaved, openvino_runner, ort_runner  # noqa: E402
sys.path.insert(0, str(rb.REPO_ROOT / "compiler" / "tools" / "dlc"))
import library  # noqa: E402  (a dlc-compiled model called in this process)


def ppocr_rec(args, cache, work):
    """PP-OCRv4 recognition (trained; rapidocr-onnxruntime's) at 48x320 on a rendered line: the
    fp32 model, its QDQ form by onnxruntime's quantize_static (opset 13, MinMax on 32 rendered
    lines, per-channel U8S8, after quant_pre_process) for the peers' int8, and dlc's int8 and
    auto builds of the fp32 model from a `dlc calibrate` table of the same lines (auto: budget
    1% top-1 moves per step, validated on 32 other lines). Returns the paths, the feed and the
    dlc variants; None where the models cannot be fetched."""
    from onnx import version_converter
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process
    sys.path.insert(0, str(rb.REPO_ROOT / "test" / "e2e"))
    sys.path.insert(0, str(rb.REPO_ROOT / "test" / "models"))
    import fetch_ppocr
    from run_ppocr import prepare
    models = fetch_ppocr.fetch(str(rb.REPO_ROOT / "build" / "cache" / "ppocr"))
    if models is None:
        return None
    shape = (1, 3, 48, 320)
    lines = [prepare("rec", shape, np.random.default_rng(k)) for k in range(32)]
    others = [prepare("rec", shape, np.random.default_rng(500 + k)) for k in range(32)]
    np.savez(work / "rec_calibration.npz", x=np.stack(lines))
    np.savez(work / "rec_validation.npz", x=np.stack(others))
    table = work / "rec.calibration.json"
    rb.log("calibrating PP-OCR recognition (dlc calibrate)")
    subprocess.run([args.dlc, "calibrate", models["rec"], "--data",
                    str(work / "rec_calibration.npz"), "-o", str(table)], check=True)
    # onnxruntime's quantizer wants opset 13 (per-axis DequantizeLinear) and static shapes.
    fixed, qdq = cache / "ppocr_rec.onnx", cache / "qdq_ppocr_rec.onnx"
    model = onnx.load(models["rec"])
    for dim, size in zip(model.graph.input[0].type.tensor_type.shape.dim, shape):
        dim.ClearField("dim_param")
        dim.dim_value = size
    onnx.save(version_converter.convert_version(model, 13), str(fixed))
    quant_pre_process(str(fixed), str(work / "rec_pre.onnx"))
    batches = [{"x": x} for x in lines]

    class Reader(CalibrationDataReader):
        def get_next(self):
            return batches.pop() if batches else None

    rb.log("quantizing PP-OCR recognition (onnxruntime quantize_static)")
    quantize_static(str(work / "rec_pre.onnx"), str(qdq), Reader(),
                    quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    dims = ["--shape", "x=" + "x".join(map(str, shape))]
    calibrated = ["--calibration", str(table)]
    original = Path(models["rec"])
    dlc = [("dlc fp32", original, dims, "fp32"),
           ("dlc bf16", original, dims + ["--precision=bf16"], "fp32"),
           ("dlc int8", original, dims + ["--precision=int8"] + calibrated, "fp32"),
           ("dlc auto", original, dims + ["--precision=auto", "--accuracy-budget=0.01",
                                          "--accuracy-metric=top1", "--validation",
                                          str(work / "rec_validation.npz")] + calibrated, "fp32")]
    return original, qdq, {"x": others[0]}, dlc


def output_step(path):
    """The quantization step of the model's first output where a DequantizeLinear with a
    constant scalar scale produces it, else None."""
    model = onnx.load(str(path), load_external_data=False)
    producer = {out: node for node in model.graph.node for out in node.output}
    node = producer.get(model.graph.output[0].name)
    scales = {t.name: t for t in model.graph.initializer}
    if node is None or node.op_type != "DequantizeLinear" or node.input[1] not in scales:
        return None
    scale = onnx.numpy_helper.to_array(scales[node.input[1]])
    return float(scale) if scale.size == 1 else None


def within_one_step(a, b, step):
    """The share of elements of `a` within one quantization step `step` of `b`."""
    steps = np.round(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)) / step)
    return float(np.mean(steps <= 1))


def reference_int8(path, feed):
    """onnxruntime on the QDQ model without graph optimizations: each Q and DQ computed as
    written around float ops, where its optimized session fuses them into integer kernels."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, feed)


def bench(name, args, cache, work):
    if name == "ppocr_rec":
        prepared = ppocr_rec(args, cache, work)
        if prepared is None:
            rb.log("PP-OCR models cannot be fetched; skipped")
            return None
        fp32_path, qdq_path, feed, dlc = prepared
    else:
        fp32_path = rb.model_file(name, cache)
        qdq_path = rb.model_file(f"qdq_{name}", cache)
        feed, _ = rb.write_inputs(name, fp32_path, cache)
        dlc = [("dlc fp32", fp32_path, [], "fp32"),
               ("dlc bf16", fp32_path, ["--precision=bf16"], "fp32"),
               ("dlc int8", qdq_path, [], "int8")]
    variants, against = {}, {}
    for label, path, extra, reference in dlc:
        rb.log(f"compiling {path.name} ({label})")
        runner = library.CompiledModel(args.dlc, path, work, f"{name}_{label.split()[1]}", extra)
        runner.bind(list(feed.values()))
        variants[label], against[label] = runner, reference
    variants["ort fp32"] = ort_runner(fp32_path, feed)
    variants["ort int8"] = ort_runner(qdq_path, feed)
    for label, path, precision in (("ov f32", fp32_path, "f32"), ("ov bf16", fp32_path, "bf16"),
                                   ("ov int8", qdq_path, None)):
        runner = openvino_runner(path, feed, precision)
        if runner:
            variants[label] = runner

    reference = {"fp32": variants["ort fp32"](), "int8": variants["ort int8"]()}
    errors = {label: error(variants[label]()[0], reference[against.get(
                  label, "int8" if "int8" in label else "fp32")][0])
              for label in variants}
    # The int8 criterion: outputs within one quantization step of onnxruntime's int8
    # execution; onnxruntime's own unoptimized execution of the QDQ graph shows how far
    # rounding alone moves them.
    agreement = {}
    step = output_step(qdq_path)
    if step:
        outputs = {label: variants[label]()[0] for label in ("dlc int8", "ov int8")
                   if label in variants and against.get(label, "int8") == "int8"}
        outputs["onnxruntime unoptimized"] = reference_int8(qdq_path, feed)[0]
        agreement = {label: within_one_step(out, reference["int8"][0], step)
                     for label, out in outputs.items()}
    times = interleaved(variants, args.runs)
    rows = {label: (low, mid, errors[label]) for label, (low, mid) in times.items()}
    return rows, agreement


def report(name, rows, agreement):
    def ratio(a, b):
        return (f"{rows[a][1] / rows[b][1]:.2f} (min {rows[a][0] / rows[b][0]:.2f})"
                if a in rows and b in rows else "—")
    lines = [f"### {name}", "", "| variant | min ms | median ms | error vs onnxruntime |",
             "| --- | --- | --- | --- |"]
    for label, (low, mid, err) in rows.items():
        lines.append(f"| {label} | {low:.2f} | {mid:.2f} | {err:.1e} |")
    lines += ["", "| ratio (medians; minimums in brackets) | value |", "| --- | --- |"]
    for a, b in (("dlc int8", "dlc fp32"), ("dlc bf16", "dlc fp32"), ("dlc auto", "dlc bf16"),
                 ("dlc fp32", "ort fp32"),
                 ("dlc int8", "ort int8"), ("dlc int8", "ov int8"), ("dlc fp32", "ov f32"),
                 ("dlc bf16", "ov bf16")):
        lines.append(f"| {a} / {b} | {ratio(a, b)} |")
    if agreement:
        lines += ["", "| int8 output elements within one quantization step of onnxruntime's "
                  "int8 | share |", "| --- | --- |"]
        lines += [f"| {label} | {share * 100:.2f}% |" for label, share in agreement.items()]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dlc", default=str(rb.REPO_ROOT / "build" / "bin" / "dlc"))
    parser.add_argument("--models", nargs="+", default=["resnet50", "bert_base"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cache", default=str(rb.REPO_ROOT / "build" / "bench"))
    parser.add_argument("--report", help="also write the results to this Markdown file")
    args = parser.parse_args(argv)
    cache = Path(args.cache)
    work = cache / "precision"
    work.mkdir(parents=True, exist_ok=True)
    peaks, _ = rb.measure_peak(args.dlc, 600)
    lines = [f"- CPU: {rb.machine_description()}; 1 thread; {args.runs} rounds",
             "- Peaks, one core (`dlc bench --peak`): " + ", ".join(
                 f"{rb.PEAK_NAMES[k]} {v:.0f} G(FL)OP/s" for k, v in peaks.items())]
    try:
        import openvino
        lines.append(f"- onnxruntime {ort.__version__}, OpenVINO {openvino.__version__}")
    except ImportError:
        lines.append(f"- onnxruntime {ort.__version__}; OpenVINO not installed "
                     "(pip install openvino)")
    lines.append(f"- dlc: {rb.dlc_description(args.dlc)}")
    print("\n".join(lines), flush=True)
    for name in args.models:
        result = bench(name, args, cache, work)
        if result is None:
            continue
        table = report(name, *result)
        print("\n" + table, flush=True)
        lines += ["", table]
    if args.report:
        started = time.strftime("%Y-%m-%d %H:%M")
        header = ["<!-- Generated by test/bench/precision_bench.py; do not edit by hand. -->",
                  "# Reduced precision: dlc fp32, bf16 and int8 vs onnxruntime and OpenVINO", "",
                  f"Generated on {started} (local time) by `python3 test/bench/precision_bench.py "
                  f"--models {' '.join(args.models)} --runs {args.runs} --report ...`. Every "
                  "round calls each variant once, in turn, in one process; minimum and median "
                  "over the rounds. The int8 variants run the QDQ model (onnxruntime's "
                  "quantize_static), the others the fp32 model, except ppocr_rec's dlc int8 and "
                  "dlc auto, which compile the fp32 model with a dlc calibrate table. Errors are "
                  "max |a - b| / max |b| against onnxruntime (fp32, or its int8 execution for "
                  "the QDQ model).", ""]
        Path(args.report).write_text("\n".join(header + lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
