#!/usr/bin/env bash
# Data-parallel benchmarks on RANKS ranks of this machine, side by side:
#  - bench_reducer: reducer bus bandwidth against MPI_Allreduce, and the training step
#    against the same ranks' compute-only step (exposed communication);
#  - bench/ddp_peer.py: the same model, micro-batch and threads under PyTorch DDP (gloo), with
#    PyTorch 2.x's fused attention, run by the build's NEUROSCALE_PYTHON (the PyTorch whose
#    LibTorch the build links).
# The two run alternately ROUNDS times, so machine noise hits both alike; the summary gives
# the median of each quantity over the rounds.
# usage: bench/data_parallel.sh [BUILD_DIR] [RANKS] [SIZE] [ROUNDS]   (defaults: build 2 small 3)
set -euo pipefail
build=${1:-build}
ranks=${2:-2}
size=${3:-small}
rounds=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_reducer)
python=$(bench_python "$build" torch)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
results=()
for ((round = 1; round <= rounds; ++round)); do
  ours=$(mpirun --oversubscribe --bind-to none -np "$ranks" -x OMP_NUM_THREADS \
    "$bin" --size "$size" --batch 8 --bins 500 --steps 12 | grep -v INFO)
  peer=$("$python" "$here/ddp_peer.py" --ranks "$ranks" --size "$size" --batch 8 --bins 500 --steps 12 --threads 1)
  echo "round $round"
  echo "$ours"
  echo "$peer"
  busbw=$(field ratio "$(grep '^busbw' <<<"$ours")")
  overhead=$(field overhead "$(grep '^step' <<<"$ours")")
  a=$(field samples_per_s "$(grep '^step' <<<"$ours")")
  b=$(field samples_per_s "$peer")
  results+=("$busbw $overhead $(awk -v a="$a" -v b="$b" 'BEGIN { print a / b }')")
done
printf '%s\n' "${results[@]}" | awk -v n="$rounds" '
  { bw[NR] = $1; oh[NR] = $2; ddp[NR] = $3 }
  function median(v,   i, j, t, k) {
    for (i = 1; i <= n; ++i) for (j = i + 1; j <= n; ++j) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    k = int((n + 1) / 2); return n % 2 ? v[k] : (v[k] + v[k + 1]) / 2
  }
  END {
    printf "median of %d rounds: reducer busbw %.2fx MPI_Allreduce, step overhead %.1f%% over compute-only, ", n, median(bw), 100 * median(oh)
    printf "neuroscale %.2fx PyTorch DDP samples/s\n", median(ddp)
  }'
