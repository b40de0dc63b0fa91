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
    ours() { "$bin" "$dir" "$threads" "$beams" 32; }
    peer() { "$python" "$here/lm_generate_peer.py" run "$dir" "$threads" "$beams" 32; }
    alternate "$rounds" tokens_per_s max
    a=$best_ours b=$best_peer
    echo "$size $a"
    echo "$size $b"
    echo "$size, $beams beam(s) (best of $rounds rounds): neuroscale $(speedup tokens_per_s max "$a" "$b")x the tokens/s of transformers generate()"
  done
done
