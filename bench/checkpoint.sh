#!/usr/bin/env bash
# Checkpoint benchmarks on RANKS ranks of this machine (bench_checkpoint): save bandwidth
# against dd with fsync on the same disk, the asynchronous save's stall against a
# synchronous save, and restore-to-first-step against a fresh start. DIR must be on the
# disk to measure (default: ./bench-checkpoints, removed afterwards).
# usage: bench/checkpoint.sh [BUILD_DIR] [RANKS] [SIZE] [DIR]   (defaults: build 2 default ./bench-checkpoints)
set -euo pipefail
build=${1:-build}
ranks=${2:-2}
size=${3:-default}
dir=${4:-bench-checkpoints}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
trap 'rm -rf "$dir"' EXIT
mpirun --oversubscribe --bind-to none -np "$ranks" -x OMP_NUM_THREADS \
  "$build/bench/bench_checkpoint" --size "$size" --dir "$dir" --rounds 5 | grep -v INFO
