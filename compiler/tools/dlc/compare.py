#!/usr/bin/env python3
"""dlc compare: finds the first tensor of a model whose value under dlc differs from onnxruntime's.

    dlc compare MODEL [INPUT...] [--shape NAME=DIMS] [--atol A] [--rtol R] [--bisect]

(`dlc compare` runs this script with --dlc set to itself.) Inputs are .npy files in graph-input
order or NAME=FILE; inputs not given get deterministic uniform values in [-1, 1). Every node output
(in topological order) is compared: a tensor differs when max|a - b| > atol + rtol * max|b|.

Without --bisect, one run of each exposes every intermediate tensor as an extra graph output:
quick, but a dlc bug that only appears inside a fused kernel may vanish when the tensors it
fuses are made outputs. --bisect compiles prefixes of the model that end at one tensor (its only
output, so dlc fuses as it would in the whole model) and halves the range until it finds the
first tensor that differs: about log2(nodes) compilations.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import shape_inference


def parse_shape(text):
    name, dims = text.split("=", 1)
    return name, [int(d) for d in dims.split("x")]


def load(path, shapes):
    """The model with input shapes fixed and every value's type inferred."""
    model = onnx.load(path)
    initializers = {t.name for t in model.graph.initializer}
    for value in model.graph.input:
        if value.name in shapes:
            dims = value.type.tensor_type.shape.dim
            del dims[:]
            for size in shapes[value.name]:
                dims.add().dim_value = size
    model = shape_inference.infer_shapes(model, data_prop=True)
    inputs = [v for v in model.graph.input if v.name not in initializers]
    return model, inputs


def static_type(value):
    dims = value.type.tensor_type.shape.dim
    return value.type.HasField("tensor_type") and all(d.HasField("dim_value") for d in dims)


def candidates(model):
    """(tensor name, node) for every node output with a static inferred type, in node order."""
    types = {v.name: v for v in list(model.graph.value_info) + list(model.graph.output)}
    found = []
    for node in model.graph.node:
        if node.op_type == "Constant":
            continue
        for output in node.output:
            if output in types and static_type(types[output]):
                found.append((output, node, types[output]))
    return found


def with_outputs(model, values):
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    del probe.graph.output[:]
    probe.graph.output.extend(values)
    return probe


def run_dlc(dlc, model, feeds, work, shapes):
    """dlc run of `model` on `feeds`; returns its outputs or raises with dlc's message."""
    path = os.path.join(work, "probe.onnx")
    onnx.save(model, path)
    files = []
    for name, array in feeds.items():
        file = os.path.join(work, f"input_{len(files)}.npy")
        np.save(file, array)
        files.append(f"{name}={file}")
    out = os.path.join(work, "outputs")
    command = [dlc, "run", path, *files, "--output-dir", out]
    for name, dims in shapes.items():
        command += ["--shape", f"{name}={'x'.join(map(str, dims))}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip())
    return [np.load(os.path.join(out, f"output_{k}.npy")) for k in range(len(model.graph.output))]


def run_ort(model, feeds):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def difference(got, want, atol, rtol):
    """(differs, max|a-b|, max|b|) of two arrays."""
    if got.shape != want.shape:
        return True, float("inf"), 0.0
    a, b = got.astype(np.float64), want.astype(np.float64)
    diff = float(np.abs(a - b).max()) if a.size else 0.0
    scale = float(np.abs(b).max()) if b.size else 0.0
    return not (diff <= atol + rtol * scale), diff, scale


def describe(node, name, diff, scale):
    attributes = ", ".join(f"{a.name}={onnx.helper.get_attribute_value(a)}"
                           for a in node.attribute if a.type != onnx.AttributeProto.TENSOR)
    return (f'first tensor that differs: "{name}", output of node "{node.name}" ({node.op_type}'
            f'{", " + attributes if attributes else ""})\n'
            f"  inputs: {', '.join(node.input)}\n"
            f"  max|dlc - onnxruntime| = {diff:.3e}, max|onnxruntime| = {scale:.3e}"
            f" (relative {diff / scale if scale else float('inf'):.3e})")


def main():
    parser = argparse.ArgumentParser(prog="dlc compare", description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("inputs", nargs="*", help=".npy files, in graph-input order or NAME=FILE")
    parser.add_argument("--shape", action="append", default=[], type=parse_shape,
                        metavar="NAME=DIMS")
    parser.add_argument("--atol", type=float, default=0.0)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--bisect", action="store_true")
    parser.add_argument("--dlc", default="dlc")
    args = parser.parse_args()

    shapes = dict(args.shape)
    model, inputs = load(args.model, shapes)
    feeds, positional = {}, 0
    for entry in args.inputs:
        name, _, file = entry.rpartition("=") if "=" in entry and "/" not in entry.split("=")[0] \
            else ("", "", entry)
        if not name:
            name = inputs[positional].name
            positional += 1
        feeds[name] = np.load(file)
        shapes.setdefault(name, list(feeds[name].shape))
    if args.inputs:
        model, inputs = load(args.model, shapes)
    rng = np.random.default_rng(0)
    for value in inputs:
        if value.name not in feeds:
            if not static_type(value):
                sys.exit(f"dlc compare: input \"{value.name}\" has no static shape; give --shape "
                         f"or an input file")
            dims = [d.dim_value for d in value.type.tensor_type.shape.dim]
            dtype = onnx.helper.tensor_dtype_to_np_dtype(value.type.tensor_type.elem_type)
            feeds[value.name] = rng.uniform(-1, 1, dims).astype(dtype)

    tensors = candidates(model)
    if not tensors:
        sys.exit("dlc compare: no node output with a static shape to compare")
    with tempfile.TemporaryDirectory(prefix="dlc-compare-") as work:
        if not args.bisect:
            probe = with_outputs(model, [value for _, _, value in tensors])
            got, want = run_dlc(args.dlc, probe, feeds, work, shapes), run_ort(probe, feeds)
            for (name, node, _), a, b in zip(tensors, got, want):
                differs, diff, scale = difference(a, b, args.atol, args.rtol)
                if differs:
                    print(describe(node, name, diff, scale))
                    return 1
            print(f"all {len(tensors)} tensors agree within atol {args.atol:g} + rtol "
                  f"{args.rtol:g} * max|onnxruntime|")
            return 0
        # Bisection over prefixes: [low, high) holds the first differing tensor.
        def probe_at(index):
            name, node, value = tensors[index]
            probe = with_outputs(model, [value])
            a, = run_dlc(args.dlc, probe, feeds, work, shapes)
            b, = run_ort(probe, feeds)
            return difference(a, b, args.atol, args.rtol)
        last = probe_at(len(tensors) - 1)
        if not last[0]:
            print(f"the last tensor agrees (max|dlc - onnxruntime| = {last[1]:.3e}); "
                  "nothing to bisect")
            return 0
        low, high, found = 0, len(tensors) - 1, last
        probes = 1
        while low < high:
            middle = (low + high) // 2
            result = probe_at(middle)
            probes += 1
            if result[0]:
                high, found = middle, result
            else:
                low = middle + 1
        name, node, _ = tensors[high]
        print(describe(node, name, found[1], found[2]))
        print(f"  ({probes} compilations of model prefixes)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
