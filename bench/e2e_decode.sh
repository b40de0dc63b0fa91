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
    ours=() peer=()
    for ((r = 0; r < rounds; r++)); do
      ours+=("$("$bin" "$dir" "$threads" 8 "$beams" 20)")
      peer+=("$("$python" "$here/e2e_decode_peer.py" "$dir" "$threads" 8 "$beams" 20 2>/dev/null)")
    done
    a=$(printf '%s\n' "${ours[@]}" | best sentences_per_s max)
    b=$(printf '%s\n' "${peer[@]}" | best sentences_per_s max)
    echo "$size $a"
    echo "$size $b"
    awk -v a="$(field sentences_per_s "$a")" -v b="$(field sentences_per_s "$b")" -v s="$size" -v k="$beams" -v r="$rounds" \
        'BEGIN { printf "%s, %d beam(s) (best of %d rounds): neuroscale %.2fx the sentences/s of transformers generate()\n", s, k, r, a / b }'
  done
done
