#!/bin/bash
# `neuroscale lm train` writes a Hugging Face directory that transformers loads unchanged and
# scores like `neuroscale lm score` (tests/jobs/lm_train_transformers.py).
# Usage: lm_train_transformers.sh NEUROSCALE PYTHON SOURCE_DIR. Exits 77 (skipped) with the
# reason when the Python interpreter lacks torch or transformers.
set -euo pipefail
neuroscale=$1 python=$2 source=$3
here=$(cd "$(dirname "$0")" && pwd)
if ! "$python" -c 'import torch, transformers' 2>/dev/null; then
  echo "SKIPPED: $python cannot import torch and transformers (scripts/setup installs them into .venv)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
"$python" "$here/lm_train_transformers.py" text "$work/text.txt"
"$neuroscale" lm train --config "$source/configs/lm/tiny.yaml" --run-dir "$work/run" \
  data.text="$work/text.txt" train.max_steps=15 data.vocab_size=300 model.family=qwen2 model.tie_embeddings=false
"$neuroscale" lm score "$work/text.txt" --model "$work/run/hf" --output "$work/scores.tsv"
"$python" "$here/lm_train_transformers.py" check "$work/run/hf" "$work/text.txt" "$work/scores.tsv"
