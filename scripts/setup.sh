#!/usr/bin/env bash
# Installs everything dlc needs to build and test on Debian 12 (bookworm): apt packages and Python
# packages. Idempotent and non-interactive; does nothing when everything is already present.
set -euo pipefail

# libdnnl-dev (oneDNN) is only for test/bench/onednn_bench.cpp, the benchmarks' second peer;
# fonts-dejavu-core and pillow render the text images of the PP-OCR tests; libpng-dev is for the
# OCR example, whose test compares it with the rapidocr-onnxruntime package; dpkg-dev is for
# cpack's .deb (dpkg-shlibdeps); matplotlib draws the benchmark gate's plots; OpenMPI carries
# the runtime's collectives between processes (libdlc_collectives_mpi.a and its tests).
APT_PACKAGES=(cmake ninja-build ccache g++ llvm-22-dev libmlir-22-dev mlir-22-tools clang-22
  llvm-22-tools libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler catch2 libfmt-dev
  libdnnl-dev fonts-dejavu-core libpng-dev dpkg-dev openmpi-bin libopenmpi-dev)
PY_PACKAGES=(onnx onnxruntime numpy lit pillow matplotlib)
# rapidocr-onnxruntime asks for opencv-python, whose import needs X11 and OpenGL libraries a
# server lacks; it runs the same with the headless build, so it is installed without its
# dependencies and they are listed here.
OCR_PACKAGES=(opencv-python-headless pyclipper shapely six PyYAML tqdm)
OCR_PACKAGE=rapidocr-onnxruntime==1.4.4

SUDO=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null; then SUDO=(sudo); fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
# A fresh bookworm has python3 but not pip.
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if ((${#missing[@]})); then
  echo "setup: installing apt packages: ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: apt packages present"
fi

if python3 -c 'import onnx, onnxruntime, numpy, lit, PIL, matplotlib' 2>/dev/null; then
  echo "setup: python packages present"
else
  echo "setup: installing python packages: ${PY_PACKAGES[*]}"
  # Bookworm's system python refuses pip installs (PEP 668) unless told otherwise; a pyenv or venv
  # python ignores the variable.
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet "${PY_PACKAGES[@]}"
fi
if python3 -c 'import rapidocr_onnxruntime' 2>/dev/null; then
  echo "setup: rapidocr-onnxruntime present"
else
  echo "setup: installing $OCR_PACKAGE"
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet "${OCR_PACKAGES[@]}"
  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --no-deps "$OCR_PACKAGE"
fi
