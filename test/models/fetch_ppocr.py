#!/usr/bin/env python3
"""Fetches the PP-OCR models that the PyPI wheel rapidocr-onnxruntime 1.4.4 ships (trained by
PaddlePaddle, exported by paddle2onnx) into a cache, once.

    python3 test/models/fetch_ppocr.py [--cache DIR]     # prints the three model paths

The wheel is downloaded with `pip download` (no install) and the .onnx files are extracted from
it. Exit status 77 (a skip for ctest) with a message when the package index cannot be reached.
"""
import argparse
import os
import subprocess
import sys
import zipfile

PACKAGE = "rapidocr-onnxruntime"
VERSION = "1.4.4"
MODELS = {
    "det": "ch_PP-OCRv4_det_infer.onnx",
    "rec": "ch_PP-OCRv4_rec_infer.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_infer.onnx",
}
EXIT_SKIP = 77
DEFAULT_CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build",
                             "cache", "ppocr")


def fetch(cache):
    """Returns {kind: path} of the three models, downloading the wheel when they are missing;
    None when the package index cannot be reached (the reason is printed)."""
    directory = os.path.join(os.path.abspath(cache), f"{PACKAGE}-{VERSION}")
    paths = {kind: os.path.join(directory, name) for kind, name in MODELS.items()}
    if all(os.path.exists(path) for path in paths.values()):
        return paths
    os.makedirs(directory, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", f"{PACKAGE}=={VERSION}", "--no-deps",
               "--quiet", "--disable-pip-version-check", "-d", directory]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        detail = getattr(error, "stderr", "") or str(error)
        print(f"SKIP: cannot download {PACKAGE}=={VERSION} from the package index: "
              f"{detail.strip().splitlines()[-1] if detail.strip() else error}")
        return None
    wheels = [name for name in os.listdir(directory) if name.endswith(".whl")]
    if not wheels:
        print(f"SKIP: pip download left no wheel of {PACKAGE} in {directory}")
        return None
    with zipfile.ZipFile(os.path.join(directory, wheels[0])) as wheel:
        for kind, name in MODELS.items():
            member = f"rapidocr_onnxruntime/models/{name}"
            temporary = paths[kind] + ".part"
            with wheel.open(member) as source, open(temporary, "wb") as target:
                target.write(source.read())
            os.replace(temporary, paths[kind])
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=os.environ.get("DLC_MODEL_CACHE", DEFAULT_CACHE),
                        help="where the wheel and models are kept (default build/cache/ppocr, "
                             "or $DLC_MODEL_CACHE)")
    args = parser.parse_args()
    paths = fetch(args.cache)
    if paths is None:
        return EXIT_SKIP
    for kind, path in paths.items():
        print(f"{kind} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
