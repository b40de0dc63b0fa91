#!/bin/bash
# The model against an independent PyTorch implementation (tests/core/model_reference.py).
# Usage: model_crosscheck.sh DUMP_BINARY PYTHON. Exits 77 (skipped) with the reason when the
# Python interpreter lacks torch or numpy.
set -euo pipefail
dump=$1 python=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  echo "SKIPPED: $python cannot import torch and numpy (scripts/setup installs PyTorch into .venv)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$dump" "$work"
"$python" "$here/model_reference.py" "$work/small.safetensors" "$work/default.safetensors"
