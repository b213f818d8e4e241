#!/usr/bin/env bash
# Installs what Tandem needs on a fresh Debian machine: system packages (PyTorch for the trainer;
# Chromium and the other test tools only for `npm test`) and the npm packages, exactly as
# package-lock.json pins them (`npm ci`: the tracked lock file is never rewritten).
# Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_torch=${TANDEM_NEED_TORCH:-1}
want_browser=${TANDEM_NEED_BROWSER:-1}
# Test-only tools (scripts/test.sh sets this; `npm start` does not): dciodvfy, and encoders that make compressed DICOM twins.
want_test_tools=${TANDEM_NEED_TEST_TOOLS:-0}
py=${TANDEM_PYTHON:-/usr/bin/python3}
pkgs=()
if [ "$want_test_tools" = 1 ] && ! command -v dciodvfy >/dev/null 2>&1; then pkgs+=(dicom3tools); fi
if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then pkgs+=(chromium); fi
if [ "$want_torch" = 1 ]; then
  "$py" -c "import torch, torchvision" >/dev/null 2>&1 || pkgs+=(python3-torch python3-torchvision)
fi
if [ "$want_test_tools" = 1 ]; then
  # The trainer's own tests.
  "$py" -c "import pytest" >/dev/null 2>&1 || pkgs+=(python3-pytest)
  "$py" -c "import onnx" >/dev/null 2>&1 || pkgs+=(python3-onnx)
  # black and flake8 format and lint the trainer's Python (scripts/lint.sh, run by npm test).
  command -v black >/dev/null 2>&1 || pkgs+=(black)
  command -v flake8 >/dev/null 2>&1 || pkgs+=(flake8)
  # dcmtk, GDCM and OpenJPH encode the compressed DICOM fixtures (JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE, deflate).
  command -v dcmcjpeg >/dev/null 2>&1 || pkgs+=(dcmtk)
  command -v gdcmconv >/dev/null 2>&1 || pkgs+=(libgdcm-tools)
  command -v ojph_compress >/dev/null 2>&1 || pkgs+=(openjph-tools)
fi
if [ ${#pkgs[@]} -gt 0 ]; then bash scripts/apt-install.sh "${pkgs[@]}"; fi

stamp=node_modules/.tandem-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "tandem: installing npm packages (npm ci, as package-lock.json pins them)"
  npm ci --no-audit --no-fund
  touch "$stamp"
fi
