"""Writes a one-Relu ONNX model carrying metadata_props, as exporters attach them: a multi-line
value with quotes and a key holding the characters that end a C comment."""
import sys

import onnx
from onnx import TensorProto, helper

graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
helper.set_model_props(model, {"character": 'a\nb"c\n\u7389', "x*/y": "1"})
onnx.save(model, sys.argv[1])
