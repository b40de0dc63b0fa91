#!/bin/bash
# The causal LM (core/llm, io/llm) against Hugging Face transformers (tests/core/llm_reference.py):
# logits, greedy and beam-search generation of tiny random Qwen2 and Llama models, and LoRA
# against PEFT.
# Usage: llm_crosscheck.sh DUMP_BINARY PYTHON. Exits 77 (skipped) with the reason when the
# Python interpreter lacks torch, transformers or safetensors (scripts/setup installs them).
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
"$python" "$here/llm_reference.py" make "$work" 2>/dev/null
"$dump" "$work"
"$python" "$here/llm_reference.py" check "$work"
