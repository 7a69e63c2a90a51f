"""Checks a `dlc calibrate` table (argv[3]) of a model (argv[1]) over an .npz of samples
(argv[2]) against the tensors' values under onnxruntime: min and max within 1e-5 of them, and
with a percentile table (argv[4] gives P), each end of the range within one histogram bin above
the smallest |x| that P% of that side's values do not exceed."""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import shape_inference

model_path, data_path, table_path = sys.argv[1:4]
percentile = float(sys.argv[4]) if len(sys.argv) > 4 else None
table = json.load(open(table_path))
model = shape_inference.infer_shapes(onnx.load(model_path))
values = {v.name: v for v in list(model.graph.value_info) + list(model.graph.output)
          + list(model.graph.input)}
names = [n for n in table["tensors"]]
del model.graph.output[:]
model.graph.output.extend(values[n] for n in names)
session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
data = np.load(data_path)
runs = [session.run(None, {k: data[k][i] for k in data.files})
        for i in range(data[data.files[0]].shape[0])]
ok = table["format"] == "dlc-calibration" and table["samples"] == len(runs)
for k, name in enumerate(names):
    got = table["tensors"][name]
    low = min(float(r[k].min()) for r in runs)
    high = max(float(r[k].max()) for r in runs)
    good = abs(got["min"] - low) <= 1e-5 * max(1, abs(low)) and \
        abs(got["max"] - high) <= 1e-5 * max(1, abs(high))
    if percentile is not None:
        # Per side: the smallest |x| with at least P% of that side's values at or below it
        # (the table gives the upper edge of its histogram bin); a side with fewer than 16 of
        # the 255 uint8 steps keeps its extreme.
        values = np.concatenate([r[k].ravel() for r in runs])
        span = high - min(low, 0.0)
        for end, side, extreme in ((1, values[values > 0], max(high, 0.0)),
                                   (0, -values[values < 0], max(-low, 0.0))):
            if round(255 * extreme / span) < 16:
                want = extreme
            else:
                want = float(np.percentile(side, percentile, method="higher"))
            got_end = abs(got["range"][end])
            good &= want - 1e-6 <= got_end <= want + 1.01 * extreme / 2048
    print(f"{'ok  ' if good else 'FAIL'} {name}: {got}, onnxruntime [{low:.6g}, {high:.6g}]")
    ok &= good
print("calibration ok" if ok else "calibration FAIL")
sys.exit(0 if ok else 1)
