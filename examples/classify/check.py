# The example's test: runs examples/classify/run.sh and compares what the app prints (10 logits
# and the arg-max class) with onnxruntime run on the same model and the same synthetic image.
"""Usage: python3 examples/classify/check.py --dlc build/bin/dlc --out-dir build/examples/classify

Passes when run.sh exits 0, prints logit[0..9] and one class line, and
  - the logits are within max|a - b| <= --rtol * max|b| of onnxruntime's (a: app, b: onnxruntime);
  - the printed class is onnxruntime's arg-max, exactly;
  - the printed class is the arg-max of the printed logits.
Exit status: 0 pass, 1 failure (the reason on stderr).
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NUM_CLASSES = 10

# The tolerance on the logits, err = max|a - b| / max|b|. Measured: 2.2e-7 (AMD EPYC, family 25
# model 1, i.e. Zen 3: AVX2 code; 2026-12). The bound leaves about 10x for another CPU's code
# (AVX-512 on CI's Intel Xeon sums in another order); a wrong kernel moves the logits by far more.
RTOL = 2e-6


def synthetic_image(channels, height, width):
    """app.c's fill_image in numpy: sin and cos in double, rounded to float once, in C's order
    ((0.3 * (c + 1)) * x)."""
    c = np.arange(channels, dtype=np.float64).reshape(-1, 1, 1)
    y = np.arange(height, dtype=np.float64).reshape(1, -1, 1)
    x = np.arange(width, dtype=np.float64).reshape(1, 1, -1)
    image = np.sin(0.3 * (c + 1) * x) * np.cos(0.2 * (c + 1) * y)
    return image.astype(np.float32)[np.newaxis]


def parse_output(text):
    """Returns (logits, class) from the app's stdout; raises ValueError when it is malformed."""
    logits = {}
    classes = []
    for line in text.splitlines():
        if m := re.fullmatch(r"logit\[(\d+)\] = ([-+0-9.eEinfa]+)", line.strip()):
            if int(m.group(1)) in logits:
                raise ValueError(f"logit[{m.group(1)}] printed twice")
            logits[int(m.group(1))] = float(m.group(2))
        elif m := re.fullmatch(r"class: (-?\d+)", line.strip()):
            classes.append(int(m.group(1)))
    if sorted(logits) != list(range(NUM_CLASSES)):
        raise ValueError(f"expected logit[0] .. logit[{NUM_CLASSES - 1}], got indices "
                         f"{sorted(logits)}")
    if len(classes) != 1:
        raise ValueError(f"expected one 'class: N' line, got {len(classes)}")
    return np.array([logits[k] for k in range(NUM_CLASSES)]), classes[0]


def reference_logits(model_path, image):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session.run(None, {name: image})[0].reshape(-1).astype(np.float64)


def check(args):
    """Returns a list of failure messages (empty when the example passes)."""
    env = dict(os.environ, DLC=args.dlc, OUT_DIR=str(args.out_dir))
    proc = subprocess.run([str(args.run)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)
    print(proc.stdout.rstrip())
    if proc.returncode != 0:
        return [f"{args.run} exited with status {proc.returncode}"]
    try:
        got, printed_class = parse_output(proc.stdout)
    except ValueError as err:
        return [f"cannot read the app's output: {err}"]

    model_path = args.out_dir / "small_cnn.onnx"
    session_input = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    shape = session_input.get_inputs()[0].shape  # [1, 3, H, W]
    want = reference_logits(model_path, synthetic_image(*shape[1:]))

    failures = []
    err = float(np.abs(got - want).max() / np.abs(want).max())
    print(f"onnxruntime logits: {np.array2string(want, precision=6, separator=', ')}")
    print(f"logits: max|a-b|/max|b| = {err:.3e} (bound {args.rtol:g})")
    if not err <= args.rtol:  # also catches NaN
        failures.append(f"the logits differ from onnxruntime's: max|a-b|/max|b| = {err:.3e} > "
                        f"{args.rtol:g}")
    want_class = int(np.argmax(want))
    print(f"class: printed {printed_class}, onnxruntime {want_class}")
    if printed_class != want_class:
        failures.append(f"the app prints class {printed_class}, onnxruntime's arg-max is "
                        f"{want_class}")
    if printed_class != int(np.argmax(got)):
        failures.append(f"the app prints class {printed_class}, the arg-max of its own logits is "
                        f"{int(np.argmax(got))}")
    # The class comparison is only meaningful if the top two logits are further apart than the
    # tolerance allows the app to move them.
    top2 = np.sort(want)[-2:]
    if top2[1] - top2[0] <= 2 * args.rtol * np.abs(want).max():
        failures.append(f"onnxruntime's top two logits ({top2[1]:.6g}, {top2[0]:.6g}) are too "
                        "close for the class to be compared; change the example's input")
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dlc", default=os.environ.get("DLC", str(ROOT / "build/bin/dlc")))
    parser.add_argument("--out-dir", type=Path, default=ROOT / "build/examples/classify")
    parser.add_argument("--run", type=Path, default=HERE / "run.sh", help="the demo script")
    parser.add_argument("--rtol", type=float, default=RTOL,
                        help=f"bound on max|a-b|/max|b| of the logits (default {RTOL:g})")
    args = parser.parse_args(argv)
    args.out_dir = args.out_dir.resolve()
    failures = check(args)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    if not failures:
        print("PASS: the example's logits and class match onnxruntime")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
