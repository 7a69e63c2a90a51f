#!/usr/bin/env python3
# The AMX check for a machine that has AMX but no dlc (the device machines lent to some tasks:
# no LLVM there, nothing to fetch): `prepare` compiles the libraries here for --target=xeon-amx,
# `run` links and checks them there, natively, and times the AMX products.
"""Checks xeon-amx's libraries natively on a machine with AMX.

    python3 scripts/amx-check.py prepare build/amx-check   # here, with dlc built
    python3 scripts/amx-check.py run build/amx-check       # there: cc, python3, numpy,
                                                          # onnx and onnxruntime needed
    python3 scripts/amx-check.py prepare D --emulate --size 256 && ... run D   # a dry run here

`prepare` writes, under DIR (about 10 MiB, compressed):
  - the e2e models (tile_mlp, transformer_block, small_cnn, transposed_convs and the QDQ
    tile_mlp and small_cnn), their .onnx files and libraries compiled for xeon-amx;
  - 4096 x 4096 x 4096 products with constant weights in bf16 (MatMul, --precision=bf16) and
    in int8 (MatMulInteger, int8 by int8), their libraries xz-compressed (the weights repeat a
    short pattern, so 48 MiB of packed weights carry in well under 1 MiB).
`run` prints the CPU and its AMX flags (and exits 77 without them), runs test/e2e/run_e2e.py
--prebuilt on each model (the outputs against onnxruntime, at the tolerances of the emulated
tests in test/CMakeLists.txt), times each product on one thread (median of 10 after 3 warm-ups)
and gives its rate against the core's AMX peak, 1,024 bf16 or 2,048 int8 operations per cycle
at the clock a chain of dependent adds measures. Exit status 0 when every model matches.
"""
import argparse
import json
import lzma
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test" / "models"))
sys.path.insert(0, str(REPO / "compiler" / "tools" / "dlc"))
sys.dont_write_bytecode = True

# Model, reference, tolerance: test/CMakeLists.txt's emulated AMX tests.
MODELS = [("tile_mlp", "onnxruntime", 4e-3), ("transformer_block", "onnxruntime", 4e-3),
          ("small_cnn", "onnxruntime", 4e-3), ("transposed_convs", "onnxruntime", 6e-3),
          ("qdq_tile_mlp_s8s8", "onnxruntime-int8", 6e-3),
          ("qdq_small_cnn_s8s8", "onnxruntime-int8", 8e-3)]
SIZE = 4096
PRODUCTS = {"gemm_bf16": 1024, "gemm_int8": 2048}  # the AMX peak, operations per cycle
AMX_FLAGS = ("amx_tile", "amx_bf16", "amx_int8")


def say(message):
    print(f"amx-check: {message}", flush=True)


def product_model(name, size):
    """x [size, size] times constant weights [size, size]: MatMul in fp32 (computed in bf16),
    or MatMulInteger of int8 by int8. The weights repeat a pattern of 61 values."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    SIZE = size  # noqa: N806 (the shapes below read as the module's)
    pattern = (np.arange(SIZE * SIZE) % 61 - 30).reshape(SIZE, SIZE)
    if name == "gemm_bf16":
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [SIZE, SIZE])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [SIZE, SIZE])
        w = numpy_helper.from_array((pattern / 64.0).astype(np.float32), "w")
        node = helper.make_node("MatMul", ["x", "w"], ["y"])
    else:
        x = helper.make_tensor_value_info("x", TensorProto.INT8, [SIZE, SIZE])
        y = helper.make_tensor_value_info("y", TensorProto.INT32, [SIZE, SIZE])
        w = numpy_helper.from_array(pattern.astype(np.int8), "w")
        node = helper.make_node("MatMulInteger", ["x", "w"], ["y"])
    graph = helper.make_graph([node], name, [x], [y], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def prepare(args):
    import onnx
    import make_models
    out = Path(args.dir).resolve()
    shutil.rmtree(out, ignore_errors=True)
    (out / "models").mkdir(parents=True)
    dlc = [args.dlc, "compile", "--target=xeon-amx"] + (["--emulate-amx"] if args.emulate else [])
    (out / "manifest.json").write_text(json.dumps({"size": args.size, "emulated": args.emulate}))
    for name, _, _ in MODELS:
        path = out / "models" / f"{name}.onnx"
        make_models.save_model(name, str(path), 0)
        subprocess.run(dlc + [str(path), "--name", name, "-o", str(out / name / f"lib_{name}")],
                       check=True)
    for name in PRODUCTS:
        path = out / "models" / f"{name}.onnx"
        onnx.save(product_model(name, args.size), str(path))
        lib = out / name
        subprocess.run(dlc + [str(path), "--name", name, "-o", str(lib), "--stats"], check=True)
        archive = lib / f"lib{name}.a"
        archive.with_suffix(".a.xz").write_bytes(lzma.compress(archive.read_bytes(), preset=6))
        archive.unlink()
        path.unlink()  # 64 MiB of fp32 weights that the run does not need
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    say(f"prepared {out} ({size / 2**20:.1f} MiB); on the machine with AMX: "
        f"python3 scripts/amx-check.py run {args.dir}")
    return 0


def cpu():
    """The CPU's model name and flags, from /proc/cpuinfo."""
    model, flags = "unknown CPU", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    return model, flags


def clock_ghz(work):
    """The core's clock: a chain of dependent adds takes one cycle each."""
    source = work / "clock.c"
    source.write_text(
        "#include <stdio.h>\n#include <time.h>\n"
        "int main(void) {\n"
        "  unsigned long long x = 1, n = 2000000000ull;\n"
        "  struct timespec a, b;\n"
        "  clock_gettime(CLOCK_MONOTONIC, &a);\n"
        "  for (unsigned long long i = 0; i < n; ++i)\n"
        "    __asm__ volatile(\"add $1, %0\" : \"+r\"(x));\n"
        "  clock_gettime(CLOCK_MONOTONIC, &b);\n"
        "  double s = (b.tv_sec - a.tv_sec) + 1e-9 * (b.tv_nsec - a.tv_nsec);\n"
        "  printf(\"%f\\n\", n / s / 1e9 + 0 * (double)x);\n"
        "  return 0;\n}\n")
    subprocess.run(["cc", "-O2", "-o", str(work / "clock"), str(source)], check=True)
    return max(float(subprocess.run([str(work / "clock")], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(3))


def time_product(out, name, size):
    """Seconds per run of the product `name` on one thread: the median of 10 after 3."""
    import library
    lib = out / name
    packed = lib / f"lib{name}.a.xz"
    (lib / f"lib{name}.a").write_bytes(lzma.decompress(packed.read_bytes()))
    model = library.LoadedModel(str(lib), name, str(lib), threads=1)
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((size, size)).astype(np.float32) if name == "gemm_bf16"
         else rng.integers(-128, 128, (size, size)).astype(np.int8))
    model.bind([x])
    times = []
    for i in range(13):
        start = time.perf_counter()
        model()
        if i >= 3:
            times.append(time.perf_counter() - start)
    return float(np.median(times))


def run(args):
    out = Path(args.dir).resolve()
    manifest = json.loads((out / "manifest.json").read_text())
    size, emulated = manifest["size"], manifest["emulated"]
    model, flags = cpu()
    have = [f for f in AMX_FLAGS if f in flags]
    say(f"{model}; AMX flags: {' '.join(have) or 'none'}")
    if emulated:
        say("prepared with --emulate: the tile instructions are emulated, the times are not "
            "AMX's")
    elif len(have) != len(AMX_FLAGS):
        say("this machine has no AMX (or Linux does not enable it): nothing to check natively")
        return 77
    ok = True
    for name, reference, rtol in MODELS:
        result = subprocess.run(
            [sys.executable, str(REPO / "test" / "e2e" / "run_e2e.py"),
             str(out / "models" / f"{name}.onnx"), "--prebuilt", "--reference", reference,
             "--rtol", str(rtol), "--work", str(out / name)])
        say(f"{name}: {'ok' if result.returncode == 0 else 'FAILED'}")
        ok &= result.returncode == 0
    ghz = clock_ghz(out)
    say(f"clock {ghz:.2f} GHz (a chain of dependent adds)")
    for name, per_cycle in PRODUCTS.items():
        seconds = time_product(out, name, size)
        rate = 2 * size**3 / seconds
        say(f"{name}: {1e3 * seconds:.1f} ms, {rate / 1e12:.2f} T(FL)OP/s, "
            f"{100 * rate / (per_cycle * ghz * 1e9):.0f}% of the AMX peak "
            f"({per_cycle} per cycle at {ghz:.2f} GHz), {size}^3, 1 thread")
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["prepare", "run"])
    parser.add_argument("dir")
    parser.add_argument("--dlc", default=str(REPO / "build" / "bin" / "dlc"))
    parser.add_argument("--size", type=int, default=SIZE,
                        help="prepare: the products' size (default 4096)")
    parser.add_argument("--emulate", action="store_true",
                        help="prepare: compile with the tile instructions emulated, to try the "
                             "run on a machine without AMX (its times are not AMX's)")
    args = parser.parse_args()
    return prepare(args) if args.command == "prepare" else run(args)


if __name__ == "__main__":
    sys.exit(main())
