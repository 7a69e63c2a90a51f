#!/usr/bin/env bash
# Builds dlc (scripts/build.sh), then runs the examples:
# - OCR: the PP-OCRv4 detection, direction and recognition models (from the PyPI wheel
#   rapidocr-onnxruntime) compiled into three static libraries, linked into examples/ocr/ocr.c and
#   run on examples/ocr/sample.png; it prints each text line it reads with its box.
# - classify: a small CNN compiled into libclassifier.a, linked into examples/classify/app.c and
#   run on a synthetic image.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/build.sh
examples/classify/run.sh

echo
echo "demo: compiling the PP-OCR models (a few minutes the first time)"
status=0
examples/ocr/build.sh build/examples/ocr || status=$?
if [ "$status" -eq 77 ]; then
  echo "demo: the PP-OCR models could not be fetched (no package index); OCR skipped"
  exit 0
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi
echo "demo: build/examples/ocr/ocr examples/ocr/sample.png"
build/examples/ocr/ocr examples/ocr/sample.png
