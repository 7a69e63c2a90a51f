"""Writes a two-layer MLP with random weights (make MODEL), or checks `dlc bench --profile --json`
on it from stdin (check): one kernel per product, named after its ONNX nodes, whose counted
arithmetic is exactly the product's 2*M*K*N multiply-adds, with a positive time; their times
sum to no more than a run."""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

M, K, N, P = 64, 256, 128, 48


def make(path):
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.standard_normal((K, N)).astype(np.float32), "W1")
    w2 = numpy_helper.from_array(rng.standard_normal((N, P)).astype(np.float32), "W2")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W1"], ["H"], name="first_product"),
         helper.make_node("Relu", ["H"], ["R"], name="activation"),
         helper.make_node("MatMul", ["R", "W2"], ["Y"], name="second_product")],
        "profiled_mlp",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [M, K])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [M, P])], [w1, w2])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def check():
    report = json.load(sys.stdin)
    kernels = {k["name"]: k for k in report["kernels"]}
    first = [k for name, k in kernels.items() if "first_product" in name]
    second = [k for name, k in kernels.items() if "second_product" in name]
    assert len(first) == 1 and len(second) == 1, sorted(kernels)
    assert first[0]["operations_per_run"] == 2 * M * K * N, first[0]
    assert second[0]["operations_per_run"] == 2 * M * N * P, second[0]
    for kernel in report["kernels"]:
        assert kernel["kind"] == "fp32" and kernel["calls"] % report["iterations"] == 0, kernel
        assert kernel["ms_per_run"] > 0, kernel
    # Every kernel call lies within a run, so the kernels' mean time per run is at most the
    # mean run's (up to rounding of the printed figures).
    total = sum(k["ms_per_run"] for k in report["kernels"])
    assert total <= report["mean_ms"] * 1.001 + 0.001, (total, report["mean_ms"])
    print("profile ok:", ", ".join(sorted(kernels)))


if __name__ == "__main__":
    make(sys.argv[2]) if sys.argv[1] == "make" else check()
