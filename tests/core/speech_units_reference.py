"""Independent NumPy/SciPy reference for the speech units (core/speech: MFCCs with deltas,
the mel filterbank, Lloyd's k-means and nearest-centroid labels), compared with what
speech_units_crosscheck_dump wrote. Usage: speech_units_reference.py DIR"""
import json
import sys

import numpy as np

from mfcc_reference import filterbank, mfcc

d = sys.argv[1]
load = lambda name: np.load(f"{d}/{name}.npy")
manifest = json.load(open(f"{d}/manifest.json"))
failures = []


def check(name, got, want, rtol, atol):
    if got.shape != want.shape:
        failures.append(f"{name}: shape {got.shape}, reference {want.shape}")
        return
    err = np.abs(got - want) - (atol + rtol * np.abs(want))
    if err.max() > 0:
        i = np.unravel_index(np.argmax(err), err.shape)
        failures.append(f"{name}: at {i} {got[i]!r} vs reference {want[i]!r}")
    else:
        print(f"ok {name} {got.shape} max abs diff {np.abs(got - want).max():.3g}")


def lloyd(x, init, iterations, tolerance):
    x = x.astype(np.float64)
    c = init.astype(np.float64).copy()
    previous = np.inf
    done = 0
    for it in range(1, iterations + 1):
        dist = ((x[:, None, :] - c[None, :, :]) ** 2).sum(2)
        labels = dist.argmin(1)
        nearest = dist[np.arange(len(x)), labels]
        inertia = nearest.mean()
        done = it
        converged = previous - inertia <= tolerance * inertia
        previous = inertia
        new = np.zeros_like(c)
        counts = np.bincount(labels, minlength=len(c)).astype(np.float64)
        np.add.at(new, labels, x)
        empty = np.flatnonzero(counts == 0)
        far = np.argsort(-nearest)[:len(empty)]
        for e, f in zip(empty, far):
            new[e] = x[f]
            counts[e] = 1
        c = new / counts[:, None]
        if converged and len(empty) == 0:
            break
    final = ((x[:, None, :] - c[None, :, :]) ** 2).sum(2).min(1).mean()
    return c, final, done


audio = load("audio")
check("filterbank_default", load("filterbank_default"), filterbank(16000, 512, 40, 20, 7600), 1e-12, 1e-12)
# float32 audio and output; the log spectrum of the silent stretch is the hardest part.
check("mfcc_default", load("mfcc_default"), mfcc(audio.astype(np.float32).astype(np.float64)), 1e-4, 2e-3)
other = manifest["other"]
check("mfcc_other", load("mfcc_other"), mfcc(audio.astype(np.float32).astype(np.float64), **other), 1e-4, 2e-3)
km = manifest["kmeans"]
x = load("x")
c, inertia, its = lloyd(x, load("init"), km["iterations"], km["tolerance"])
check("centroids", load("centroids"), c, 1e-5, 1e-5)
check("inertia", load("inertia"), np.array([inertia]), 1e-6, 0)
check("iterations", load("iterations"), np.array([its]), 0, 0)
c_far, _, its_far = lloyd(x, load("init_far"), km["iterations"], km["tolerance"])
check("centroids_far", load("centroids_far"), c_far, 1e-5, 1e-5)
check("iterations_far", load("iterations_far"), np.array([its_far]), 0, 0)
labels = ((x[:, None, :].astype(np.float64) - load("centroids")[None]) ** 2).sum(2).argmin(1)
check("labels", load("labels"), labels, 0, 0)
if failures:
    print("\n".join(failures))
    sys.exit(1)
