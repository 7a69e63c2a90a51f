#!/usr/bin/env python3
# PP-OCR's trained recognition and detection models compiled by dlc in bf16, in int8 (from a
# calibration by `dlc calibrate`) and per node within a budget (--precision=auto), against the
# same models compiled in fp32.
"""PP-OCRv4 recognition and detection (rapidocr-onnxruntime 1.4.4) in reduced precision.

    python3 test/e2e/ppocr_precision.py [--dlc build/bin/dlc] [--work DIR] [--cache DIR]
                                        [--lines 200] [--pages 6] [--auto-budget 0.01]

Renders text lines (48 x 320, words in a Debian font, as test/e2e/run_ppocr.py draws them) and
pages (480 x 640), and compiles each model three times with dlc: fp32, --precision=bf16, and
--precision=int8 with a table `dlc calibrate` (minmax) recorded on other lines and pages than
the ones checked (32 lines, 4 pages). Then:

- recognition: the string each line reads as, by RapidOCR's greedy CTC decoding (the best
  class per step, repeats merged, blanks dropped, classes named by the model's `character`
  metadata) without leading and trailing spaces, in bf16 and in int8 must equal fp32's on at
  least --min-bf16 and --min-int8 of the lines (default 97%, the figure the project aims at).
  The spaces are set aside because a line's blank margin reads as blanks or spaces, a choice
  that moves with rounding: fp32 itself ends 186 of the 200 lines with spaces, and every line
  bf16 reads differently from fp32 differs only there (Zen 5). The figure with them is printed
  too;
- recognition with --precision=auto (--accuracy-budget --auto-budget, metric top1, the same
  table, 32 more lines to validate on): the top-1 class of each time step on those lines moves
  against fp32 on at most the budget's fraction of steps (measured here, not taken from the
  search), and the lines agree as above (--min-auto); its latency and bf16's are printed;
- detection: the text probability map binarized at 0.3 (RapidOCR's threshold) in bf16 and in
  int8 must cover the same pixels as fp32's at IoU >= --min-iou (0.9) on every page.

On a target without fast bf16 products (see `dlc targets`) the bf16 build is fp32 and agrees
trivially. Prints every figure. Exit status 0 pass, 1 failure, 77 when the models cannot be
fetched or this machine's CPU has no int8 kernels (AVX512-VNNI: `dlc targets` lists int8 among
the host's precisions), where --precision=int8 is refused.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "models"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "compiler", "tools", "dlc"))
sys.dont_write_bytecode = True
import fetch_ppocr  # noqa: E402
import library  # noqa: E402  (a dlc-compiled model called in this process)
from run_ppocr import prepare  # noqa: E402  (rendered text, normalized as RapidOCR does)

REC_SHAPE, DET_SHAPE = (1, 3, 48, 320), (1, 3, 480, 640)
DET_THRESHOLD = 0.3


def classes(model):
    """The characters of the recognizer's classes, as RapidOCR reads them: a blank (class 0),
    the model's `character` metadata one per line, and a space (the last class)."""
    import onnx
    metadata = {p.key: p.value for p in onnx.load(model, load_external_data=False).metadata_props}
    return ["", *metadata["character"].splitlines(), " "]


def decode(probabilities, characters):
    """The greedy CTC reading of a [1, T, C] output: the best class per step, repeats merged,
    blanks (0) dropped, as a string."""
    best = probabilities[0].argmax(axis=-1)
    if len(characters) != probabilities.shape[-1]:
        raise ValueError(f"{len(characters)} characters for {probabilities.shape[-1]} classes")
    return "".join(characters[c] for k, c in enumerate(best)
                   if c != 0 and (k == 0 or c != best[k - 1]))


def iou(a, b):
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def agrees(what, readings, reference, least):
    """Whether at least `least` of `readings` equal `reference`'s without the spaces at their
    ends; prints the figure with and without them and the lines whose text differs."""
    same = sum(a.strip() == b.strip() for a, b in zip(readings, reference))
    exact = sum(a == b for a, b in zip(readings, reference))
    good = same / len(reference) >= least
    print(f"{'ok  ' if good else 'FAIL'} {what}: {same} of {len(reference)} lines read as in fp32 "
          f"({same / len(reference):.1%}; at least {least:.1%}; {exact} with the spaces at "
          "their ends)")
    for a, b in zip(readings, reference):
        if a.strip() != b.strip():
            print(f"       {a.strip()!r} where fp32 reads {b.strip()!r}")
    return good


def builds(dlc, model, kind, shape, calibration, work):
    """{precision: CompiledModel} of `model` for fp32, bf16 and int8 (with `calibration`)."""
    dims = "x=" + "x".join(map(str, shape))
    options = {"fp32": [], "bf16": ["--precision=bf16"],
               "int8": ["--precision=int8", "--calibration", calibration]}
    return {precision: library.CompiledModel(dlc, model, work, f"{kind}_{precision}",
                                             ["--shape", dims, *extra])
            for precision, extra in options.items()}


def calibrate(dlc, model, samples, work, kind):
    data, table = os.path.join(work, f"{kind}_samples.npz"), os.path.join(work, f"{kind}.json")
    np.savez(data, x=np.stack(samples))
    subprocess.run([dlc, "calibrate", model, "--data", data, "-o", table], check=True)
    return table


def host_precisions(dlc):
    """The precisions `dlc targets` lists for the host target ("f32, bf16, int8")."""
    described = subprocess.run([dlc, "targets"], check=True, capture_output=True,
                               text=True).stdout
    block = described.split("\n\n")[0]
    for line in block.splitlines():
        if line.strip().startswith("precisions:"):
            return [p.strip() for p in line.split(":", 1)[1].split(",")]
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlc", default=os.environ.get("DLC", os.path.join(
        HERE, "..", "..", "build", "bin", "dlc")))
    parser.add_argument("--work", help="working directory (default: a temporary one)")
    parser.add_argument("--cache", default=fetch_ppocr.DEFAULT_CACHE)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--min-bf16", type=float, default=0.97)
    parser.add_argument("--min-int8", type=float, default=0.97)
    parser.add_argument("--min-iou", type=float, default=0.9)
    parser.add_argument("--min-auto", type=float, default=0.97)
    parser.add_argument("--auto-budget", type=float, default=0.01,
                        help="--accuracy-budget of the auto build (top-1 moves per step)")
    args = parser.parse_args()
    if "int8" not in host_precisions(args.dlc):
        print("SKIP: this CPU has no int8 kernels (AVX512-VNNI); dlc targets lists the host's "
              "precisions")
        return fetch_ppocr.EXIT_SKIP
    models = fetch_ppocr.fetch(args.cache)
    if models is None:
        return fetch_ppocr.EXIT_SKIP
    work = args.work or tempfile.mkdtemp(prefix="dlc-ppocr-precision-")
    os.makedirs(work, exist_ok=True)
    ok = True

    # Recognition: the lines checked and, drawn apart, the lines calibrated on.
    lines = [prepare("rec", REC_SHAPE, np.random.default_rng(1000 + k)) for k in range(args.lines)]
    table_rec = calibrate(args.dlc, models["rec"],
                          [prepare("rec", REC_SHAPE, np.random.default_rng(k))
                           for k in range(32)], work, "rec")
    rec = builds(args.dlc, models["rec"], "rec", REC_SHAPE, table_rec, work)
    characters = classes(models["rec"])
    readings = {p: [decode(m.run([line])[0], characters) for line in lines]
                for p, m in rec.items()}
    read = sum(1 for r in readings["fp32"] if r.strip())
    print(f"recognition: {read} of {len(lines)} lines read as non-empty strings in fp32, "
          f"{sum(r != r.strip() for r in readings['fp32'])} with spaces at an end")
    for precision in ("bf16", "int8"):
        ok &= agrees(f"recognition {precision}", readings[precision], readings["fp32"],
                     getattr(args, f"min_{precision}"))

    # Recognition with --precision=auto: the search measures top-1 agreement per time step on
    # 32 more lines; the library it writes must keep that within the budget (measured here
    # again, against the fp32 build), and it is timed against bf16 alone (calls alternating).
    validation = [prepare("rec", REC_SHAPE, np.random.default_rng(500 + k)) for k in range(32)]
    np.savez(os.path.join(work, "rec_validation.npz"), x=np.stack(validation))
    auto = library.CompiledModel(
        args.dlc, models["rec"], work, "rec_auto",
        ["--shape", "x=" + "x".join(map(str, REC_SHAPE)), "--precision=auto",
         f"--accuracy-budget={args.auto_budget}", "--accuracy-metric=top1",
         "--calibration", table_rec, "--validation",
         os.path.join(work, "rec_validation.npz")])
    moved = sum(int((auto.run([x])[0].argmax(-1) != rec["fp32"].run([x])[0].argmax(-1)).sum())
                for x in validation)
    steps = len(validation) * rec["fp32"].outputs[0][1][1]
    good = moved / steps <= args.auto_budget
    ok &= good
    print(f"{'ok  ' if good else 'FAIL'} recognition auto: top-1 moves on {moved} of {steps} "
          f"validation steps ({moved / steps:.2%}; budget {args.auto_budget:.2%})")
    ok &= agrees("recognition auto", [decode(auto.run([line])[0], characters) for line in lines],
                 readings["fp32"], args.min_auto)
    times = {"bf16": [], "auto": []}
    for model in (rec["bf16"], auto):
        model.bind([lines[0]])
        model()
    for _ in range(30):
        for kind, model in (("bf16", rec["bf16"]), ("auto", auto)):
            start = time.perf_counter()
            model()
            times[kind].append(time.perf_counter() - start)
    print("recognition latency, 1 thread, median of 30 alternating calls: " +
          ", ".join(f"{k} {1e3 * np.median(v):.2f} ms" for k, v in times.items()) +
          f" (auto / bf16 {np.median(times['auto']) / np.median(times['bf16']):.2f})")

    # Detection.
    pages = [prepare("det", DET_SHAPE, np.random.default_rng(2000 + k))
             for k in range(args.pages)]
    table = calibrate(args.dlc, models["det"],
                      [prepare("det", DET_SHAPE, np.random.default_rng(3000 + k))
                       for k in range(4)], work, "det")
    det = builds(args.dlc, models["det"], "det", DET_SHAPE, table, work)
    masks = {p: [m.run([page])[0] > DET_THRESHOLD for page in pages] for p, m in det.items()}
    print(f"detection: fp32 marks {np.mean([m.mean() for m in masks['fp32']]):.1%} of the "
          "pixels as text on average")
    for precision in ("bf16", "int8"):
        scores = [iou(a, b) for a, b in zip(masks[precision], masks["fp32"])]
        good = min(scores) >= args.min_iou
        ok &= good
        print(f"{'ok  ' if good else 'FAIL'} detection {precision}: IoU with fp32 "
              f"{min(scores):.3f} (lowest) to {max(scores):.3f} over {len(pages)} pages "
              f"(at least {args.min_iou})")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
