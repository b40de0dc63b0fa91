#!/usr/bin/env bash
# The BIT training step (forward + backward + AdamW) in neuroscale and in PyTorch eager, side
# by side, with the same threads and the same BLAS, for the default model and a small one
# (d 128, 4 layers): step times, the speed-up, and the fraction of the GEMM peak. The two
# alternate for ROUNDS rounds (each the median of 10 steps) and the best round of each is
# compared, so a noisy neighbour on a shared machine penalises neither side.
# usage: bench/bit_step.sh [BUILD_DIR] [THREADS] [ROUNDS]   (THREADS defaults to nproc)
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/bench/bench_bit_step
python=/usr/bin/python3
[ -x "$bin" ] || { echo "bench/bit_step.sh: build first ($bin missing)" >&2; exit 2; }
"$python" -c 'import torch' 2>/dev/null ||
  { echo "bench/bit_step.sh: $python lacks torch (apt-get install python3-torch)" >&2; exit 2; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
for size in default small; do
  ours=() peer=()
  for ((r = 0; r < rounds; r++)); do
    ours+=("$("$bin" --size "$size" --threads "$threads" --steps 10)")
    peer+=("$("$python" "$here/bit_step_pytorch.py" --size "$size" --threads "$threads" --steps 10)")
  done
  a=$(printf '%s\n' "${ours[@]}" | awk '{ split($4, f, "="); print f[2], $0 }' | sort -g | head -1 | cut -d' ' -f2-)
  b=$(printf '%s\n' "${peer[@]}" | awk '{ split($4, f, "="); print f[2], $0 }' | sort -g | head -1 | cut -d' ' -f2-)
  echo "$a"
  echo "$b"
  awk -v a="$(field step_ms "$a")" -v b="$(field step_ms "$b")" \
      -v f="$(field peak_fraction "$a")" -v g="$(field gflops "$b")" \
      -v p="$(field gemm_peak_gflops "$a")" -v s="$size" -v r="$rounds" \
      'BEGIN { printf "%s (best of %d rounds): neuroscale %.2fx PyTorch eager step rate; %.0f%% of GEMM peak (PyTorch eager %.0f%%)\n",
               s, r, b / a, 100 * f, 100 * g / p }'
done
