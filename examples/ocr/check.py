# The OCR example's test: renders text images, runs the ocr program (examples/ocr/ocr.c linked
# with the det, cls and rec libraries dlc generated) and rapidocr-onnxruntime on each, and
# compares the strings they read.
"""Usage:
  python3 examples/ocr/check.py --app PATH/TO/ocr --work DIR [--images N]
  python3 examples/ocr/check.py --write-sample examples/ocr/sample.png

Renders N images (default 4) into DIR with DejaVu Sans: lines of English words and numbers,
dark on light, font sizes 18 to 40, on 640 x 480 pages (the detector's compiled input shape)
and 480 x 360 ones (which both sides scale up to it). One image has a line upside down (the
direction classifier must turn it) and one a long line, up to 20 times as wide as its font size
(about 16 times as wide as its box is high: at RapidOCR's defaults the recognizer's input for
it would be some 760 columns wide). On every image the app must print the same lines as
rapidocr_onnxruntime.RapidOCR, with the same strings, spaces included. RapidOCR is configured
so that both prepare the models' inputs alike, pixel for pixel:
- det_limit_type="min", det_limit_side_len=480: a 4:3 page up to 640 x 480 reaches the detector
  at 640 x 480, as in the app (by default RapidOCR scales the short side to 736);
- a page whose detected lines are all at most 320/48 times as wide as high is read at
  RapidOCR's other defaults, where both pad every line to 320 columns. A page with a wider
  line is read with rec_img_shape=[3, 48, 960] and the app's --rec-width 960, so that both pad
  every line to 960: otherwise RapidOCR gives such a line exactly int(48 * w / h) columns, the
  recognizer was compiled for widths 320 to 960 in steps of 160, and a few columns more of
  padding often decide whether the recognizer puts a space between two words (on 16 rendered
  pages, 9 of 103 such lines read differently padded to the next multiple of 160, 3 still at
  the next multiple of 8).
The largest distance between corresponding box corners is reported. With
examples/ocr/sample.png present, the app must also read that image's lines exactly, at its
default settings.

Exit status: 0 pass, 1 failure, 77 when rapidocr_onnxruntime cannot be imported.
"""

import argparse
import random
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SAMPLE = HERE / "sample.png"
SAMPLE_LINES = [
    "dlc compiles ONNX models",
    "into small C libraries.",
    "This sample has 3 lines.",
]
SKIP = 77

WORDS = (
    "apple river stone light green paper window garden simple model engine number table "
    "little yellow market summer winter orange silver letter friend travel animal button "
    "circle pocket morning evening kitchen mountain station library question picture "
    "compile static library header memory thread kernel vector matrix layer output input"
).split()


def font(size):
    return ImageFont.truetype(FONT, size)


def random_line(rng, size, max_width, words, max_ratio=16):
    """Words and numbers that fit in max_width pixels at this size, and at most max_ratio
    times as wide as the font size: a text box about 20 times wider than high already fills
    the recognizer's widest input (960 x 48), and a wider one is squeezed where rapidocr's
    is not."""
    max_width = min(max_width, max_ratio * size)
    f = font(size)
    parts = []
    while len(parts) < words:
        word = str(rng.randint(2, 99999)) if rng.random() < 0.25 else rng.choice(WORDS)
        if rng.random() < 0.15:
            word = word.capitalize()
        if parts and f.getlength(" ".join(parts + [word])) > max_width:
            break
        parts.append(word)
    return " ".join(parts)


def draw_line(image, xy, text, size, ink, upside_down=False):
    """Draws text with its top left at xy; upside down, the line is turned by 180 degrees in
    place."""
    f = font(size)
    if not upside_down:
        ImageDraw.Draw(image).text(xy, text, font=f, fill=ink)
        return
    left, top, right, bottom = f.getbbox(text)
    pad = size // 4
    tile = Image.new("RGB", (right + 2 * pad, bottom + 2 * pad), image.getpixel(xy))
    ImageDraw.Draw(tile).text((pad, pad), text, font=f, fill=ink)
    image.paste(tile.rotate(180), (xy[0] - pad, xy[1] - pad))


# Page sizes: 4:3, so that RapidOCR's detector, its short side limited to 480, gets the same
# 640 x 480 input as the app's.
SIZES = [(640, 480), (480, 360)]
# The widest text of a line on a page of short lines, and of the long line, in font sizes: their
# boxes stay within 320/48 and 960/48 times as wide as high.
SHORT_RATIO, LONG_RATIO = 5, 20
# (width, height, index of the upside-down line or None, index of the long line or None,
# whether all lines are short) of the first images; later ones are drawn at random.
LAYOUTS = [
    (640, 480, None, None, False),
    (640, 480, 2, None, False),
    (640, 480, None, 1, False),
    (480, 360, None, None, True),
]
# The pages are drawn at random from this seed.
SEED = 4000


def render(index):
    """Test image `index`: (PIL image, the lines drawn). On a page of short lines each line is
    at most SHORT_RATIO times as wide as its font size, which keeps its box within 320/48 times
    as wide as high."""
    rng = random.Random(SEED + index)
    if index < len(LAYOUTS):
        width, height, flipped, long_row, short = LAYOUTS[index]
    else:
        width, height = rng.choice(SIZES)
        flipped, long_row, short = None, None, rng.random() < 0.4
    paper = tuple(rng.randint(225, 255) for _ in range(3))
    image = Image.new("RGB", (width, height), paper)
    lines = []
    y = rng.randint(15, 35)
    while True:
        row = len(lines)
        # The upside-down line is large enough for the direction classifier to be sure.
        size = 34 if row == flipped else 24 if row == long_row else rng.randint(18, 40)
        if y + int(size * 1.25) > height - 10:
            break
        x = rng.randint(20, 60)
        if row == long_row:
            words, ratio = 30, LONG_RATIO
        elif short:
            words, ratio = rng.randint(1, 2), SHORT_RATIO
        else:
            words, ratio = rng.randint(2, 4) if row == flipped else rng.randint(2, 6), 16
        text = random_line(rng, size, width - x - 25, words, ratio)
        ink = tuple(rng.randint(0, 70) for _ in range(3))
        draw_line(image, (x, y), text, size, ink, upside_down=row == flipped)
        lines.append(text)
        y += int(size * 1.25) + rng.randint(int(size * 0.5), int(size * 1.2))
    return image, lines


def write_sample(path):
    """A gray 640 x 480 page (the detector's input size: no scaling) with SAMPLE_LINES."""
    image = Image.new("L", (640, 480), 248)
    draw = ImageDraw.Draw(image)
    for i, text in enumerate(SAMPLE_LINES):
        draw.text((48, 120 + 80 * i), text, font=font(36), fill=24)
    image.save(path, optimize=True)


def run_app(app, path, *options):
    """The app's results: (box corners as 4 (x, y), text) per line."""
    proc = subprocess.run([str(app), *options, str(path)], capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{app} {path} exited with {proc.returncode}: "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    results = []
    for line in proc.stdout.decode("utf-8").splitlines():
        corners, score, text = line.split("\t", 2)
        box = [tuple(int(v) for v in corner.split(",")) for corner in corners.split(" ")]
        if len(box) != 4:
            raise RuntimeError(f"malformed line: {line!r}")
        float(score)
        results.append((box, text))
    return results


# RapidOCR's settings for the comparison (see the module's docstring), and the app's options
# that go with them.
DET_SETTINGS = {"det_limit_type": "min", "det_limit_side_len": 480}
REC_WIDTHS = {320: {}, 960: {"rec_img_shape": [3, 48, 960]}}


def line_width(box):
    """The columns RapidOCR gives a text line at rec_img_shape's default width 320 and a batch of
    one: int(48 * max(320 / 48, w / h)) for its crop of w x h (get_rotate_crop_image)."""
    import numpy as np  # comes with rapidocr_onnxruntime, which may be missing (exit 77)
    p = np.array(box, dtype=np.float32)
    w = int(max(np.linalg.norm(p[0] - p[1]), np.linalg.norm(p[2] - p[3])))
    h = int(max(np.linalg.norm(p[0] - p[3]), np.linalg.norm(p[1] - p[2])))
    if w == 0 or h / w >= 1.5:
        w, h = h, w
    return int(48 * max(320 / 48, w / max(h, 1)))


def rec_width(engine, path):
    """320 when every text box RapidOCR detects (kept or not) is padded to 320 columns at the
    default width, else 960."""
    boxes, _ = engine(str(path), use_cls=False, use_rec=False)
    return 320 if all(line_width(box) <= 320 for box in boxes or []) else 960


def run_rapidocr(engine, path):
    result, _ = engine(str(path))
    return [([tuple(p) for p in box], text) for box, text, _score in (result or [])]


def corner_distance(a, b):
    return max(max(abs(p[0] - q[0]), abs(p[1] - q[1])) for p, q in zip(a, b))


def compare(name, app, ref):
    """Prints both readings side by side, marking differing lines with !. Returns the differing
    (app, rapidocr) pairs and the largest corner distance."""
    differing = []
    worst = 0
    width = max([len(t) for _, t in app] + [3])
    lines = []
    for i in range(max(len(app), len(ref))):
        a = app[i][1] if i < len(app) else "<none>"
        r = ref[i][1] if i < len(ref) else "<none>"
        if a != r:
            differing.append((a, r))
        note = ""
        if i < len(app) and i < len(ref):
            d = corner_distance(app[i][0], ref[i][0])
            worst = max(worst, d)
            note = f"   (corners within {d:g} px)"
        lines.append(f"{'  ' if a == r else '! '}{a:<{width}} | {r}{note}")
    print(f"{name}: {'FAIL' if differing else 'ok'}")
    print(f"  {'app':<{width}} | rapidocr")
    print("\n".join(lines))
    return differing, worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", type=Path, help="the ocr program")
    parser.add_argument("--work", type=Path, help="where to write the test images")
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--write-sample", type=Path, metavar="PNG",
                        help="write the sample image and exit")
    args = parser.parse_args()
    if args.write_sample:
        write_sample(args.write_sample)
        return 0
    if not args.app or not args.work:
        parser.error("--app and --work are required")
    args.work.mkdir(parents=True, exist_ok=True)

    failures = []
    if SAMPLE.exists():
        try:
            got = [text for _, text in run_app(args.app, SAMPLE)]
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
            got = [f"<{e}>"]
        if got != SAMPLE_LINES:
            failures.append(f"sample.png: read {got}, expected {SAMPLE_LINES}")
            print(f"sample.png: FAIL, read {got}, expected {SAMPLE_LINES}")
        else:
            print("sample.png: ok, every line read")

    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as e:
        print(f"check.py: skipped, rapidocr_onnxruntime cannot be imported ({e})")
        return 1 if failures else SKIP
    engines = {w: RapidOCR(**DET_SETTINGS, **settings) for w, settings in REC_WIDTHS.items()}

    worst, lines, equal, widths = 0, 0, 0, []
    for index in range(args.images):
        image, _drawn = render(index)
        path = args.work / f"ocr_{index}.png"
        image.save(path)
        width = rec_width(engines[320], path)
        widths.append(width)
        ref = run_rapidocr(engines[width], path)
        try:
            app = run_app(args.app, path, "--rec-width", str(width))
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
            print(f"{path.name}: FAIL, {e}")
            failures.append(f"{path.name}: {e}")
            continue
        differing, distance = compare(f"{path.name} (lines padded to {width})", app, ref)
        lines += max(len(app), len(ref))
        equal += max(len(app), len(ref)) - len(differing)
        worst = max(worst, distance)
        failures += [f"{path.name}: app {a!r}, rapidocr {r!r}" for a, r in differing]
    print(f"{equal} of {lines} lines equal (lines padded to 320 on {widths.count(320)} of "
          f"{len(widths)} pages, to 960 on the others); box corners within {worst:g} px of "
          "rapidocr's")
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print("pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
