#!/usr/bin/env bash
# Generation throughput of the engine's causal LM against Hugging Face transformers'
# generate() on the same random Qwen2 models (tiny, and about 100M parameters), prompts
# (a batch of 4, lengths 7 to 16, left-padded), threads and PyTorch (the build's
# NEUROSCALE_PYTHON, whose LibTorch the build links): greedy and 4-beam search, 32 new tokens
# per sequence. The two alternate for ROUNDS rounds; the best round of each is compared.
# usage: bench/lm_generate.sh [BUILD_DIR] [THREADS] [ROUNDS]   (THREADS defaults to nproc)
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_lm_generate)
python=$(bench_python "$build" torch transformers)
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
for size in tiny 100m; do
  dir=$build/bench-lm/$size
  [ -f "$dir/prompts.json" ] || "$python" "$here/lm_generate_peer.py" make "$dir" "$size"
  for beams in 1 4; do
    ours=() peer=()
    for ((r = 0; r < rounds; r++)); do
      ours+=("$("$bin" "$dir" "$threads" "$beams" 32)")
      peer+=("$("$python" "$here/lm_generate_peer.py" run "$dir" "$threads" "$beams" 32)")
    done
    a=$(printf '%s\n' "${ours[@]}" | best tokens_per_s max)
    b=$(printf '%s\n' "${peer[@]}" | best tokens_per_s max)
    echo "$size $a"
    echo "$size $b"
    awk -v a="$(field tokens_per_s "$a")" -v b="$(field tokens_per_s "$b")" -v s="$size" -v k="$beams" -v r="$rounds" \
        'BEGIN { printf "%s, %d beam(s) (best of %d rounds): neuroscale %.2fx the tokens/s of transformers generate()\n", s, k, r, a / b }'
  done
done
