"""Writes a Scan of opset 8 (batch axis first, two batch elements with different data) to
argv[1]/scan8.onnx, runs it with dlc run (argv[2]) and checks both outputs against
onnxruntime: adds and multiplies of the same floats, so equal to 1e-6."""
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

work, dlc = sys.argv[1], sys.argv[2]
body = helper.make_graph(
    [helper.make_node("Add", ["h", "x"], ["h_out"]),
     helper.make_node("Mul", ["h_out", "x"], ["z"])],
    "step",
    [helper.make_tensor_value_info("h", TensorProto.FLOAT, [3]),
     helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
    [helper.make_tensor_value_info("h_out", TensorProto.FLOAT, [3]),
     helper.make_tensor_value_info("z", TensorProto.FLOAT, [3])])
graph = helper.make_graph(
    [helper.make_node("Scan", ["", "H", "X"], ["Y", "Z"], num_scan_inputs=1, body=body)], "scan8",
    [helper.make_tensor_value_info("H", TensorProto.FLOAT, [2, 3]),
     helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 4, 3])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 3]),
     helper.make_tensor_value_info("Z", TensorProto.FLOAT, [2, 4, 3])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 8)])
model.ir_version = 4
path = f"{work}/scan8.onnx"
onnx.save(model, path)
rng = np.random.default_rng(2)
h = rng.standard_normal((2, 3)).astype(np.float32)
x = rng.standard_normal((2, 4, 3)).astype(np.float32)
np.save(f"{work}/h.npy", h)
np.save(f"{work}/x.npy", x)
subprocess.run([dlc, "run", path, f"{work}/h.npy", f"{work}/x.npy", "--output-dir",
                f"{work}/out"], check=True)
want = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"H": h, "X": x})
got = [np.load(f"{work}/out/output_{k}.npy") for k in range(2)]
ok = all(g.shape == w.shape and np.allclose(g, w, rtol=1e-6, atol=0) for g, w in zip(got, want))
print("scan8", "ok" if ok else "FAIL")
sys.exit(0 if ok else 1)
