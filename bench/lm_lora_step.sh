#!/usr/bin/env bash
# A LoRA training step of the causal LM against transformers + PEFT (PyTorch eager) on the
# same random Qwen2 models as bench/lm_generate.sh (tiny, and about 100M parameters), rank-8
# adapters on all seven projections, a batch of 4 sequences of 64 tokens, AdamW, the same
# threads and PyTorch (the build's NEUROSCALE_PYTHON). They alternate for ROUNDS rounds; the
# best round of each is compared.
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
  # The engine as it runs by default, the engine with its frozen weights packed for MKL's
  # packed GEMM (model.pack_frozen_weights; skipped where LibTorch lacks it), and the peer,
  # in turn within each round.
  mine="" packed="" theirs=""
  for ((r = 0; r < rounds; r++)); do
    mine+=$("$bin" "$dir" "$threads" 4 64)$'\n'
    packed+=$("$bin" "$dir" "$threads" 4 64 packed)$'\n'
    theirs+=$("$python" "$here/lm_lora_step_peer.py" "$dir" "$threads" 4 64 2>/dev/null)$'\n'
  done
  a=$(printf '%s' "$mine" | best step_ms min)
  p=$(printf '%s' "$packed" | best step_ms min)
  b=$(printf '%s' "$theirs" | best step_ms min)
  echo "$size $a"
  [ -z "$p" ] || echo "$size $p"
  echo "$size $b"
  echo "$size (best of $rounds rounds): neuroscale $(speedup step_ms min "$a" "$b")x the LoRA step rate of transformers+PEFT"
  [ -z "$p" ] || echo "$size (best of $rounds rounds): neuroscale with packed frozen weights $(speedup step_ms min "$p" "$b")x"
done
