#!/usr/bin/env bash
# Builds dlc (scripts/build.sh), then runs the example: a small CNN compiled into libclassifier.a,
# linked into examples/classify/app.c, run on a synthetic image.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/build.sh
examples/classify/run.sh
