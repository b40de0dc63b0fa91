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
ours=() peer=()
for ((r = 0; r < rounds; r++)); do
  line=$("$bin" "${size[@]}" --threads "$threads" --repeats 1)
  ours+=("$line")
  peer+=("$(OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/ridge_numpy.py" \
            "${size[@]}" --repeats 1 --gflop "$(field gflop "$line")" --peak-gflops "$(field dgemm_peak_gflops "$line")")")
done
a=$(printf '%s\n' "${ours[@]}" | best fit_ms min)
b=$(printf '%s\n' "${peer[@]}" | best fit_ms min)
echo "$a"
echo "$b"
awk -v a="$(field fit_ms "$a")" -v b="$(field fit_ms "$b")" -v f="$(field peak_fraction "$a")" \
    -v g="$(field peak_fraction "$b")" -v r="$rounds" \
    'BEGIN { printf "bootstrap ridge (best of %d rounds): neuroscale %.2fx the NumPy reference; %.0f%% of float64 GEMM peak (NumPy %.0f%%)\n",
             r, b / a, 100 * f, 100 * g }'
