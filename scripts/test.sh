#!/usr/bin/env bash
# Builds dlc (scripts/build.sh) and runs every test with ctest: lit/FileCheck, unit tests,
# ONNX conformance, end-to-end comparisons with onnxruntime, and the example.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/build.sh
# The tests run two at a time (or one per core): sequentially they take half as long again.
ctest --test-dir build --output-on-failure --timeout 1800 -j "$(nproc)" "$@"
