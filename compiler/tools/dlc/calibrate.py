#!/usr/bin/env python3
"""dlc calibrate: records the range of every float tensor of a model over a set of inputs.

    dlc calibrate MODEL --data DIR|FILE.npz [--method minmax|percentile|entropy]
                  [--percentile P] -o TABLE.json

(`dlc calibrate` runs this script with --dlc set to itself.) The model runs compiled by dlc
(every float node output exposed as a graph output; compiled once, linked with `cc -shared` and
called in this process) on each input set; the float graph inputs' ranges are the samples':

- FILE.npz: one array per graph input, named like it, its first axis the samples;
- DIR: one .npz file per sample (arrays named like the graph inputs) or, for a model with one
  input, one .npy file per sample; files in name order.

Methods, per tensor:
- minmax: the smallest and largest value seen;
- percentile and entropy clip each side of the tensor on its own values, as dlc quantizes
  activations to uint8 over [low, high]: the positive side gets round(255 max / (max - min))
  steps, the negative side the rest, and a side with fewer than 16 steps (a ReLU or HardSwish
  output's negative side) keeps its extreme. Per side, from a 2048-bin histogram over all
  samples:
  - percentile: the P-th percentile of the side's |x| (default 99.99);
  - entropy: the threshold TensorRT's calibration chooses, minimizing the KL divergence
    between the side's histogram and its quantization to the side's steps.

The table (JSON, stable; `version` changes if its meaning does):
    {"format": "dlc-calibration", "version": 1, "model": FILE NAME, "model_sha256": HEX,
     "method": M, "samples": N, "data": PATH,
     "tensors": {NAME: {"min": MIN, "max": MAX, "range": [LOW, HIGH]}, ...}}
`min`/`max` are what the samples reached; `range` is what the method keeps; `data` is where the
samples were (dlc compile --precision=auto measures on them when given no --validation).
Errors (no samples, an input of another shape or type, a model dlc cannot run) write nothing
and exit 1.
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import shape_inference

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import compare  # noqa: E402  (candidates, with_outputs: the probe model dlc compare also runs)
import library  # noqa: E402  (the probe compiled once, called for every sample)

BINS = 2048
MIN_SIDE_LEVELS = 16  # a side of a tensor with fewer uint8 steps than this is not clipped
FORMAT, VERSION = "dlc-calibration", 1


class CalibrationError(Exception):
    """Bad input or a failed run; the message names the file or tensor and the reason."""


def read_samples(data, inputs):
    """The input sets: a list of {input name: array}."""
    names = [v.name for v in inputs]
    if os.path.isfile(data):
        if not data.endswith(".npz"):
            raise CalibrationError(f"{data}: --data takes a directory or an .npz file")
        archive = np.load(data)
        missing = [n for n in names if n not in archive.files]
        if missing:
            raise CalibrationError(f"{data}: no array for graph input(s) {', '.join(missing)}")
        counts = {archive[n].shape[0] if archive[n].ndim else 0 for n in names}
        if len(counts) != 1:
            raise CalibrationError(f"{data}: the inputs' arrays hold different numbers of samples")
        return [{n: archive[n][i] for n in names} for i in range(counts.pop())]
    if not os.path.isdir(data):
        raise CalibrationError(f"{data}: no such file or directory")
    samples = []
    for file in sorted(os.listdir(data)):
        path = os.path.join(data, file)
        if file.endswith(".npz"):
            archive = np.load(path)
            missing = [n for n in names if n not in archive.files]
            if missing:
                raise CalibrationError(f"{path}: no array for graph input(s) {', '.join(missing)}")
            samples.append({n: archive[n] for n in names})
        elif file.endswith(".npy"):
            if len(names) != 1:
                raise CalibrationError(f"{path}: a model with {len(names)} inputs needs .npz "
                                       "samples naming them")
            samples.append({names[0]: np.load(path)})
    return samples


def sha256(path):
    """The SHA-256 of the file at `path` (hex): what ties a table or plan to its model."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_json(path, document):
    """Writes `document` to `path` whole or not at all (through a temporary next to it)."""
    partial = path + ".partial"
    with open(partial, "w") as f:
        f.write(json.dumps(document, indent=1) + "\n")
    os.replace(partial, path)


def check_sample(sample, inputs, where):
    """Raises when an input of `sample` does not have the graph input's type and shape."""
    for value in inputs:
        array = sample[value.name]
        want = onnx.helper.tensor_dtype_to_np_dtype(value.type.tensor_type.elem_type)
        if array.dtype != want:
            raise CalibrationError(f"{where}: input \"{value.name}\" is {array.dtype}, the model "
                                   f"takes {np.dtype(want)}")
        dims = [d.dim_value if d.HasField("dim_value") else None
                for d in value.type.tensor_type.shape.dim]
        if len(dims) != array.ndim or any(d is not None and d != s
                                          for d, s in zip(dims, array.shape)):
            raise CalibrationError(f"{where}: input \"{value.name}\" has shape "
                                   f"{list(array.shape)}, the model takes "
                                   f"{[d if d is not None else '?' for d in dims]}")


def float_tensors(model):
    """Every float node output with a static inferred type, in node order."""
    return [value for _name, _node, value in compare.candidates(model)
            if value.type.tensor_type.elem_type == onnx.TensorProto.FLOAT]


def run_dlc(dlc, model, samples, inputs, work):
    """The exposed tensors' values under dlc for each input set: the model compiled once and
    run on every sample in this process."""
    path = os.path.join(work, "probe.onnx")
    onnx.save(model, path)
    try:
        probe = library.CompiledModel(dlc, path, work, name="probe")
        return [probe.run([sample[v.name] for v in inputs]) for sample in samples]
    except library.LibraryError as exc:
        raise CalibrationError(str(exc)) from exc


def entropy_threshold(histogram, edges, levels):
    """TensorRT's calibration: the threshold (a bin edge) whose clipped histogram, quantized to
    `levels` bins, loses the least information (KL divergence) against the clipped original."""
    total = histogram.astype(np.float64)
    best, best_kl = edges[-1], np.inf
    for i in range(levels, len(total) + 1):
        reference = total[:i].copy()
        reference[i - 1] += total[i:].sum()  # the outliers land in the last kept bin
        if reference.sum() == 0:
            continue
        # The first i bins merged into `levels` groups (as np.array_split cuts them), each
        # group's mass spread back evenly over its non-empty bins.
        sizes = np.full(levels, i // levels)
        sizes[:i % levels] += 1
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        used = (total[:i] > 0).astype(np.float64)
        mass = np.add.reduceat(total[:i], starts)
        count = np.add.reduceat(used, starts)
        spread = np.divide(mass, count, out=np.zeros(levels), where=count > 0)
        candidate = np.repeat(spread, sizes) * used
        p = reference / reference.sum()
        q = candidate / candidate.sum() if candidate.sum() else candidate
        support = p > 0
        if (q[support] == 0).any():
            continue
        kl = float(np.sum(p[support] * np.log(p[support] / q[support])))
        if kl < best_kl:
            best, best_kl = edges[i], kl
    return float(best)


def side_threshold(method, magnitudes, extreme, levels, percentile):
    """Where `method` clips one side of a tensor: `magnitudes` are that side's |x| (arrays, one
    per sample), `extreme` the largest, `levels` the uint8 steps the side gets."""
    if extreme <= 0 or levels < MIN_SIDE_LEVELS:
        return extreme  # a side too narrow to clip keeps its extreme
    histogram = np.zeros(BINS, np.int64)
    edges = np.linspace(0.0, extreme, BINS + 1)
    for m in magnitudes:
        histogram += np.histogram(m, bins=edges)[0]
    if method == "percentile":
        cumulative = np.cumsum(histogram) / max(histogram.sum(), 1)
        return float(edges[min(np.searchsorted(cumulative, percentile / 100.0) + 1, BINS)])
    return entropy_threshold(histogram, edges, levels)


def main():
    parser = argparse.ArgumentParser(prog="dlc calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--data", required=True, help="a directory of samples or an .npz file")
    parser.add_argument("--method", choices=["minmax", "percentile", "entropy"], default="minmax")
    parser.add_argument("--percentile", type=float, default=99.99,
                        help="with --method percentile (default 99.99)")
    parser.add_argument("-o", "--output", required=True, help="the table to write (JSON)")
    parser.add_argument("--dlc", default="dlc")
    args = parser.parse_args()
    try:
        if not 0 < args.percentile <= 100:
            raise CalibrationError(f"--percentile {args.percentile} is not in (0, 100]")
        try:
            model = onnx.load(args.model)
        except Exception as exc:  # onnx raises several kinds
            raise CalibrationError(f"{args.model}: cannot read the model: {exc}") from exc
        initializers = {t.name for t in model.graph.initializer}
        inputs = [v for v in model.graph.input if v.name not in initializers]
        samples = read_samples(args.data, inputs)
        if not samples:
            raise CalibrationError(f"{args.data}: no samples")
        for k, sample in enumerate(samples):
            check_sample(sample, inputs, f"{args.data}: sample {k}")
        # Symbolic dimensions take the first sample's sizes; then every tensor's type is known.
        for value in inputs:
            dims = value.type.tensor_type.shape.dim
            for dim, size in zip(dims, samples[0][value.name].shape):
                dim.ClearField("dim_param")
                dim.dim_value = size
        model = shape_inference.infer_shapes(model, data_prop=True)
        tensors = float_tensors(model)
        if not tensors:
            raise CalibrationError(f"{args.model}: no float tensor to calibrate")
        probe = compare.with_outputs(model, tensors)
        names = [t.name for t in tensors]

        with tempfile.TemporaryDirectory(prefix="dlc-calibrate-") as work:
            values = run_dlc(args.dlc, probe, samples, inputs, work)
        # The float graph inputs are tensors too: their values are the samples.
        float_inputs = [v.name for v in inputs
                        if v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT]
        names = float_inputs + names
        values = [[sample[n] for n in float_inputs] + list(v) for sample, v in zip(samples, values)]
        low = {n: min(float(v[i].min()) for v in values) for i, n in enumerate(names)}
        high = {n: max(float(v[i].max()) for v in values) for i, n in enumerate(names)}
        table = {}
        for i, name in enumerate(names):
            kept = [low[name], high[name]]
            if args.method != "minmax":
                # uint8 over [low, high]: each side gets its share of the 255 steps and is
                # clipped on its own values.
                span = high[name] - min(low[name], 0.0)
                sides = []
                for sign, extreme in ((1.0, max(high[name], 0.0)), (-1.0, max(-low[name], 0.0))):
                    levels = int(round(255 * extreme / span)) if span > 0 else 0
                    magnitudes = [sign * v[i][sign * v[i] > 0] for v in values]
                    sides.append(side_threshold(args.method, magnitudes, extreme, levels,
                                                args.percentile))
                kept = [-sides[1] if low[name] < 0 else 0.0, sides[0]]
            table[name] = {"min": low[name], "max": high[name], "range": kept}
        write_json(args.output, {
            "format": FORMAT, "version": VERSION, "model": os.path.basename(args.model),
            "model_sha256": sha256(args.model), "method": args.method, "samples": len(samples),
            "data": os.path.abspath(args.data), "tensors": table})
        print(f"dlc calibrate: {len(table)} tensors over {len(samples)} samples "
              f"({args.method}) -> {args.output}")
        return 0
    except CalibrationError as exc:
        print(f"dlc calibrate: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
