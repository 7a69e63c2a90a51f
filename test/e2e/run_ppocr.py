#!/usr/bin/env python3
"""The PP-OCR models of rapidocr-onnxruntime 1.4.4 (PaddlePaddle, exported by paddle2onnx),
compiled by dlc and run with `dlc run`, against onnxruntime on the same input.

    python3 test/e2e/run_ppocr.py [--dlc build/bin/dlc] [--work DIR] [--cache DIR]

With --bounded-rec DIR (a recognition library compiled with `--max-shape
x=1x3x48..48xLO..HI:STEP`, as examples/ocr/build.sh makes it), recognition is also run through that
library's rec_run at its smallest, a middle and its largest width, a width it was not compiled for
must return DLC_STATUS_BAD_DIMENSION, and rec_metadata("character") must equal the character list
the ONNX file carries.

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


# Runs the bounded recognition library: `driver WIDTH IN.bin OUT.bin` runs one line of WIDTH
# pixels and prints the status; `driver --metadata KEY OUT.txt` writes rec_metadata(KEY).
BOUNDED_DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rec.h"

_Static_assert(REC_NUM_DIMS == 3, "batch, height and width are symbolic");

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--metadata") == 0) {
    const char *value = rec_metadata(argv[2]);
    FILE *f = fopen(argv[3], "wb");
    if (!value || !f || fputs(value, f) < 0) return 2;
    return fclose(f) != 0;
  }
  if (argc != 4) return 2;
  const int64_t dims[] = {1, 48, atoll(argv[1])};
  int64_t shape[REC_OUTPUT_0_RANK];
  int status = rec_output_shape(dims, 0, shape);
  if (status != DLC_STATUS_OK) {
    printf("status %d\n", status);
    return 0;
  }
  size_t in_count = (size_t)3 * 48 * dims[2], out_count = 1;
  for (int k = 0; k < REC_OUTPUT_0_RANK; ++k) out_count *= (size_t)shape[k];
  float *in = malloc(in_count * sizeof(float)), *out = malloc(out_count * sizeof(float));
  void *workspace = malloc(REC_WORKSPACE_SIZE);
  FILE *f = fopen(argv[2], "rb");
  if (!in || !out || !workspace || !f || fread(in, sizeof(float), in_count, f) != in_count)
    return 2;
  fclose(f);
  const void *inputs[] = {in};
  void *outputs[] = {out};
  status = rec_run(dims, inputs, outputs, workspace);
  printf("status %d\n", status);
  if (status == DLC_STATUS_OK) {
    f = fopen(argv[3], "wb");
    if (!f || fwrite(out, sizeof(float), out_count, f) != out_count || fclose(f) != 0) return 2;
  }
  free(in);
  free(out);
  free(workspace);
  return 0;
}
"""


def header_define(header, macro):
    import re
    match = re.search(rf"#define {macro} (\d+)", open(header).read())
    if not match:
        raise RuntimeError(f"{header} does not define {macro}")
    return int(match.group(1))


def check_bounded_rec(lib_dir, model_path, work, rng, rtol):
    """The number of failures of the bounded recognition library in `lib_dir`."""
    import onnx
    header = os.path.join(lib_dir, "rec.h")
    low, high, step = (header_define(header, f"REC_DIM_2_{what}") for what in ("MIN", "MAX", "STEP"))
    driver = os.path.join(work, "bounded_rec")
    with open(driver + ".c", "w") as f:
        f.write(BOUNDED_DRIVER)
    subprocess.run(["cc", "-std=c11", "-O2", "-Wall", "-Werror", f"-I{lib_dir}", driver + ".c",
                    os.path.join(lib_dir, "librec.a"), "-lm", "-lpthread", "-o", driver],
                   check=True)
    failures = 0
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    middle = low + (high - low) // step // 2 * step
    for width in sorted({low, middle, high}):
        label = f"bounded rec width {width} ({low}..{high}:{step})"
        x = prepare("rec", (1, 3, 48, width), rng)
        in_path, out_path = (os.path.join(work, f"bounded_{width}.{e}") for e in ("in", "out"))
        x.tofile(in_path)
        want = session.run(None, {session.get_inputs()[0].name: x})[0]
        result = subprocess.run([driver, str(width), in_path, out_path], capture_output=True,
                                text=True)
        if result.returncode != 0 or result.stdout.strip() != "status 0":
            print(f"FAIL {label}: {result.stdout.strip()} {result.stderr.strip()}")
            failures += 1
            continue
        got = np.fromfile(out_path, np.float32)
        if got.size != want.size:
            print(f"FAIL {label}: {got.size} output values, onnxruntime {list(want.shape)}")
            failures += 1
            continue
        err = float(np.abs(got.reshape(want.shape) - want).max() / np.abs(want).max())
        ok = err <= rtol
        print(f"{'ok  ' if ok else 'FAIL'} {label} output {list(want.shape)}: "
              f"err = {err:.3e} (rtol {rtol:g})")
        failures += not ok
    # A width between compiled ones, and one past the bound, are refused with a status.
    for width in sorted({low + 1 if step > 1 else high + 1, high + step}):
        result = subprocess.run([driver, str(width), "-", "-"], capture_output=True, text=True)
        ok = result.stdout.strip() == "status 3"  # DLC_STATUS_BAD_DIMENSION
        print(f"{'ok  ' if ok else 'FAIL'} bounded rec width {width}: "
              f"{result.stdout.strip() or result.stderr.strip()} (want status 3)")
        failures += not ok
    # The character list the model carries comes back from the library unchanged.
    want = {p.key: p.value for p in onnx.load(model_path).metadata_props}.get("character")
    text_path = os.path.join(work, "character.txt")
    result = subprocess.run([driver, "--metadata", "character", text_path])
    got = open(text_path, encoding="utf-8").read() if result.returncode == 0 else None
    ok = want is not None and got == want
    print(f"{'ok  ' if ok else 'FAIL'} rec_metadata(\"character\"): "
          f"{len(got.splitlines()) if got else 0} lines, the model's metadata has "
          f"{len(want.splitlines()) if want else 0}")
    failures += not ok
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dlc", default=os.environ.get("DLC", "build/bin/dlc"))
    parser.add_argument("--work", default="build/e2e/ppocr")
    parser.add_argument("--cache", default=os.environ.get("DLC_MODEL_CACHE",
                                                          fetch_ppocr.DEFAULT_CACHE))
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--bounded-rec", metavar="DIR",
                        help="also check the bounded recognition library in DIR")
    parser.add_argument("--bounded-rtol", type=float, default=None,
                        help="the tolerance of the bounded library's widths (default --rtol)")
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
    if args.bounded_rec:
        failures += check_bounded_rec(args.bounded_rec, paths["rec"], args.work, rng,
                                      args.bounded_rtol or args.rtol)
    print("PASS: PP-OCR" if failures == 0 else f"FAIL: {failures} PP-OCR case(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
