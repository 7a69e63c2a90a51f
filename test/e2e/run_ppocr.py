#!/usr/bin/env python3
"""The PP-OCR models of rapidocr-onnxruntime 1.4.4 (PaddlePaddle, exported by paddle2onnx),
compiled by dlc and run with `dlc run`, against onnxruntime on the same input.

    python3 test/e2e/run_ppocr.py [--dlc build/bin/dlc] [--work DIR] [--cache DIR]

Inputs are text rendered with Pillow and a Debian font (words in lines on a light page), prepared
as RapidOCR prepares a photo: detection normalizes by the ImageNet mean and deviation, recognition
and direction classification map [0, 255] to [-1, 1]. Each case passes when
err = max|a - b| / max|b| <= --rtol (a: dlc, b: onnxruntime). Exit status 77 (skip) when the
models cannot be fetched.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
import fetch_ppocr  # noqa: E402

# (model kind, input shape): detection at several page sizes (multiples of 32, as RapidOCR
# resizes), recognition at its natural height 48 and width 320, the classifier at 48x192.
CASES = [
    ("det", (1, 3, 320, 320)),
    ("det", (1, 3, 480, 640)),
    ("det", (1, 3, 736, 544)),
    ("rec", (1, 3, 48, 320)),
    ("cls", (1, 3, 48, 192)),
]


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian's fonts-dejavu-core
WORDS = ["invoice", "total", "2026", "compiler", "ONNX", "static", "library", "model", "Paddle",
         "text", "reads", "number", "42.50", "page", "line", "AHEAD", "of", "time"]


def text_image(height, width, rng):
    """An RGB image [height, width, 3] in 0..255: lines of dark words on a light page, rendered
    with a Debian font, so that detection finds text and recognition reads characters."""
    from PIL import Image, ImageDraw, ImageFont
    page = Image.new("RGB", (width, height), (245, 245, 240))
    draw = ImageDraw.Draw(page)
    size = int(min(34, max(14, height * 0.66))) if height <= 64 else 28
    font = ImageFont.truetype(FONT, size)
    top = (height - size) // 2 if height <= 64 else 16
    while top + size <= height:
        x = int(rng.integers(4, 16))
        while True:
            word = WORDS[int(rng.integers(len(WORDS)))]
            right = x + draw.textlength(word, font=font)
            if right > width - 4:
                break
            shade = int(rng.integers(0, 70))
            draw.text((x, top), word, font=font, fill=(shade, shade, shade))
            x = int(right) + int(rng.integers(8, 20))
        top += 2 * size
    image = np.asarray(page, dtype=np.float64)
    return np.clip(image + rng.normal(0, 3, image.shape), 0, 255)


def prepare(kind, shape, rng):
    """The model input for a page: NCHW float32, normalized as RapidOCR does for `kind`."""
    image = text_image(shape[2], shape[3], rng) / 255.0
    if kind == "det":
        image = (image - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    else:
        image = (image - 0.5) / 0.5
    return image.transpose(2, 0, 1)[None].astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlc", default=os.environ.get("DLC", "build/bin/dlc"))
    parser.add_argument("--work", default="build/e2e/ppocr")
    parser.add_argument("--cache", default=os.environ.get("DLC_MODEL_CACHE",
                                                          fetch_ppocr.DEFAULT_CACHE))
    parser.add_argument("--rtol", type=float, default=1e-4)
    args = parser.parse_args()
    paths = fetch_ppocr.fetch(args.cache)
    if paths is None:
        return fetch_ppocr.EXIT_SKIP
    os.makedirs(args.work, exist_ok=True)
    rng = np.random.default_rng(7)
    failures = 0
    for kind, shape in CASES:
        label = f"{kind} {'x'.join(map(str, shape))}"
        x = prepare(kind, shape, rng)
        input_path = os.path.join(args.work, f"{kind}_{shape[2]}x{shape[3]}.npy")
        np.save(input_path, x)
        session = ort.InferenceSession(paths[kind], providers=["CPUExecutionProvider"])
        reference = session.run(None, {session.get_inputs()[0].name: x})
        output_dir = os.path.join(args.work, f"out_{kind}_{shape[2]}x{shape[3]}")
        result = subprocess.run([args.dlc, "run", paths[kind], input_path, "--shape",
                                 "x=" + "x".join(map(str, shape)), "--output-dir", output_dir],
                                capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAIL {label}: dlc run exited with {result.returncode}\n{result.stderr}")
            failures += 1
            continue
        for k, want in enumerate(reference):
            got = np.load(os.path.join(output_dir, f"output_{k}.npy"))
            if got.shape != want.shape:
                print(f"FAIL {label} output {k}: shape {got.shape}, onnxruntime {want.shape}")
                failures += 1
                continue
            err = float(np.abs(got.astype(np.float64) - want).max() / np.abs(want).max())
            ok = err <= args.rtol and np.isfinite(got).all()
            print(f"{'ok  ' if ok else 'FAIL'} {label} output {k} {list(want.shape)}: "
                  f"err = max|a-b|/max|b| = {err:.3e} (rtol {args.rtol:g})")
            failures += not ok
    print("PASS: PP-OCR" if failures == 0 else f"FAIL: {failures} PP-OCR case(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
