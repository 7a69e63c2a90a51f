# Converts an ONNX text model to a binary .onnx file, optionally truncated, for the CLI tests.
# Usage: to_binary.py IN.onnxtxt OUT.onnx [KEEP_BYTES]
import sys

import onnx
import onnx.parser

with open(sys.argv[1]) as f:
    model = onnx.parser.parse_model(f.read())
data = model.SerializeToString()
if len(sys.argv) > 3:
    data = data[: int(sys.argv[3])]
with open(sys.argv[2], "wb") as f:
    f.write(data)
