#!/bin/bash
# BIT's end-to-end model (core/llm/neural_lm.h) against transformers + PEFT
# (tests/core/neural_lm_reference.py): loss parts and gradients on a tiny random Qwen2 with
# LoRA adapters, a Linear-ReLU-Linear projector and the modality aligner.
# Usage: neural_lm_crosscheck.sh DUMP_BINARY PYTHON. Exits 77 (skipped) with the reason when
# the Python interpreter lacks torch, transformers, safetensors or peft (scripts/setup
# installs them).
set -euo pipefail
dump=$1 python=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! "$python" -c 'import torch, transformers, safetensors, peft' 2>/dev/null; then
  echo "SKIPPED: $python cannot import torch, transformers, safetensors and peft (scripts/setup installs them into .venv)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
"$python" "$here/neural_lm_reference.py" make "$work" 2>/dev/null
"$dump" "$work"
"$python" "$here/neural_lm_reference.py" check "$work"
