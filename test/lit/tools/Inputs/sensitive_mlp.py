# Writes DIR/model.onnx, a two-layer MLP whose second product reads a tensor with one channel
# 1000x larger than the others (int8 over that range rounds the others to zero, bf16 does not),
# and DIR/cal.npz and DIR/val.npz, 16 samples each (different ones) of its input X [8, 16].
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(7)
w1 = rng.standard_normal((16, 16)).astype(np.float32) / 4
scale = np.ones(16, np.float32)
scale[3] = 1000.0
w2 = rng.standard_normal((16, 8)).astype(np.float32) / 4
w2[3] /= 1000.0  # the wide channel contributes as much as the others
graph = helper.make_graph(
    [helper.make_node("MatMul", ["X", "W1"], ["H"], name="narrow"),
     helper.make_node("Relu", ["H"], ["R"], name="relu"),
     helper.make_node("Mul", ["R", "S"], ["M"], name="widen"),
     helper.make_node("MatMul", ["M", "W2"], ["Y"], name="wide")],
    "sensitive_mlp",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [8, 16])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [8, 8])],
    [numpy_helper.from_array(w1, "W1"), numpy_helper.from_array(scale, "S"),
     numpy_helper.from_array(w2, "W2")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
onnx.checker.check_model(model)
onnx.save(model, f"{out}/model.onnx")
np.savez(f"{out}/cal.npz", X=rng.standard_normal((16, 8, 16)).astype(np.float32))
np.savez(f"{out}/val.npz", X=rng.standard_normal((16, 8, 16)).astype(np.float32))
