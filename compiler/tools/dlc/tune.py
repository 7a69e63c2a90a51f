#!/usr/bin/env python3
"""dlc tune: measures each convolution's candidate strategies on this machine and records the
fastest in a tuning file.

    dlc tune MODEL -o tuning.json [--shape NAME=DIMS ...] [--rounds N] [--threads N]
                                  [--measure model|kernel]

(`dlc tune` runs this script with --dlc set to itself.) `dlc compile --tunable-kernels` lists
the model's convolutions, each with its shape key (the padded input, filters, result, strides,
dilations, element type) and the strategies the target can compute it with (Winograd
F(4x4, 3x3) and F(2x2, 3x3), a product over im2col columns, the transposed product, the direct
convolution and the transposed direct convolution). Every distinct key with more than one
candidate is timed with each:

- `--measure model` (the default): in the whole model's run. The model is compiled once per
  candidate, with every key that has it computed that way (the others as the cost model
  chooses) and a clock read around each kernel (`dlc compile --profile`); the builds are called
  in turn, `--rounds` times each, in this process, and a key's time is the sum of its nodes'
  kernels in one run. Its weights and inputs then come from where the rest of the model leaves
  them: timed alone, a 3x3 convolution of 512 channels on 7x7 ran fastest as Winograd F(2x2)
  (its 16 MB of transformed filters cached between calls), and 1.4x slower than the transposed
  product in ResNet-50 (an Intel Xeon).
- `--measure kernel`: each convolution cut out of the model with its weights
  (onnx.utils.Extractor) with the batch norm and activation after it (which it fuses) but
  without a residual add, compiled once per candidate, and the candidates called in turn.

Builds are checked to give the same outputs. The candidate with the smallest minimum wins (on a
shared machine a run only ever takes longer than the code needs), unless the cost model's own
choice is within `--margin` (default 3%) of it: differences that small are the machine's noise,
and a file that keeps the cost model's choice there does not flip between runs.

The file (JSON, stable; `version` changes if its meaning does) is keyed by CPU, LLVM's name of
the one it was measured on, then by kernel shape, so one file can hold the measurements of
several machines and of several models and is safe to keep in a repository:
    {"format": "dlc-tuning", "version": 1,
     "cpus": {"znver3": {"model_name": "AMD EPYC ...", "kernels": {
         KEY: {"strategy": S, "cost_model": S0, "min_ms": {CANDIDATE: T, ...},
               "median_ms": {...}, "rounds": N, "threads": T, "model": FILE,
               "measured": "model" or "kernel",
               "nodes": [NODE, ...]}}}}}
An existing output file is updated: this CPU's kernels measured now replace their entries, the
rest stay. `dlc compile --tuning tuning.json` (and run, bench) computes each convolution whose
key the file holds for the CPU compiled for with the recorded strategy. With --measure kernel,
a convolution that cannot be measured on its own (its input's shape unknown, or, cut out, it
compiles as another shape) is skipped with a note. Errors (a model dlc cannot compile, a
candidate whose outputs differ) write nothing and exit 1.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import shape_inference, utils

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import library  # noqa: E402  (each candidate compiled and called in this process)

FORMAT, VERSION = "dlc-tuning", 1


class TuneError(Exception):
    """Bad input or a failed compile; the message names the file or kernel and the reason."""


class Untunable(TuneError):
    """A convolution that cannot be measured on its own (its input's shape unknown, or cut out
    of the model it compiles as another shape); tune notes it and goes on."""


def run(command, what):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise TuneError(f"{what} failed:\n{result.stderr.strip()}")
    return result


def node_name(node, index):
    """The name dlc gives an ONNX node (frontends/onnx/Importer.cpp, nodeName)."""
    return node.name if node.name else f"{node.op_type}_{index}"


def tunable_kernels(dlc, model_path, shapes, work):
    """`dlc compile --tunable-kernels` of the model: (cpu, [kernel])."""
    listing = os.path.join(work, "kernels.json")
    command = [dlc, "compile", model_path, "-o", os.path.join(work, "model"),
               "--tunable-kernels", listing]
    for shape in shapes:
        command += ["--shape", shape]
    run(command, f"dlc compile {model_path}")
    with open(listing) as file:
        found = json.load(file)
    return found["cpu"], found["kernels"]


def fixed_model(path, shapes):
    """The model with --shape applied and every value's type inferred."""
    try:
        model = onnx.load(path)
    except Exception as exc:  # onnx raises several kinds
        raise TuneError(f"{path}: cannot read the model: {exc}") from exc
    for shape in shapes:
        name, dims = shape.split("=", 1)
        for value in model.graph.input:
            if value.name == name:
                del value.type.tensor_type.shape.dim[:]
                for size in dims.split("x"):
                    value.type.tensor_type.shape.dim.add().dim_value = int(size)
    return shape_inference.infer_shapes(model, data_prop=True)


# Ops of one input (besides constants) that dlc fuses into a convolution's register blocks.
EPILOGUE_OPS = {"BatchNormalization", "Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish",
                "LeakyRelu", "Tanh"}


def extract_convolution(model, node_index, path):
    """Writes the model's node `node_index` (its input a graph input, its weights kept) with the
    chain of one-input elementwise nodes after it that the convolution fuses (batch norm, an
    activation) to `path`; returns its input's shape."""
    node = model.graph.node[node_index]
    consumers = {}
    for other in model.graph.node:
        for name in other.input:
            consumers.setdefault(name, []).append(other)
    constant = {t.name for t in model.graph.initializer} | \
        {o for n in model.graph.node if n.op_type == "Constant" for o in n.output}
    graph_outputs = {o.name for o in model.graph.output}
    output = node.output[0]
    while output not in graph_outputs and len(consumers.get(output, [])) == 1:
        follower = consumers[output][0]
        if follower.op_type not in EPILOGUE_OPS or \
                any(name and name not in constant for name in follower.input[1:]):
            break
        output = follower.output[0]
    part = utils.Extractor(model).extract_model([node.input[0]], [output])
    onnx.save(part, path)
    dims = part.graph.input[0].type.tensor_type.shape.dim
    if not dims or not all(d.HasField("dim_value") for d in dims):
        raise Untunable(f"node \"{node_name(node, node_index)}\": its input's shape is unknown")
    return [d.dim_value for d in dims]


def time_candidates(variants, rounds):
    """Calls the variants in turn, `rounds` times each (a warm-up round first); per variant the
    minimum and median time in ms."""
    times = {name: [] for name in variants}
    names = list(variants)
    for round_index in range(rounds + 1):
        order = names[round_index % len(names):] + names[:round_index % len(names)]
        for name in order:
            start = time.perf_counter()
            variants[name]()
            elapsed = (time.perf_counter() - start) * 1e3
            if round_index:
                times[name].append(elapsed)
    return {name: (min(t), float(np.median(t))) for name, t in times.items()}


def tune_kernel(dlc, model, key, kernel, work, rounds, threads, margin):
    """Measures every candidate of one kernel shape in `work` (a directory of its own: the
    libraries stay loaded); returns its entry of the tuning file."""
    os.makedirs(work)
    index = kernel["index"]
    part_path = os.path.join(work, "part.onnx")
    input_shape = extract_convolution(model, index, part_path)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(input_shape).astype(np.float32)
    variants, outputs = {}, {}
    for candidate in kernel["candidates"]:
        forced = os.path.join(work, f"{candidate}.json")
        with open(forced, "w") as file:
            json.dump({"format": FORMAT, "version": VERSION, "cpus": {kernel["cpu"]: {
                "kernels": {key: {"strategy": candidate}}}}}, file)
        listing = os.path.join(work, f"{candidate}.kernels.json")
        compiled = library.CompiledModel(
            dlc, part_path, work, "part_" + candidate.replace("-", "_"),
            ["--tuning", forced, "--tunable-kernels", listing], threads=threads)
        with open(listing) as file:
            chosen = json.load(file)["kernels"]
        if [k["key"] for k in chosen] != [key] or chosen[0]["strategy"] != candidate:
            raise Untunable(f"node \"{kernel['nodes'][0]}\": cut out of the model, it compiles "
                            f"as {[k['key'] for k in chosen]}, not {key!r} as {candidate}")
        compiled.bind([x])
        outputs[candidate] = np.array(compiled()[0], copy=True)
        variants[candidate] = compiled
    check_outputs(outputs, f"node \"{kernel['nodes'][0]}\"")
    return entry_for(time_candidates(variants, rounds), kernel, rounds, threads, margin)


def check_outputs(outputs, what):
    """Raises TuneError unless every candidate's first output is within 1e-3 of the first
    candidate's (relative to its largest magnitude)."""
    names = list(outputs)
    reference = outputs[names[0]]
    scale = max(float(np.abs(reference).max()), 1e-30)
    for candidate, output in outputs.items():
        error = float(np.abs(output - reference).max()) / scale
        if not error <= 1e-3:
            raise TuneError(f"{what}: {candidate} differs from {names[0]} by {error:.1e} of the "
                            "output's range")


def entry_for(measured, kernel, rounds, threads, margin):
    """The tuning file's entry for one kernel shape from `measured` ({candidate: (min, median)
    ms}): the candidate of the smallest minimum, unless the cost model's is within `margin`."""
    best = min(measured, key=lambda name: measured[name][0])
    if measured[kernel["default"]][0] <= measured[best][0] * (1 + margin):
        best = kernel["default"]
    return {"strategy": best, "cost_model": kernel["default"],
            "min_ms": {name: round(t[0], 4) for name, t in measured.items()},
            "median_ms": {name: round(t[1], 4) for name, t in measured.items()},
            "rounds": rounds, "threads": threads, "nodes": kernel["nodes"]}


def model_inputs(loaded):
    """Inputs for timing a whole model: normal floats, zeros for integers and booleans (indices
    and masks valid whatever the model)."""
    rng = np.random.default_rng(0)
    return [rng.standard_normal(shape).astype(dtype) if np.issubdtype(dtype, np.floating)
            else np.zeros(shape, dtype) for _, shape, dtype in loaded.inputs]


def tune_in_model(dlc, model_path, shapes, cpu, kernels, work, rounds, threads, margin):
    """Measures every candidate of every kernel shape in the whole model's run, where its
    weights and inputs come from the caches the rest of the model leaves them in: the model is
    compiled once per candidate name with --profile (every shape that has the candidate
    computed with it, the others as the cost model chooses), the builds are called in turn
    `rounds` times, and a shape's time is the sum of its nodes' kernels in one run. Returns
    {key: entry}."""
    names = []
    for kernel in kernels.values():
        names += [c for c in kernel["candidates"] if c not in names]
    variants, outputs, arrays = {}, {}, None
    for candidate in names:
        forced = os.path.join(work, f"{candidate}.json")
        with open(forced, "w") as file:
            json.dump({"format": FORMAT, "version": VERSION, "cpus": {cpu: {"kernels": {
                key: {"strategy": candidate} for key, kernel in kernels.items()
                if candidate in kernel["candidates"]}}}}, file)
        options = ["--tuning", forced, "--profile"]
        for shape in shapes:
            options += ["--shape", shape]
        print(f"dlc tune: compiling the model with {candidate} wherever it applies",
              file=sys.stderr)
        compiled = library.CompiledModel(dlc, model_path, work,
                                         "model_" + candidate.replace("-", "_"), options,
                                         threads=threads)
        arrays = arrays or model_inputs(compiled)
        compiled.bind(arrays)
        outputs[candidate] = np.array(compiled()[0], copy=True)
        compiled.kernel_times()
        variants[candidate] = compiled
    check_outputs(outputs, os.path.basename(model_path))
    times = {key: {c: [] for c in kernel["candidates"]} for key, kernel in kernels.items()}
    for round_index in range(rounds + 1):
        shift = round_index % len(names)
        for candidate in names[shift:] + names[:shift]:
            variants[candidate]()
            kernel_ms = variants[candidate].kernel_times()
            if not round_index:
                continue
            for key, kernel in kernels.items():
                if candidate in times[key]:
                    nodes = set(kernel["nodes"])
                    times[key][candidate].append(sum(
                        ms for name, ms in kernel_ms.items() if nodes & set(name.split("+"))))
    return {key: entry_for({c: (min(t), float(np.median(t))) for c, t in times[key].items()},
                           kernels[key], rounds, threads, margin)
            for key in kernels}


def cpu_model_name():
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def read_existing(path):
    if not os.path.exists(path):
        return {"format": FORMAT, "version": VERSION, "cpus": {}}
    try:
        with open(path) as file:
            document = json.load(file)
    except (OSError, ValueError) as exc:
        raise TuneError(f"{path}: cannot read the tuning file to update: {exc}") from exc
    if document.get("format") != FORMAT or document.get("version") != VERSION or \
            not isinstance(document.get("cpus"), dict):
        raise TuneError(f"{path}: not a tuning file (format {FORMAT}, version {VERSION})")
    return document


def main():
    parser = argparse.ArgumentParser(prog="dlc tune", description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("-o", "--output", required=True,
                        help="the tuning file to write or update (JSON)")
    parser.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                        help="fix a graph input's shape, as dlc compile --shape")
    parser.add_argument("--rounds", type=int, default=30,
                        help="timed calls of each candidate (default 30)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads the candidates run on (default 1)")
    parser.add_argument("--margin", type=float, default=0.03,
                        help="how much faster (a fraction) a candidate must be than the cost "
                             "model's choice to replace it (default 0.03)")
    parser.add_argument("--measure", choices=["model", "kernel"], default="model",
                        help="time each candidate in the whole model's run (model, the "
                             "default) or each convolution cut out of it (kernel)")
    parser.add_argument("--dlc", default="dlc")
    args = parser.parse_args()
    try:
        if args.rounds < 1 or args.threads < 1 or args.margin < 0:
            raise TuneError("--rounds and --threads take a positive number, --margin one >= 0")
        document = read_existing(args.output)
        model = fixed_model(args.model, args.shape)
        indices = {node_name(node, i): i for i, node in enumerate(model.graph.node)}
        with tempfile.TemporaryDirectory(prefix="dlc-tune-") as work:
            cpu, kernels = tunable_kernels(args.dlc, args.model, args.shape, work)
            if not cpu:
                raise TuneError("the host target has nothing to tune")
            shapes = {}
            for kernel in kernels:
                if len(kernel["candidates"]) < 2 or kernel["node"] not in indices:
                    continue
                entry = shapes.setdefault(kernel["key"], {
                    "index": indices[kernel["node"]], "candidates": kernel["candidates"],
                    "default": kernel["strategy"], "cpu": cpu, "nodes": []})
                entry["nodes"].append(kernel["node"])
            section = document["cpus"].setdefault(cpu, {"kernels": {}})
            section["model_name"] = cpu_model_name()
            measured = {}
            if args.measure == "model" and shapes:
                measured = tune_in_model(args.dlc, args.model, args.shape, cpu, shapes, work,
                                         args.rounds, args.threads, args.margin)
            tuned = 0
            for number, (key, kernel) in enumerate(shapes.items(), 1):
                print(f"dlc tune: [{number}/{len(shapes)}] {key} ({len(kernel['nodes'])} "
                      f"node(s), {len(kernel['candidates'])} candidates)", file=sys.stderr)
                try:
                    entry = measured.get(key) or tune_kernel(
                        args.dlc, model, key, kernel, os.path.join(work, f"kernel{number}"),
                        args.rounds, args.threads, args.margin)
                except Untunable as exc:
                    print(f"dlc tune:   skipped: {exc}", file=sys.stderr)
                    continue
                entry["model"] = os.path.basename(args.model)
                entry["measured"] = args.measure
                section["kernels"][key] = entry
                tuned += 1
                times = ", ".join(f"{name} {t:.3f}" for name, t in entry["min_ms"].items())
                print(f"dlc tune:   {entry['strategy']} (minimum ms: {times})", file=sys.stderr)
        temporary = args.output + ".tmp"
        with open(temporary, "w") as file:
            json.dump(document, file, indent=1, sort_keys=True)
            file.write("\n")
        os.replace(temporary, args.output)
        print(f"dlc tune: {tuned} kernel shape(s) of CPU {cpu} -> {args.output}",
              file=sys.stderr)
    except (TuneError, library.LibraryError) as exc:
        print(f"dlc: error: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
