#!/usr/bin/env python3
"""A stand-in for dlc in the dlc compare test: runs the real dlc on the model with the Constant
"S" scaled by 1.01, so that the Mul reading it (and what follows) differs from onnxruntime."""
import subprocess
import sys

import onnx
from onnx import numpy_helper

args = sys.argv[1:]
model_path = args[1]
model = onnx.load(model_path)
for node in model.graph.node:
    if node.op_type == "Constant" and node.output[0] == "S":
        value = numpy_helper.to_array(node.attribute[0].t) * 1.01
        node.attribute[0].t.CopyFrom(numpy_helper.from_array(value, "S"))
onnx.save(model, model_path)
sys.exit(subprocess.run(["dlc", *args]).returncode)
