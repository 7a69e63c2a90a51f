#!/usr/bin/env python3
# Checks examples/cmake-app as a user would build it: dlc installed into a prefix
# (cmake --install), the app configured against it from a build directory of its own
# (find_package(dlc), dlc_add_model), built, run, and its outputs compared with onnxruntime.
"""Usage: python3 examples/cmake-app/check.py --build build --work build/examples/cmake-app

Passes when: the install gives the package; the app's build compiles both models with dlc and
links them; the app's outputs are within RTOL of onnxruntime's (max |a - b| / max |b| per
output; measured 1.8e-7 and 1.2e-6); a second build compiles nothing; and touching one model
recompiles that model alone."""
import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "test" / "models"))
sys.dont_write_bytecode = True
import make_models  # noqa: E402

RTOL = 2e-6
MODELS = {"classifier": "small_cnn", "scorer": "mlp"}


class CheckError(Exception):
    pass


def run(command, **kwargs):
    print("+ " + " ".join(str(c) for c in command), flush=True)
    proc = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        print(output)
        raise CheckError(f"{command[0]} failed with exit status {proc.returncode}")
    return output


def compiled(output):
    """The models the build output says dlc compiled."""
    return sorted(line.split("dlc: compiling ")[1].split(" into")[0]
                  for line in output.splitlines() if "dlc: compiling " in line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="dlc's build directory")
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    work = Path(args.work).resolve()
    shutil.rmtree(work, ignore_errors=True)
    prefix, models, app_build = work / "prefix", work / "models", work / "app-build"
    models.mkdir(parents=True)
    try:
        run(["cmake", "--install", args.build, "--prefix", prefix])
        for path in ["bin/dlc", "lib/cmake/dlc/dlcConfig.cmake",
                     "lib/cmake/dlc/dlcConfigVersion.cmake", "include/dlc/runtime.h",
                     "lib/libdlc_runtime.a", "share/dlc/tools/calibrate.py"]:
            if not (prefix / path).is_file():
                raise CheckError(f"the install has no {path}")
        for model in MODELS.values():
            make_models.save_model(model, str(models / f"{model}.onnx"), 0)
        run(["cmake", "-S", ROOT / "examples" / "cmake-app", "-B", app_build, "-G", "Ninja",
             f"-DCMAKE_PREFIX_PATH={prefix}", f"-DMODEL_DIR={models}"])
        built = run(["cmake", "--build", app_build])
        if compiled(built) != sorted(str(models / f"{m}.onnx") for m in MODELS.values()):
            raise CheckError(f"the build compiled {compiled(built)}, not both models")
        lines = run([app_build / "app"]).split()
        ok = True
        for name, model in MODELS.items():
            count = int(lines[lines.index(name) + 1])
            start = lines.index(name) + 2
            got = np.array([float(v) for v in lines[start:start + count]], np.float32)
            session = ort.InferenceSession(str(models / f"{model}.onnx"),
                                           providers=["CPUExecutionProvider"])
            feed = {}
            for value in session.get_inputs():
                shape = value.shape
                feed[value.name] = np.sin(0.01 * np.arange(np.prod(shape), dtype=np.float32)
                                          ).astype(np.float32).reshape(shape)
            want = session.run(None, feed)[0].reshape(-1)
            err = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
            print(f"{name} ({model}): max|a-b|/max|b| = {err:.3g} (rtol {RTOL:g})")
            ok &= err <= RTOL
        if not ok:
            raise CheckError("the app's outputs differ from onnxruntime's")
        again = run(["cmake", "--build", app_build])
        if compiled(again):
            raise CheckError(f"a second build compiled {compiled(again)} again")
        os.utime(models / "mlp.onnx")
        touched = run(["cmake", "--build", app_build])
        if compiled(touched) != [str(models / "mlp.onnx")]:
            raise CheckError(f"after touching mlp.onnx the build compiled {compiled(touched)}")
    except CheckError as exc:
        print(f"FAIL: {exc}", file=sys.stderr)
        return 1
    print("PASS: installed, found, built, run, rebuilt as needed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
