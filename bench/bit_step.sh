#!/usr/bin/env bash
# The BIT training step (forward + backward + AdamW) in neuroscale and in PyTorch, side by
# side, with the same threads, for the default model and a small one (d 128, 4 layers):
# step times, the speed-up against the best PyTorch variant, and the fraction of the GEMM
# peak. PyTorch runs as the reference writes attention (manual), with fused SDPA, and with
# SDPA under torch.compile (skip that with COMPILE=0); it is the PyTorch whose LibTorch the
# build links (the build's NEUROSCALE_PYTHON). Everything alternates for ROUNDS rounds (each
# the median of 10 steps) and the best round of each is compared, so a noisy neighbour on a
# shared machine penalises no side.
# usage: bench/bit_step.sh [BUILD_DIR] [THREADS] [ROUNDS]   (THREADS defaults to nproc)
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_bit_step)
python=$(bench_python "$build" torch)
variants=("--attention manual" "--attention sdpa")
[ "${COMPILE:-1}" = 0 ] || variants+=("--attention sdpa --compile")
for size in default small; do
  ours=()
  declare -A peer=()
  for ((r = 0; r < rounds; r++)); do
    ours+=("$("$bin" --size "$size" --threads "$threads" --steps 10)")
    for v in "${!variants[@]}"; do
      # shellcheck disable=SC2086
      peer[$v]+="$("$python" "$here/bit_step_pytorch.py" --size "$size" --threads "$threads" --steps 10 ${variants[$v]})"$'\n'
    done
  done
  a=$(printf '%s\n' "${ours[@]}" | best step_ms min)
  echo "$a"
  all=""
  for v in "${!variants[@]}"; do
    b=$(printf '%s' "${peer[$v]}" | best step_ms min)
    echo "$b"
    all+="$b"$'\n'
  done
  b=$(printf '%s' "$all" | best step_ms min)
  awk -v a="$(field step_ms "$a")" -v b="$(field step_ms "$b")" -v who="$(field impl "$b")" \
      -v f="$(field peak_fraction "$a")" -v g="$(field gflops "$b")" \
      -v p="$(field gemm_peak_gflops "$a")" -v s="$size" -v r="$rounds" \
      'BEGIN { printf "%s (best of %d rounds): neuroscale %.2fx the best PyTorch (%s) step rate; %.0f%% of GEMM peak (that PyTorch %.0f%%)\n",
               s, r, b / a, who, 100 * f, 100 * g / p }'
  unset peer
done
