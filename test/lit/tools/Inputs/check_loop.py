"""Runs `dlc run` (argv[1]) on loop_bounded.onnxtxt (argv[2]) with limits that stop its Loop
after 1, some and all 16 iterations, and checks both outputs against onnxruntime: the final
value and the scan output, whose row count is the number of iterations run."""
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

dlc, model_path = sys.argv[1], sys.argv[2]
model = onnx.parser.parse_model(Path(model_path).read_text())
session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
x = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
ok = True
with tempfile.TemporaryDirectory() as tmp:
    np.save(f"{tmp}/x.npy", x)
    for limit in (0.0, 50.0, 1e9):
        np.save(f"{tmp}/l.npy", np.array(limit, np.float32))
        subprocess.run([dlc, "run", model_path, f"{tmp}/x.npy", f"{tmp}/l.npy", "--output-dir",
                        f"{tmp}/out"], check=True)
        want = session.run(None, {"X": x, "L": np.array(limit, np.float32)})
        for k, expected in enumerate(want):
            got = np.load(f"{tmp}/out/output_{k}.npy")
            err = (float(np.abs(got - expected).max() / np.abs(expected).max())
                   if got.shape == expected.shape else float("inf"))
            # measured 1e-7
            good = err <= 1e-6
            print(f"{'ok  ' if good else 'FAIL'} limit {limit:g} output {k}: shape "
                  f"{list(got.shape)}, onnxruntime {list(expected.shape)}, err {err:.1e}")
            ok &= good
print("loop ok" if ok else "loop FAIL")
sys.exit(0 if ok else 1)
