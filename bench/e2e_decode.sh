#!/usr/bin/env bash
# Sentences decoded per second by BIT's end-to-end model without its encoder (projector ->
# prompt and neural tokens as input embeddings -> generation) against transformers'
# generate() from inputs_embeds (bench/e2e_decode_peer.py), on the random Qwen2 models of
# bench/lm_generate.sh (tiny, and about 100M parameters): a batch of 8 trials of 20-40
# neural tokens, 20 new tokens each (BIT's maximum) with EOS disabled, greedy and 4 beams,
# the same threads and PyTorch. The two alternate for ROUNDS rounds; the best of each is
# compared.
# usage: bench/e2e_decode.sh [BUILD_DIR] [THREADS] [ROUNDS]   (THREADS defaults to nproc)
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_e2e_decode)
python=$(bench_python "$build" torch transformers)
export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
for size in tiny 100m; do
  dir=$build/bench-lm/$size
  [ -f "$dir/prompts.json" ] || "$python" "$here/lm_generate_peer.py" make "$dir" "$size"
  for beams in 1 4; do
    ours() { "$bin" "$dir" "$threads" 8 "$beams" 20; }
    peer() { "$python" "$here/e2e_decode_peer.py" "$dir" "$threads" 8 "$beams" 20 2>/dev/null; }
    alternate "$rounds" sentences_per_s max
    a=$best_ours b=$best_peer
    echo "$size $a"
    echo "$size $b"
    echo "$size, $beams beam(s) (best of $rounds rounds): neuroscale $(speedup sentences_per_s max "$a" "$b")x the sentences/s of transformers generate()"
  done
done
