#!/usr/bin/env bash
# The voxelwise bootstrap ridge of `evaluate --task brain-alignment` in neuroscale and in the
# reference's NumPy code, side by side with the same threads and the same OpenBLAS: fit
# times, the speed-up and the fraction of the float64 GEMM peak, for a design of ROWS x
# FEATURES on VOXELS voxels (15 alphas, 3 bootstraps, chunks of 20, as the paper's
# evaluation). The two alternate for ROUNDS rounds and the best of each is compared.
# usage: bench/ridge.sh [BUILD_DIR] [THREADS] [ROUNDS] [ROWS FEATURES VOXELS]
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-2}
rows=${4:-4000} features=${5:-768} voxels=${6:-8192}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_ridge)
/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
  { echo "bench/ridge.sh: /usr/bin/python3 lacks numpy (apt-get install python3-numpy)" >&2; exit 2; }
size=(--rows "$rows" --features "$features" --voxels "$voxels")
ours() { "$bin" "${size[@]}" --threads "$threads" --repeats 1; }
peer() {
  OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/ridge_numpy.py" \
    "${size[@]}" --repeats 1 --gflop "$(field gflop "$1")" --peak-gflops "$(field dgemm_peak_gflops "$1")"
}
alternate "$rounds" fit_ms min
a=$best_ours b=$best_peer
echo "$a"
echo "$b"
echo "bootstrap ridge (best of $rounds rounds): neuroscale $(speedup fit_ms min "$a" "$b")x the NumPy reference;" \
  "$(percent peak_fraction "$a")% of float64 GEMM peak (NumPy $(percent peak_fraction "$b")%)"
