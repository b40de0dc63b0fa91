#!/usr/bin/env bash
# Runs bench_linear with the system BLAS (OpenBLAS after scripts/setup) and with Debian's
# reference BLAS, side by side, and prints the speed ratio.
# usage: bench/blas.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
source "$(dirname "$0")/lib.sh"
bin=$(bench_binary "$build" bench_linear)
ref=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3
[ -e "$ref" ] || { echo "bench/blas.sh: reference BLAS not installed ($ref)" >&2; exit 2; }
echo "system BLAS: $(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu)"
fast=$("$bin")
echo "  $fast"
slow=$(LD_LIBRARY_PATH=$(dirname "$ref") "$bin")
echo "reference BLAS ($ref):"
echo "  $slow"
awk -v a="$fast" -v b="$slow" 'BEGIN { split(a, x, "median "); split(b, y, "median ");
  printf "speed-up of the system BLAS over the reference BLAS: %.1fx\n", y[2] / x[2] }'
