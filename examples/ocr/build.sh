#!/usr/bin/env bash
# Builds the OCR example: fetches the PP-OCR models of rapidocr-onnxruntime 1.4.4, compiles each
# with dlc into a static library and links them into examples/ocr/ocr.c.
#
#   examples/ocr/build.sh [OUT_DIR]        # default build/examples/ocr; DLC, CC may be set
#
# OUT_DIR receives det/, cls/ and rec/ (each libNAME.a + NAME.h) and the program `ocr`. A library
# is recompiled only when it is missing or older than dlc or its model. Exit status 77 when the
# models cannot be fetched (no package index), so tests can skip.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DLC="${DLC:-$ROOT/build/bin/dlc}"
CC="${CC:-cc}"
OUT="$(mkdir -p "${1:-$ROOT/build/examples/ocr}" && cd "${1:-$ROOT/build/examples/ocr}" && pwd)"
CACHE="${DLC_MODEL_CACHE:-$ROOT/build/cache/ppocr}"

# Detection runs at one page size: the program scales each image to fit it. Recognition takes
# text lines 48 pixels high and 320 to 960 wide; the program pads a line to the next compiled
# width, as RapidOCR pads the lines of a batch to the widest.
DET_SHAPE=x=1x3x480x640
CLS_SHAPE=x=1x3x48x192
REC_SHAPE=x=1x3x48..48x320..960:160

if [ ! -x "$DLC" ]; then
  echo "build.sh: $DLC not found; build dlc first (scripts/build.sh) or set DLC" >&2
  exit 1
fi

status=0
models="$(python3 "$ROOT/test/models/fetch_ppocr.py" --cache "$CACHE")" || status=$?
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
model_path() { awk -v kind="$1" '$1 == kind { print $2 }' <<<"$models"; }

# compile NAME MODEL SHAPE_OPTION
compile() {
  local name=$1 model=$2 option=$3 dir="$OUT/$1"
  if [ -f "$dir/lib$name.a" ] && [ "$dir/lib$name.a" -nt "$DLC" ] &&
    [ "$dir/lib$name.a" -nt "$model" ] && [ -f "$dir/option" ] &&
    [ "$(cat "$dir/option")" = "$option" ]; then
    echo "build.sh: $name is up to date"
    return
  fi
  echo "build.sh: compiling $(basename "$model") ($option) into $dir"
  SECONDS=0
  "$DLC" compile "$model" $option --name "$name" -o "$dir"
  echo "$option" >"$dir/option"
  echo "build.sh: $name took ${SECONDS} s"
}

compile det "$(model_path det)" "--shape $DET_SHAPE"
compile cls "$(model_path cls)" "--shape $CLS_SHAPE"
compile rec "$(model_path rec)" "--max-shape $REC_SHAPE"

"$CC" -std=c11 -O2 -Wall -Wextra -Werror -I"$OUT/det" -I"$OUT/cls" -I"$OUT/rec" \
  "$ROOT/examples/ocr/ocr.c" "$ROOT/examples/ocr/image.c" "$ROOT/examples/ocr/boxes.c" \
  "$OUT/det/libdet.a" "$OUT/cls/libcls.a" "$OUT/rec/librec.a" \
  -lpng -lm -lpthread -o "$OUT/ocr"
echo "build.sh: built $OUT/ocr"
