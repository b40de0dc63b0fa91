#!/usr/bin/env bash
# A training step of BIT's end-to-end model without its encoder (encoder outputs -> projector
# -> frozen LM with LoRA -> cross-entropy + aligner -> AdamW) against the same model in
# PyTorch (transformers + PEFT, bench/e2e_step_peer.py), on the random Qwen2 models of
# bench/lm_generate.sh (tiny, and about 100M parameters), a batch of 8 trials of 20-40 neural
# tokens, the same threads and PyTorch (the build's NEUROSCALE_PYTHON). The two alternate for
# ROUNDS rounds; the best round of each is compared.
# usage: bench/e2e_step.sh [BUILD_DIR] [THREADS] [ROUNDS]   (THREADS defaults to nproc)
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_e2e_step)
python=$(bench_python "$build" torch transformers peft)
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
for size in tiny 100m; do
  dir=$build/bench-lm/$size
  [ -f "$dir/prompts.json" ] || "$python" "$here/lm_generate_peer.py" make "$dir" "$size"
  ours() { "$bin" "$dir" "$threads" 8; }
  peer() { "$python" "$here/e2e_step_peer.py" "$dir" "$threads" 8 2>/dev/null; }
  alternate "$rounds" step_ms min
  a=$best_ours b=$best_peer
  echo "$size $a"
  echo "$size $b"
  echo "$size (best of $rounds rounds): neuroscale $(speedup step_ms min "$a" "$b")x the end-to-end step rate of PyTorch (transformers+PEFT)"
done
