#!/usr/bin/env bash
# Data-parallel benchmarks on RANKS ranks of this machine, side by side:
#  - bench_reducer: reducer bus bandwidth against MPI_Allreduce, and the training step
#    against the same ranks' compute-only step (exposed communication);
#  - bench/ddp_peer.py: the same model, micro-batch and threads under PyTorch DDP (gloo).
# usage: bench/data_parallel.sh [BUILD_DIR] [RANKS] [SIZE]   (defaults: build 2 small)
set -euo pipefail
build=${1:-build}
ranks=${2:-2}
size=${3:-small}
here=$(cd "$(dirname "$0")" && pwd)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
ours=$(mpirun --oversubscribe --bind-to none -np "$ranks" -x OMP_NUM_THREADS \
  "$build/bench/bench_reducer" --size "$size" --batch 8 --bins 500 --steps 6 | grep -v INFO)
peer=$(/usr/bin/python3 "$here/ddp_peer.py" --ranks "$ranks" --size "$size" --batch 8 --bins 500 --steps 6 --threads 1)
echo "$ours"
echo "$peer"
a=$(sed -n 's/.*samples_per_s=\([^ ]*\).*/\1/p' <<<"$(grep '^step' <<<"$ours")")
b=$(sed -n 's/.*samples_per_s=\([^ ]*\).*/\1/p' <<<"$peer")
awk -v a="$a" -v b="$b" 'BEGIN { printf "neuroscale %.2fx PyTorch DDP samples/s\n", a / b }'
