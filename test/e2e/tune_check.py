#!/usr/bin/env python3
"""dlc tune end to end: tunes small models into one file and checks what the file holds, then
compiles the models with every candidate strategy forced through --tuning and checks their
outputs against onnxruntime.

    tune_check.py --dlc build/bin/dlc --work DIR [--rtol R]

Checks, each failing the test:
- the file is a dlc-tuning file whose section is the CPU `dlc compile --tunable-kernels` names,
  holding every kernel shape of the models that has more than one candidate (each tune updates
  the file, keeping the earlier models' shapes), each with a strategy among its candidates, a
  positive time for every candidate (in the whole model's run, the default, a time of 0 would
  mean no kernel of the shape's nodes was found in the profile) and how it was measured
  (small_cnn's convolutions cut out of the model, `--measure kernel`);
- compiled with a file that forces, for every shape, its first, second, ... candidate,
  `dlc compile --stats` says each convolution follows the file, and `dlc run` gives outputs
  within `--rtol` of onnxruntime (max |a - b| / max |b|).
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))
import make_models  # noqa: E402

MODELS = ["winograd_convs", "small_cnn", "direct_convs", "transposed_convs"]
# How dlc tune measures each model's kernels (dlc tune --measure).
MEASURE = {"winograd_convs": "model", "small_cnn": "kernel", "direct_convs": "model",
           "transposed_convs": "model"}


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(map(str, command))}\n{result.stderr}")
    return result


def tunable(dlc, model, work):
    listing = work / f"{model.stem}.kernels.json"
    run([dlc, "compile", model, "-o", work / f"{model.stem}.plain", "--tunable-kernels",
         listing])
    return json.loads(listing.read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlc", required=True)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--rtol", type=float, default=2e-5)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    tuning = args.work / "tuning.json"
    tuning.unlink(missing_ok=True)
    failures = []
    expected, measure, cpu = {}, {}, None
    models = []
    for name in MODELS:
        path = args.work / f"{name}.onnx"
        make_models.save_model(name, str(path))
        models.append(path)
        listing = tunable(args.dlc, path, args.work)
        cpu = listing["cpu"]
        for kernel in listing["kernels"]:
            if len(kernel["candidates"]) > 1:
                expected[kernel["key"]] = kernel["candidates"]
                measure[kernel["key"]] = MEASURE[name]
        run([args.dlc, "tune", path, "-o", tuning, "--rounds", "3", "--measure", MEASURE[name]])
    document = json.loads(tuning.read_text())
    if document.get("format") != "dlc-tuning" or document.get("version") != 1:
        failures.append(f"{tuning}: not a dlc-tuning file of version 1")
    kernels = document.get("cpus", {}).get(cpu, {}).get("kernels", {})
    if set(kernels) != set(expected):
        failures.append(f"kernels of CPU {cpu}: {sorted(kernels)}, expected {sorted(expected)}")
    for key, candidates in expected.items():
        entry = kernels.get(key, {})
        if entry.get("strategy") not in candidates:
            failures.append(f"{key}: strategy {entry.get('strategy')} not among {candidates}")
        if sorted(entry.get("min_ms", {})) != sorted(candidates):
            failures.append(f"{key}: times for {sorted(entry.get('min_ms', {}))}")
        if not all(t > 0 for t in entry.get("min_ms", {}).values()):
            failures.append(f"{key}: a candidate timed at 0 ms: {entry.get('min_ms')}")
        if entry.get("measured") != measure[key]:
            failures.append(f"{key}: measured {entry.get('measured')}, expected {measure[key]}")
    print(f"tuning file: {len(kernels)} kernel shapes of CPU {cpu}")

    rng = np.random.default_rng(0)
    for model in models:
        session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
        feeds = {i.name: rng.standard_normal(i.shape).astype(np.float32)
                 for i in session.get_inputs()}
        want = session.run(None, feeds)
        files = []
        for k, (name, value) in enumerate(feeds.items()):
            np.save(args.work / f"{model.stem}_in{k}.npy", value)
            files.append(f"{name}={args.work / f'{model.stem}_in{k}.npy'}")
        listing = tunable(args.dlc, model, args.work)
        tuned_nodes = [k["node"] for k in listing["kernels"] if len(k["candidates"]) > 1]
        for position in range(max(len(c) for c in expected.values())):
            forced = {key: {"strategy": c[min(position, len(c) - 1)]}
                      for key, c in expected.items()}
            path = args.work / f"forced{position}.json"
            path.write_text(json.dumps({"format": "dlc-tuning", "version": 1,
                                        "cpus": {cpu: {"kernels": forced}}}))
            stats = run([args.dlc, "compile", model, "--stats", "--tuning", path, "-o",
                         args.work / f"{model.stem}.forced{position}"]).stderr
            for node in tuned_nodes:
                if f"  {node}: " not in stats or "tuning file" not in \
                        stats.split(f"  {node}: ", 1)[1].splitlines()[0]:
                    failures.append(f"{model.name} candidate {position}: {node} does not "
                                    f"follow the tuning file")
            out = args.work / f"{model.stem}.out{position}"
            run([args.dlc, "run", model, *files, "--tuning", path, "--output-dir", out])
            for k, expected_output in enumerate(want):
                got = np.load(out / f"output_{k}.npy")
                error = float(np.abs(got - expected_output).max() /
                              max(np.abs(expected_output).max(), 1e-30))
                print(f"{model.name} candidate {position}: output {k} error {error:.1e}")
                if not error <= args.rtol:
                    failures.append(f"{model.name} candidate {position}: output {k} error "
                                    f"{error:.1e} > {args.rtol:.0e}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
