"""Runs the nonzero test program (argv[1]) on a few 3x4 inputs and checks that the shape and
indices it prints are numpy's nonzero of the same input."""
import subprocess
import sys

import numpy as np

app = sys.argv[1]
cases = [np.array([0, 1, 0, 2, 0, 0, 3, 0, -1, 0, 0, 4.5]), np.zeros(12), np.arange(1, 13.0),
         np.random.default_rng(0).integers(-1, 2, 12).astype(float)]
ok = True
for case in cases:
    out = subprocess.run([app] + [repr(float(v)) for v in case], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    want = np.array(np.nonzero(case.reshape(3, 4)))
    shape = [int(v) for v in out[0].split()[1:]]
    rows = [[int(v) for v in line.split()] for line in out[1:]]
    good = shape == list(want.shape) and rows == want.tolist()
    print(f"{'ok  ' if good else 'FAIL'} {case.tolist()}: shape {shape}, indices {rows}")
    ok &= good
print("nonzero ok" if ok else "nonzero FAIL")
sys.exit(0 if ok else 1)
