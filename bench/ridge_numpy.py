"""The peer of bench_ridge: the reference's bootstrap ridge in NumPy (ridge_utils'
bootstrap_ridge with use_corr=False, from tests/core/encoding_reference.py), with the held-out
chunks drawn as the reference draws them (random.shuffle of the chunks). Same sizes and
output line as bench_ridge; the FLOP count and float64 peak are bench_ridge's, passed in.

usage: ridge_numpy.py [--rows 4000] [--features 768] [--voxels 8192] [--repeats 2]
                      [--gflop G] [--peak-gflops P]
The thread count is the BLAS's (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS)."""
import argparse
import os
import random
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "core"))
import encoding_reference as reference  # noqa: E402


def heldout_sets(rows, chunklen, nboots, rng):
    chunks = list(zip(*[iter(range(rows))] * chunklen))  # whole chunks; the remainder is never held out
    nchunks = int(0.25 * rows / chunklen)
    sets = []
    for _ in range(nboots):
        rng.shuffle(chunks)
        sets.append(np.array([row for chunk in chunks[:nchunks] for row in chunk]))
    return sets


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--features", type=int, default=768)
    parser.add_argument("--voxels", type=int, default=8192)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--gflop", type=float, default=0.0)
    parser.add_argument("--peak-gflops", type=float, default=0.0)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.rows, args.features))
    y = x @ (rng.standard_normal((args.features, args.voxels)) / np.sqrt(args.features))
    y += rng.standard_normal((args.rows, args.voxels))
    alphas = np.logspace(1, 4, 15)

    best = float("inf")
    for r in range(args.repeats):
        held = heldout_sets(args.rows, 20, 3, random.Random(r))
        start = time.perf_counter()
        reference.bootstrap_ridge(x, y, alphas, held, 1e-10, False)
        best = min(best, time.perf_counter() - start)
    gflops = args.gflop / best
    fraction = gflops / args.peak_gflops if args.peak_gflops > 0 else 0.0
    threads = os.environ.get("OPENBLAS_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "?"))
    print(f"impl=numpy threads={threads} rows={args.rows} features={args.features} voxels={args.voxels} "
          f"fit_ms={best * 1e3:.0f} gflop={args.gflop:.1f} gflops={gflops:.1f} "
          f"dgemm_peak_gflops={args.peak_gflops:.1f} peak_fraction={fraction:.3f}")


if __name__ == "__main__":
    main()
