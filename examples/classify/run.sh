#!/usr/bin/env bash
# Demo: builds the small_cnn model, compiles it with dlc into the `classifier` library, links it
# into examples/classify/app.c and runs it. Needs build/bin/dlc (or $DLC); writes
# build/examples/classify (or $OUT_DIR). Its test, check.py, compares the output with onnxruntime.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DLC="${DLC:-$ROOT/build/bin/dlc}"
CC="${CC:-cc}"
OUT="${OUT_DIR:-$ROOT/build/examples/classify}"

if [ ! -x "$DLC" ]; then
  echo "run.sh: $DLC not found; build dlc first (or set DLC)" >&2
  exit 1
fi

mkdir -p "$OUT"
python3 "$ROOT/test/models/make_models.py" small_cnn -o "$OUT/small_cnn.onnx"
"$DLC" compile "$OUT/small_cnn.onnx" --name classifier -o "$OUT"
"$CC" -O2 -std=c11 -Wall -Werror -I"$OUT" "$ROOT/examples/classify/app.c" "$OUT/libclassifier.a" \
  -lm -lpthread -o "$OUT/classify"
"$OUT/classify"
