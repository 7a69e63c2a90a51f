#!/usr/bin/env bash
# Installs what dlc needs (scripts/setup.sh), then configures and builds it with CMake + Ninja
# into build/. Safe to run again: each step does only what is missing or out of date.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh
if [[ ! -f build/build.ninja ]]; then
  cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release
fi
cmake --build build
