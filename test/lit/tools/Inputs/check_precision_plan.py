"""Runs the library `dlc compile --precision=auto` wrote (argv[1]: its directory, holding
libmodel.a and model.h) on every sample of an .npz (argv[2]) and prints the relative L2 error of
its outputs against onnxruntime's fp32 execution of the model (argv[3]); with a budget
(argv[4]), "within budget" or "OVER BUDGET"."""
import os
import sys
import tempfile

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "compiler",
                                "tools", "dlc"))
sys.dont_write_bytecode = True
import library  # noqa: E402

library_dir, data_path, model_path = sys.argv[1:4]
budget = float(sys.argv[4]) if len(sys.argv) > 4 else None
data = np.load(data_path)
session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
with tempfile.TemporaryDirectory() as work:
    compiled = library.LoadedModel(library_dir, "model", work)
    diff = norm = 0.0
    for i in range(data["X"].shape[0]):
        got = compiled.run([data["X"][i]])[0].astype(np.float64)
        want = session.run(None, {"X": data["X"][i]})[0].astype(np.float64)
        diff += float(np.sum((got - want) ** 2))
        norm += float(np.sum(want ** 2))
error = np.sqrt(diff / norm)
verdict = "" if budget is None else (" within budget" if error <= budget else " OVER BUDGET")
print(f"relative-l2 {error:.4f}{verdict}")
