#!/usr/bin/env bash
# A LoRA training step of the causal LM against transformers + PEFT (PyTorch eager) on the
# same random Qwen2 models as bench/lm_generate.sh (tiny, and about 100M parameters), rank-8
# adapters on all seven projections, a batch of 4 sequences of 64 tokens, AdamW, the same
# threads and PyTorch (the build's NEUROSCALE_PYTHON). The two alternate for ROUNDS rounds;
# the best round of each is compared.
# usage: bench/lm_lora_step.sh [BUILD_DIR] [THREADS] [ROUNDS]   (THREADS defaults to nproc)
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_lm_lora_step)
python=$(bench_python "$build" torch transformers peft)
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
for size in tiny 100m; do
  dir=$build/bench-lm/$size
  [ -f "$dir/prompts.json" ] || "$python" "$here/lm_generate_peer.py" make "$dir" "$size"
  ours() { "$bin" "$dir" "$threads" 4 64; }
  peer() { "$python" "$here/lm_lora_step_peer.py" "$dir" "$threads" 4 64 2>/dev/null; }
  alternate "$rounds" step_ms min
  a=$best_ours b=$best_peer
  echo "$size $a"
  echo "$size $b"
  echo "$size (best of $rounds rounds): neuroscale $(speedup step_ms min "$a" "$b")x the LoRA step rate of transformers+PEFT"
done
