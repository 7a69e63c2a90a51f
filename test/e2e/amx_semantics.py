# Checks the AMX emulation (dlc-cpu-emulate-amx, `dlc compile --target=xeon-amx --emulate-amx`)
# bit for bit against the Intel SDM's definition of TDPBF16PS, written here in numpy: a bf16
# product of 16 rows x 64 by constant weights 64 x 16 (two tile steps of 32) whose inputs make
# the definition's details visible: the order of summation (even and odd products summed apart
# from zero, then added to the destination), denormal weights read as zero, and denormal
# results flushed to zero.
"""Usage: python3 test/e2e/amx_semantics.py --dlc build/bin/dlc --work build/e2e/amx_semantics

Exit status 0 when dlc's outputs equal the SDM reference in every bit and the inputs tell the
reference apart from each variant that drops one of those rules; 1 otherwise; 77 (a skip) on a
CPU that cannot run the emulation's AVX-512 code."""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "compiler", "tools", "dlc"))
sys.dont_write_bytecode = True
import library  # noqa: E402  (a dlc-compiled model called in this process)

M, K, N, STEP = 16, 64, 16, 32
SMALLEST_NORMAL = np.float32(2.0 ** -126)


def bf16_values(rng, shape, low, high):
    """Random bf16-exact float32 values of random sign with exponents in [low, high]: 8
    significant bits, so every product fits 16 bits and, with sums below 2^18, every fused
    multiply-add below is exact in float64 before its one rounding to float32."""
    mantissa = rng.integers(128, 256, shape).astype(np.float64) / 128.0
    exponent = rng.integers(low, high + 1, shape).astype(np.float64)
    sign = rng.choice([-1.0, 1.0], shape)
    return (sign * mantissa * 2.0 ** exponent).astype(np.float32)


def inputs(seed):
    """x [M, K] and w [K, N] with rows and columns that probe denormals (see the comments)."""
    rng = np.random.default_rng(seed)
    x = bf16_values(rng, (M, K), -6, 6)
    w = bf16_values(rng, (K, N), -6, 6)
    w[:, 0] *= np.float32(2.0 ** -64)   # column 0 small: row 1's products are denormal
    x[1, :] = np.float32(2.0 ** -64)    # 2^-64 * 2^-64.. = denormal products, flushed (FTZ)
    w[5, 1] = np.float32(2.0 ** -130)   # a denormal weight, read as zero (DAZ) ...
    x[2, :] = 0.0
    x[2, 5] = np.float32(2.0 ** 6)      # ... times 64 would be 2^-124, a normal number
    return x, w


def flush(v):
    """Denormals to zeros of their sign."""
    v = np.asarray(v, np.float32)
    return np.where(np.abs(v) < SMALLEST_NORMAL, np.copysign(np.float32(0), v), v)


def fma(a, b, c):
    """a * b + c rounded once to float32 (exact in float64 for the inputs above)."""
    return (a.astype(np.float64) * b.astype(np.float64) + c.astype(np.float64)).astype(np.float32)


def reference(x, w, split=True, daz=True, ftz=True):
    """The product as tdpbf16ps computes it, one tile step of 32 k after the other; the
    keywords turn one rule off each, to check that the inputs tell the rules apart. (Whether
    the multiply-adds are fused cannot show: a product of two bf16 is exact in float32.)"""
    read = flush if daz else (lambda v: np.asarray(v, np.float32))
    out = flush if ftz else (lambda v: np.asarray(v, np.float32))
    dst = np.zeros((M, N), np.float32)
    for t in range(K // STEP):
        even = np.zeros((M, N), np.float32)
        odd = np.zeros((M, N), np.float32)
        for p in range(STEP // 2):
            k = t * STEP + 2 * p
            a0, a1 = read(x[:, k])[:, None], read(x[:, k + 1])[:, None]
            b0, b1 = read(w[k])[None, :], read(w[k + 1])[None, :]
            if split:
                even = out(fma(a0, b0, even))
                odd = out(fma(a1, b1, odd))
            else:  # one chain in k order
                even = out(fma(a1, b1, out(fma(a0, b0, even))))
        dst = out(read(dst) + out(even + odd))
    return dst


def model(w):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [M, K])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [M, N])
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "amx_semantics",
                              [x], [y], [numpy_helper.from_array(w, "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlc", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    x, w = inputs(args.seed)
    path = os.path.join(args.work, "amx_semantics.onnx")
    onnx.save(model(w), path)
    compiled = library.CompiledModel(args.dlc, path, args.work, name="amx_semantics",
                                     options=["--target=xeon-amx", "--emulate-amx"])
    reason = compiled.unsupported_cpu()
    if reason:
        print(f"SKIP: the emulated tiles need AVX-512: {reason}")
        return 77
    got = compiled.run([x])[0]
    want = reference(x, w)
    ok = True
    differing = np.count_nonzero(got.view(np.uint32) != want.view(np.uint32))
    print(f"dlc vs the SDM's tdpbf16ps: {differing} of {got.size} elements differ in any bit")
    ok &= differing == 0
    # Each rule matters for these inputs: without it the reference would differ.
    for rule, variant in [("even and odd sums apart", reference(x, w, split=False)),
                          ("denormal inputs read as zero", reference(x, w, daz=False)),
                          ("denormal results flushed", reference(x, w, ftz=False))]:
        changed = np.count_nonzero(variant.view(np.uint32) != want.view(np.uint32))
        print(f"  without '{rule}': {changed} elements of the reference change")
        ok &= changed > 0
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
