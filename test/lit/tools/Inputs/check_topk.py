"""Runs the run-time-K TopK test program (argv[1]) for several K on inputs with ties and checks
the shapes, values and indices it prints against numpy (larger first, equal values by index)."""
import subprocess
import sys

import numpy as np

app = sys.argv[1]
x = np.array([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3], [5, 8, 9, 7, 9]], dtype=np.float32)
ok = True
for k in (0, 1, 3, 5, 7, -2):
    out = subprocess.run([app, str(k)] + [repr(float(v)) for v in x.ravel()], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    kept = min(max(k, 0), 5)
    order = np.argsort(-x, axis=1, kind="stable")[:, :kept]
    want = [[(float(x[r, i]), int(i)) for i in order[r]] for r in range(3)]
    shape = [int(v) for v in out[0].split()]
    got = [[(float(p.split(":")[0]), int(p.split(":")[1])) for p in line.split()]
           for line in out[1:]]
    good = shape == [3, kept] and got == want
    print(f"{'ok  ' if good else 'FAIL'} K={k}: shape {shape}, {got}")
    ok &= good
print("topk ok" if ok else "topk FAIL")
sys.exit(0 if ok else 1)
