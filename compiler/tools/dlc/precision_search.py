#!/usr/bin/env python3
"""dlc compile --precision=auto: per node, the fastest format that keeps the outputs in budget.

    dlc compile MODEL --precision=auto --accuracy-budget E [--accuracy-metric relative-l2|top1]
                [--calibration TABLE.json] [--validation DIR|FILE.npz] ...

(dlc runs this script with the model, --budget, --metric, --target, -o PLAN and --dlc set to
itself, then compiles the model to the plan it writes.) The candidates are the nodes dlc can
compute in reduced precision: Conv (ungrouped or depthwise) and ConvTranspose (ungrouped), 2-D,
with constant filters (a ConvTranspose in bf16 only), MatMul and Gemm with constant 2-D
weights. Each may take int8 (with a calibration table that holds its input's range, on a
target with int8 kernels), bf16 (on a target with fast bf16 products) or fp32; which is
fastest is measured for the model at hand.

1. The cost (--cost measured, the default): the model compiled with every candidate in one
   format, for each format, and timed (1 thread, median of calls taken in turn); with --cost
   model, each candidate's multiply-adds over its format's RATE (reproducible, not measured;
   AMX_RATE on xeon-amx, whose candidates cannot be timed on a machine without AMX: there the
   tile instructions are emulated for the accuracy runs and the costs must be modelled).
   A format slower than fp32, or than a more accurate one, is dropped; what a format saves
   over fp32 is shared among the candidates in proportion to their multiply-adds.
2. The probe: the model with every candidate computed in each of its formats side by side, a
   run-time input choosing which result the rest of the model reads, compiled once by dlc to a
   plan that gives each copy its format (so each copy runs the kernel the final library runs).
3. Sensitivity: on the validation inputs, the error of the outputs (relative-l2, whatever the
   metric: it moves smoothly where top-1 moves a row or none) when one candidate alone
   computes in one reduced format, against all of them in fp32.
4. The choice: from every candidate at its fastest format, candidates step down a format at a
   time, as few steps as keep the error (in the chosen metric) within the budget: a binary
   search over the steps ordered by the error a step removes per time it adds, then each step
   taken tried undone again, least worth first. Two orders are searched (every step to the
   second-fastest format first, or by worth alone, which may send a sensitive node to fp32
   while the others keep the fastest format); the plan the costs predict faster is taken.
5. The check: the plan compiled and its error measured; while it exceeds the budget, step 4
   runs again for a target lowered by the factor it overshot. Then, with measured costs, the
   plan is timed against the whole-model builds of step 1: one within the budget that is
   faster replaces it.

Error metrics, over all validation inputs, against the fp32 outputs:
- relative-l2: |y - y_fp32| / |y_fp32| per output, the largest over the outputs;
- top1: the fraction of rows (along the last axis) of every output whose largest entry moves.

The plan (JSON; `version` changes if its meaning does):
    {"format": "dlc-precision-plan", "version": 1, "model": FILE NAME, "model_sha256": HEX,
     "metric": M, "budget": E, "error": ACHIEVED, "validation_samples": N,
     "nodes": {NODE: "int8" | "bf16" | "fp32", ...},
     "sensitivity": {NODE: {FORMAT: ERROR, ...}, ...}}
An unnamed node is OPTYPE_INDEX (its index in the graph), as in dlc's messages. Errors (no
validation inputs, inputs that do not fit the model, a budget no reduced format meets) write
nothing and exit 1.
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import calibrate  # noqa: E402  (the sample formats dlc calibrate reads, JSON and hashes)
from calibrate import sha256, write_json  # noqa: E402
import library  # noqa: E402  (a dlc-compiled model called in this process)

FORMAT, VERSION = "dlc-precision-plan", 1
WIDEST_LAST = ("int8", "bf16", "fp32")  # by accuracy
# --cost model: multiply-adds per AVX-512 instruction relative to an fp32 FMA (vpdpbusd 4,
# vdpbf16ps 2); a target whose bf16 is no faster than fp32 lists no bf16. On xeon-amx, a core's
# peak per cycle relative to its two fp32 FMAs' 32 multiply-adds: AMX's 512 bf16 and 1,024 int8
# (Intel's published figures; not measured here).
RATE = {"fp32": 1, "bf16": 2, "int8": 4}
AMX_TARGET, AMX_RATE = "xeon-amx", {"fp32": 1, "bf16": 16, "int8": 32}
AMX_FLAGS = {"amx_tile", "amx_bf16", "amx_int8"}


def this_machine_has_amx():
    """Whether Linux reports AMX on this machine's CPUs (/proc/cpuinfo's flags)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return AMX_FLAGS <= set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return False
CONVOLUTIONS = ("Conv", "ConvTranspose")
FLAGS = "dlc_precision_probe"
CODES = {"fp32": 0, "int8": 1, "bf16": 2}


class SearchError(Exception):
    """Bad input or a failed run; the message names the file, node or tensor and the reason."""


def say(message):
    print(f"dlc: precision search: {message}", file=sys.stderr, flush=True)


def node_name(node, index):
    """The name dlc gives a node (frontends/onnx/Importer.h, nodeName)."""
    return node.name or f"{node.op_type}_{index}"


def target_precisions(dlc, target):
    """The formats `dlc targets` lists for `target` ("f32, bf16, int8 (default bf16)")."""
    listing = subprocess.run([dlc, "targets"], capture_output=True, text=True, check=True).stdout
    for block in listing.split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].strip() == target:
            for line in lines:
                if line.strip().startswith("precisions:"):
                    listed = line.split(":", 1)[1].split("(")[0]
                    return {p.strip() for p in listed.split(",")}
    raise SearchError(f"dlc targets does not list target '{target}'")


def weights_of(model):
    """{name: TensorProto} of the model's constants: initializers and Constant nodes (some
    exporters give weights as those)."""
    constants = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            constants[node.output[0]] = node.attribute[0].t
    return constants


def candidates(model, ranges, formats):
    """[(index, name, [reduced formats, fastest first])] of the nodes the plan may reduce."""
    constants = weights_of(model)
    found = []
    for index, node in enumerate(model.graph.node):
        if node.op_type not in CONVOLUTIONS + ("MatMul", "Gemm") or len(node.input) < 2:
            continue
        weights = constants.get(node.input[1])
        if weights is None or weights.data_type != onnx.TensorProto.FLOAT:
            continue
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        convolution = node.op_type in CONVOLUTIONS
        group = attributes.get("group", 1)
        # A depthwise Conv: one input and one output channel per group.
        depthwise = (node.op_type == "Conv" and len(weights.dims) == 4 and group > 1 and
                     weights.dims[0] == group and weights.dims[1] == 1)
        if convolution and (len(weights.dims) != 4 or (group != 1 and not depthwise)):
            continue
        if not convolution and (len(weights.dims) != 2 or attributes.get("transA", 0)):
            continue
        # A ConvTranspose is a convolution of its spread input: bf16 takes it, int8 does not.
        reduced = [f for f in ("int8", "bf16") if f in formats and
                   (f != "int8" or (node.input[0] in ranges and node.op_type != "ConvTranspose"))]
        if reduced:
            found.append((index, node_name(node, index), reduced))
    return found


def readers_of(graph):
    """{value: [indices of the nodes that read it]} of `graph`."""
    readers = {}
    for i, node in enumerate(graph.node):
        for name in node.input:
            readers.setdefault(name, []).append(i)
    return readers


def folded_chain(graph, index, constants, readers):
    """The indices of the node at `index` and of the nodes dlc folds into it when it is a
    convolution (dlc-fold-conv-affine): each the only reader (`readers`, see readers_of) of the
    one before, a BatchNormalization, or an Add or Mul whose other operand is a constant."""
    outputs = {v.name for v in graph.output}
    chain = [index]
    while graph.node[index].op_type in CONVOLUTIONS:
        value = graph.node[chain[-1]].output[0]
        following = readers.get(value, [])
        if len(following) != 1 or value in outputs:
            break
        node = graph.node[following[0]]
        others = [i for i in node.input if i != value]
        if not (node.op_type == "BatchNormalization" and len(node.output) == 1 or
                node.op_type in ("Add", "Mul") and len(others) == 1 and others[0] in constants):
            break
        chain.append(following[0])
    return chain


def probe_model(model, found):
    """The model with each candidate computed in each of its formats and a graph input
    (FLAGS, int64[len(found)]) choosing per candidate which result the model reads: 0 fp32,
    1 int8, 2 bf16; and the plan giving each copy its format. A copy includes the
    normalization that follows a convolution, so that dlc folds it into each copy's filters
    (before rounding them to bf16) as it does in the model."""
    probe = copy.deepcopy(model)
    graph = probe.graph
    constants = weights_of(model)
    plan, after = {}, {}
    # The chains of the graph as exported, before the loop below renames their outputs.
    readers = readers_of(graph)
    chains = {index: folded_chain(graph, index, constants, readers) for index, _, _ in found}

    def constant(name, value):
        graph.initializer.append(numpy_helper.from_array(np.array(value, np.int64), name))
        return name

    for k, (index, name, reduced) in enumerate(found):
        graph.node[index].name = name
        indices = chains[index]
        chain = [graph.node[i] for i in indices]
        output = chain[-1].output[0]
        plan[name] = "fp32"
        chain[-1].output[0] = chosen = f"{output}/fp32"
        selector = f"{name}/dlc-selector"
        extra = [helper.make_node("Gather", [FLAGS, constant(f"{name}/dlc-k", k)], [selector])]
        # Where(flag == int8, int8 copy, Where(flag == bf16, bf16 copy, fp32 result)).
        for fmt in reversed(reduced):
            renamed = {}
            for node in chain:
                twin = copy.deepcopy(node)
                twin.name = f"{node.name or node.output[0]}/dlc-{fmt}"
                for i, value in enumerate(twin.input):
                    twin.input[i] = renamed.get(value, value)
                original = output if node is chain[-1] else node.output[0]
                renamed[node.output[0]] = twin.output[0] = f"{original}/{fmt}"
                extra.append(twin)
            copied = extra[-1].output[0]
            plan[f"{name}/dlc-{fmt}"] = fmt
            test = f"{name}/dlc-is-{fmt}"
            result = output if fmt == reduced[0] else f"{output}/to-{fmt}"
            extra += [helper.make_node("Equal", [selector, constant(f"{test}/code", CODES[fmt])],
                                       [test]),
                      helper.make_node("Where", [test, copied, chosen], [result])]
            chosen = result
        after[indices[-1]] = extra
    # The copies and the choice come right after the chain, before its readers.
    order = []
    for index, node in enumerate(graph.node):
        order += [copy.deepcopy(node)] + after.get(index, [])
    graph.ClearField("node")
    graph.node.extend(order)
    graph.input.append(helper.make_tensor_value_info(FLAGS, onnx.TensorProto.INT64, [len(found)]))
    return probe, plan


def metric_error(metric, outputs, reference):
    """The error of `outputs` (per sample, a list of arrays) against `reference`."""
    if metric == "top1":
        moved = rows = 0
        for got, want in zip(outputs, reference):
            for g, w in zip(got, want):
                if w.ndim == 0 or w.shape[-1] < 2 or not np.issubdtype(w.dtype, np.floating):
                    continue
                moved += int((g.argmax(axis=-1) != w.argmax(axis=-1)).sum())
                rows += w.size // w.shape[-1]
        return moved / rows if rows else 0.0
    worst = 0.0
    for o in range(len(reference[0])):
        diff = sum(float(np.sum((got[o].astype(np.float64) - want[o]) ** 2))
                   for got, want in zip(outputs, reference))
        norm = sum(float(np.sum(want[o].astype(np.float64) ** 2)) for want in reference)
        worst = max(worst, np.sqrt(diff / norm) if norm > 0 else np.sqrt(diff))
    return worst


def compile_to_plan(args, model, nodes, work, name, options):
    """`model` compiled by dlc to the plan `nodes` ({node: format}, written to
    work/NAME.plan.json) with further `options`, and loaded as libNAME."""
    path = os.path.join(work, f"{name}.plan.json")
    write_json(path, {"format": FORMAT, "version": VERSION, "model": os.path.basename(model),
                      "model_sha256": sha256(model), "nodes": nodes})
    options = ["--target", args.target, "--precision=auto", "--precision-plan", path, *options]
    if args.emulate_amx:
        options.append("--emulate-amx")
    return library.CompiledModel(args.dlc, model, work, name=name, options=options)


class Probe:
    """The probe compiled and loaded; `error(assignment)` runs it on every sample."""

    def __init__(self, args, model, found, samples, inputs, table, work):
        probe, plan = probe_model(model, found)
        path = os.path.join(work, "probe.onnx")
        onnx.save(probe, path)
        options = shape_options(samples[0], inputs)
        if table is not None:
            table_path = os.path.join(work, "probe.calibration.json")
            write_json(table_path, dict(table, model="probe.onnx", model_sha256=sha256(path)))
            options += ["--calibration", table_path]
        self.model = compile_to_plan(args, path, plan, work, "probe", options)
        self.found = found
        self.samples = [[s[v.name] for v in inputs] for s in samples]
        self.metric = args.metric
        self.reference = self.outputs({})

    def outputs(self, assignment):
        flags = np.array([CODES[assignment.get(name, "fp32")] for _, name, _ in self.found],
                         np.int64)
        return [self.model.run(sample + [flags]) for sample in self.samples]

    def error(self, assignment, metric=None):
        return metric_error(metric or self.metric, self.outputs(assignment), self.reference)


def shape_options(sample, inputs):
    options = []
    for value in inputs:
        options += ["--shape", f"{value.name}=" + "x".join(map(str, sample[value.name].shape))]
    return options


def multiply_adds(model, found):
    """{node: multiply-adds per run} of the candidates, from the inferred output shapes (a
    model whose shapes do not infer counts 1 per node)."""
    fixed = shape_inference.infer_shapes(model, data_prop=True)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(fixed.graph.value_info) + list(fixed.graph.output)}
    constants = weights_of(model)
    work = {}
    for index, name, _ in found:
        node = model.graph.node[index]
        output = shapes.get(node.output[0], [])
        weights = list(constants[node.input[1]].dims)
        if node.op_type == "Conv":  # each output element sums Cin x kh x kw products
            reduction = int(np.prod(weights[1:]))
        elif node.op_type == "ConvTranspose":  # as dlc computes it, zeros of the spread included
            reduction = weights[0] * weights[2] * weights[3]
        elif node.op_type == "Gemm" and any(a.name == "transB" and a.i for a in node.attribute):
            reduction = weights[1]
        else:
            reduction = weights[0]
        work[name] = max(1, int(np.prod(output)) * reduction) if all(output) and output else 1
    return work


def steps_of(found, sensitivity, cost, order, grouped):
    """The demotions (worth, node, from, to) that lead from every node at its fastest format to
    all fp32, in the order they are taken. A step's worth is the error it removes per time it
    adds (`cost[node][format]`); the most worth first, each node's steps in ladder order.
    `grouped` takes every step to the second-fastest format of `order` first (so that the
    search passes through each node at that format); otherwise a sensitive node may go to fp32
    while the others keep the fastest format."""
    steps = []
    for _, name, reduced in found:
        ladder = reduced + ["fp32"]
        for narrower, wider in zip(ladder, ladder[1:]):
            removed = sensitivity[name][narrower] - sensitivity[name][wider]
            added = max(cost[name][wider] - cost[name][narrower], 1e-12)
            steps.append((removed / added, name, narrower, wider))
    steps.sort(key=lambda step: (order.index(step[3]) if grouped else 0, -step[0]))
    # A node's wider step waits for its narrower one.
    ladders = {name: reduced + ["fp32"] for _, name, reduced in found}
    ordered, position = [], {}
    while steps:
        i = next(i for i, (_, name, start, _) in enumerate(steps)
                 if ladders[name].index(start) == position.get(name, 0))
        ordered.append(steps.pop(i))
        position[ordered[-1][1]] = position.get(ordered[-1][1], 0) + 1
    return ordered


def node_costs(found, work, times):
    """{node: {format: seconds}}: what each candidate takes in each format, from the measured
    times of the model with every candidate in one format (`times`), the difference from fp32
    shared among the nodes in proportion to their multiply-adds."""
    cost = {name: {"fp32": 0.0} for _, name, _ in found}
    for fmt, seconds in times.items():
        if fmt == "fp32":
            continue
        taking = [name for _, name, reduced in found if fmt in reduced]
        total = sum(work[name] for name in taking) or 1
        for name in taking:
            cost[name][fmt] = -(times["fp32"] - seconds) * work[name] / total
    return cost


def assignment_after(found, steps, taken):
    """Each node's format once the steps whose indices are in `taken` are applied."""
    assignment = {name: reduced[0] for _, name, reduced in found}
    for i in sorted(taken):
        _, name, _, to = steps[i]
        assignment[name] = to
    return assignment


def search(probe, found, cost, order, budget):
    """The sensitivity of every candidate, the steps, and the chosen set of steps taken."""
    sensitivity = {}
    total = sum(len(reduced) for _, _, reduced in found)
    done = 0
    for _, name, reduced in found:
        sensitivity[name] = {"fp32": 0.0}
        for fmt in reduced:
            # Ranked by the smooth measure: one node's top-1 moves are a handful of rows.
            sensitivity[name][fmt] = probe.error({name: fmt}, "relative-l2")
            done += 1
        if done % 10 < len(reduced) or done == total:
            say(f"sensitivity {done}/{total}")
    # Both orders of the steps searched; the plan predicted faster is taken.
    best = None
    for grouped in (True, False):
        steps = steps_of(found, sensitivity, cost, order, grouped)
        taken = fewest_steps(probe, found, steps, budget)
        assignment = assignment_after(found, steps, taken)
        predicted = sum(cost[name][assignment[name]] for _, name, _ in found)
        if best is None or predicted < best[0]:
            best = (predicted, steps, taken)
    return sensitivity, best[1], best[2]


def fewest_steps(probe, found, steps, budget):
    """The steps taken: a binary search for the fewest first steps whose plan the probe finds
    within the budget, then each step taken tried undone, the least worth first."""
    def error_with(first):
        return probe.error(assignment_after(found, steps, range(first)))

    low, high = 0, len(steps)  # error_with(len(steps)) is 0: everything in fp32
    if error_with(0) <= budget:
        high = 0
    while high - low > 1:
        middle = (low + high) // 2
        if error_with(middle) <= budget:
            high = middle
        else:
            low = middle
    taken = set(range(high))
    # A node's last step first, so that each ladder stays a prefix.
    for i in sorted(taken, key=lambda i: steps[i][0]):
        name = steps[i][1]
        if any(j > i and steps[j][1] == name for j in taken):
            continue
        if probe.error(assignment_after(found, steps, taken - {i})) <= budget:
            taken.discard(i)
    return taken


class Builds:
    """Plans of the model compiled by dlc and loaded, run on the validation samples."""

    def __init__(self, args, samples, inputs, calibrated, work):
        self.args, self.work, self.count = args, work, 0
        self.shapes = shape_options(samples[0], inputs)
        self.calibrated = calibrated
        self.feeds = [[s[v.name] for v in inputs] for s in samples]
        self.reference = None

    def compile(self, assignment):
        """The model compiled to the plan `assignment` ({node: format}) and loaded."""
        self.count += 1
        options = list(self.shapes)
        if self.calibrated:
            options += ["--calibration", self.args.calibration]
        # Each build its own library: a process loads a path once.
        return compile_to_plan(self.args, self.args.model, assignment, self.work,
                               f"plan{self.count}", options)

    def error(self, model):
        """`model`'s error on the validation samples against the reference (the fp32 build)."""
        outputs = [model.run(feed) for feed in self.feeds]
        if self.reference is None:
            self.reference = outputs
        return metric_error(self.args.metric, outputs, self.reference)

    def latency(self, models, rounds=20):
        """{key: median seconds} of `models` ({key: model}) on the first sample, 1 thread,
        called in turn so that the machine's noise falls on all alike."""
        times = {key: [] for key in models}
        for model in models.values():
            model.bind(self.feeds[0])
            model()
        for _ in range(rounds):
            for key, model in models.items():
                start = time.perf_counter()
                model()
                times[key].append(time.perf_counter() - start)
        return {key: float(np.median(t)) for key, t in times.items()}


def uniform(found, fmt):
    """The plan with every candidate that can in `fmt`, the others in fp32."""
    return {name: fmt if fmt in reduced else "fp32" for _, name, reduced in found}


def measured_formats(builds, found):
    """Each format's whole-model build (every candidate that can in it), its error and median
    time: {format: (model, error, seconds)}, fp32 first (the reference)."""
    formats = ["fp32"] + [f for f in WIDEST_LAST if any(f in r for _, _, r in found)]
    models = {f: builds.compile(uniform(found, f)) for f in formats}
    errors = {f: builds.error(models[f]) for f in formats}
    times = builds.latency(models)
    return {f: (models[f], errors[f], times[f]) for f in formats}


def check_compiled(builds, probe, found, steps, taken, budget):
    """The plan of the steps `taken` compiled and its error measured; while over the budget,
    the probe's search runs again for a target lowered by the factor the plan overshot (the
    probe rounds bf16 filters before a normalization that follows is folded into them, the
    library after, and top-1 agreement moves a row or none, so the two differ by a few rows).
    Taking the next steps in their order instead (the least worth first) sent PP-OCR
    recognition's plan to 31 fp32 nodes of 47 for a plan 0.1% over. Returns the plan, its
    build and its error."""
    target = budget
    for _ in range(8):
        assignment = assignment_after(found, steps, taken)
        model = builds.compile(assignment)
        error = builds.error(model)
        if error <= budget:
            return assignment, model, error
        if len(taken) == len(steps):
            break
        target *= min(0.9, budget / error)
        taken = fewest_steps(probe, found, steps, target)
        say(f"the compiled plan gives {error:.3g}, over the budget: searched again for "
            f"{target:.3g} ({len(taken)} steps)")
    # Every step taken is every node in fp32, the reference itself.
    assignment = assignment_after(found, steps, range(len(steps)))
    model = builds.compile(assignment)
    error = builds.error(model)
    if error > budget:
        raise SearchError(f"{builds.args.model}: no plan within the budget")
    return assignment, model, error


def main():
    parser = argparse.ArgumentParser(prog="dlc compile --precision=auto",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--budget", type=float, required=True)
    parser.add_argument("--metric", choices=["relative-l2", "top1"], default="relative-l2")
    parser.add_argument("--calibration")
    parser.add_argument("--validation")
    parser.add_argument("--target", default="host")
    parser.add_argument("--shape", action="append", default=[],
                        help="the compile's --shape; the search compiles for the validation "
                             "samples' shapes")
    parser.add_argument("--cost", choices=["measured", "model"], default="measured")
    parser.add_argument("--emulate-amx", action="store_true",
                        help="compile xeon-amx's candidates with the tile instructions emulated "
                             "(what a machine without AMX does anyway)")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--dlc", default="dlc")
    args = parser.parse_args()
    try:
        # Without AMX here, xeon-amx's candidates run with the tile instructions emulated: their
        # numerics are the instructions', their speed is not, so the costs are modelled.
        if args.target == AMX_TARGET and not this_machine_has_amx():
            args.emulate_amx = True
        if args.emulate_amx and args.cost == "measured":
            raise SearchError(f"target '{AMX_TARGET}' cannot be timed without AMX (this machine "
                              "has none, or its tiles are emulated): use --precision-cost=model")
        if args.emulate_amx:
            say("the tile instructions are emulated to measure the accuracy of each plan "
                "(this machine has no AMX); the costs are AMX's published rates")
        rate = AMX_RATE if args.target == AMX_TARGET else RATE
        try:
            model = onnx.load(args.model)
        except Exception as exc:  # onnx raises several kinds
            raise SearchError(f"{args.model}: cannot read the model: {exc}") from exc
        table = None
        if args.calibration:
            try:
                with open(args.calibration) as f:
                    table = json.load(f)
            except (OSError, ValueError) as exc:
                raise SearchError(f"{args.calibration}: cannot read the calibration table: "
                                  f"{exc}") from exc
            if table.get("format") != calibrate.FORMAT or table.get("version") != 1:
                raise SearchError(f"{args.calibration}: not a dlc calibration table")
            if table.get("model_sha256") != sha256(args.model):
                raise SearchError(f"{args.calibration}: the table was made from another model "
                                  f"(its model_sha256 differs from {args.model}'s)")
        validation = args.validation or (table or {}).get("data")
        if not validation:
            raise SearchError("--precision=auto needs --validation DIR|FILE.npz (the inputs the "
                              "error is measured on)")
        if not args.validation and not os.path.exists(validation):
            raise SearchError(f"{args.calibration}: the samples the table was made from, "
                              f"{validation}, are gone: give --validation DIR|FILE.npz")
        initializers = {t.name for t in model.graph.initializer}
        inputs = [v for v in model.graph.input if v.name not in initializers]
        try:
            samples = calibrate.read_samples(validation, inputs)
            if not samples:
                raise SearchError(f"{validation}: no samples")
            for k, sample in enumerate(samples):
                calibrate.check_sample(sample, inputs, f"{validation}: sample {k}")
        except calibrate.CalibrationError as exc:
            raise SearchError(str(exc)) from exc

        # Symbolic dimensions take the first sample's sizes, as in dlc calibrate.
        for value in inputs:
            for dim, size in zip(value.type.tensor_type.shape.dim,
                                 samples[0][value.name].shape):
                dim.ClearField("dim_param")
                dim.dim_value = size
        formats = target_precisions(args.dlc, args.target)
        ranges = {n for n, t in (table or {}).get("tensors", {}).items() if "range" in t}
        if table is None or "int8" not in formats:
            formats.discard("int8")
        found = candidates(model, ranges, formats)
        if not found:
            raise SearchError(f"{args.model}: no node can compute in a reduced format on target "
                              f"'{args.target}' (" + ("no calibration table; " if table is None
                                                      else "") + "see dlc targets)")
        say(f"{len(found)} candidate nodes, {len(samples)} validation samples, "
            f"budget {args.metric} {args.budget:g}")

        with tempfile.TemporaryDirectory(prefix="dlc-precision-") as work:
            try:
                builds = Builds(args, samples, inputs, table is not None, work)
                work_of = multiply_adds(model, found)
                able = found
                if args.cost == "measured":
                    # What each format costs here: the model with every candidate in it, timed.
                    measured = measured_formats(builds, found)
                    say("measured, every candidate in one format (1 thread, median): " +
                        ", ".join(f"{f} {1e3 * t:.2f} ms ({args.metric} {e:.3g})"
                                  for f, (_, e, t) in measured.items()))
                    times = {f: t for f, (_, _, t) in measured.items()}
                else:
                    # The instructions' multiply-adds per fp32 FMA, applied to every candidate.
                    builds.error(builds.compile(uniform(found, "fp32")))  # the reference
                    measured = {}
                    times = {f: sum(work_of[n] / rate[f] if f in r else work_of[n] / rate["fp32"]
                                    for _, n, r in found)
                             for f in ["fp32"] + [f for f in WIDEST_LAST[:-1]
                                                  if any(f in r for _, _, r in found)]}
                # A format slower than fp32, or than a more accurate one, is not worth taking.
                order = sorted(times, key=lambda f: times[f])
                order = [f for i, f in enumerate(order)
                         if f == "fp32" or
                         all(WIDEST_LAST.index(g) < WIDEST_LAST.index(f) for g in order[:i])]
                order = order[:order.index("fp32") + 1]
                found = [(i, n, [f for f in order if f in r]) for i, n, r in found]
                found = [c for c in found if c[2]]
                if not found:
                    raise SearchError(f"{args.model}: no reduced format is faster than fp32 "
                                      f"for this model on target '{args.target}'")
                cost = node_costs(found, work_of, {f: times[f] for f in order})
                probe = Probe(args, model, found, samples, inputs, table, work)
                sensitivity, steps, taken = search(probe, found, cost, order, args.budget)
                if len(taken) == len(steps):
                    least = min(found, key=lambda c: sensitivity[c[1]][c[2][-1]])
                    raise SearchError(
                        f"{args.model}: the budget {args.metric} {args.budget:g} keeps every "
                        f"node in fp32: the least sensitive, \"{least[1]}\", in {least[2][-1]} "
                        f"alone moves the outputs by "
                        f"{sensitivity[least[1]][least[2][-1]]:.3g} (relative-l2)")
                assignment, chosen, error = check_compiled(builds, probe, found, steps, taken,
                                                           args.budget)
                # A whole-model format within the budget and faster than the mix wins.
                if measured:
                    mine = builds.latency({"plan": chosen, **{f: m for f, (m, _, _) in
                                                               measured.items()}})
                    best = min((f for f, (_, e, _) in measured.items() if e <= args.budget),
                               key=lambda f: mine[f])
                    if mine[best] < mine["plan"]:
                        say(f"every candidate in {best} ({1e3 * mine[best]:.2f} ms) is within "
                            f"the budget and faster than the mix ({1e3 * mine['plan']:.2f} ms)")
                        assignment, error = uniform(able, best), measured[best][1]
                    else:
                        say(f"the mix takes {1e3 * mine['plan']:.2f} ms; " +
                            ", ".join(f"every candidate in {f} {1e3 * mine[f]:.2f} ms"
                                      for f in measured))
            except library.LibraryError as exc:
                raise SearchError(str(exc)) from exc
        counts = {f: sum(1 for v in assignment.values() if v == f) for f in WIDEST_LAST}
        wider = [f"{name} ({fmt})" for _, name, reduced in found
                 for fmt in [assignment[name]] if fmt != reduced[0]]
        say(f"{counts['int8']} int8, {counts['bf16']} bf16, {counts['fp32']} fp32 nodes; "
            f"{args.metric} {error:.3g} (budget {args.budget:g})")
        if wider:
            more = f", and {len(wider) - 12} more (the plan lists them)" if len(wider) > 12 else ""
            say("kept wider than they could be: " + ", ".join(wider[:12]) + more)
        write_json(args.output, {
            "format": FORMAT, "version": VERSION, "model": os.path.basename(args.model),
            "model_sha256": sha256(args.model), "metric": args.metric, "budget": args.budget,
            "error": error, "validation_samples": len(samples), "nodes": assignment,
            "sensitivity": {name: {f: e for f, e in s.items() if f != "fp32"}
                            for name, s in sensitivity.items()}})
        return 0
    except SearchError as exc:
        print(f"dlc: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
