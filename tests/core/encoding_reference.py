#!/usr/bin/env python3
"""Independent NumPy reference for the encoding-model library (core/encoding,
docs/brain-alignment.md), written from the Huth-lab reference code's behaviour:
EMSL extract_speech_features (windows), ridge_utils/interpdata.py (lanczosinterp2D),
ridge_utils/util.py (make_delayed), ridge_utils/ridge.py (bootstrap_ridge with
use_corr=False) and MBT brn_eval_utils.spe_and_cc_norm (noise ceiling).

Reads the .npy files and manifest.json written by encoding_crosscheck_dump, recomputes
every result here and compares. The bootstrap held-out rows come from the C++ side (the
reference draws them with Python's unseeded `random`); they are checked to be a valid
draw (whole chunks, none from the remainder) and then used as given.
Tolerance: for every float64 result, max|cpp - ref| / max|ref| <= 1e-8; window spans,
held-out structure, chosen alphas and NaN positions must match exactly.
Usage: encoding_reference.py DIR   Exit 0 when all agree, 1 otherwise."""
import json
import os
import sys

import numpy as np

TOLERANCE = 1e-8
failures = []
worst = {}  # kind -> (relative error, label)


def load(directory, name):
    return np.load(os.path.join(directory, name + ".npy"))


def compare(kind, label, cpp, ref):
    cpp = np.asarray(cpp, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if cpp.shape != ref.shape:
        failures.append(f"{label}: shape {cpp.shape} vs reference {ref.shape}")
        return
    if not np.array_equal(np.isnan(cpp), np.isnan(ref)):
        failures.append(f"{label}: NaN at different places")
        return
    finite = ~np.isnan(ref)
    scale = np.abs(ref[finite]).max() if finite.any() else 0.0
    error = np.abs(cpp[finite] - ref[finite]).max() if finite.any() else 0.0
    relative = error / scale if scale > 0 else error
    if relative > worst.get(kind, (-1.0, ""))[0]:
        worst[kind] = (relative, label)
    if not relative <= TOLERANCE:
        failures.append(f"{label}: relative error {relative:.3e} (max |ref| {scale:.3e})")


def exact(label, cpp, ref):
    if np.shape(cpp) != np.shape(ref) or not np.array_equal(cpp, ref):
        failures.append(f"{label}: differs from the reference\n  cpp {np.asarray(cpp).tolist()}\n"
                        f"  ref {np.asarray(ref).tolist()}")


# ---- windows (EMSL extract_speech_features, require_full_context=False) -----------------
def reference_windows(samples, sample_rate, stride_seconds, context_seconds, min_input_length):
    chunk = int(stride_seconds * sample_rate)
    context = int(context_seconds * sample_rate)
    full = chunk + context
    ends = [np.arange(chunk, context + chunk, chunk)]
    if samples >= full:
        # torch.arange(n).unfold(0, full, chunk)[:, -1] + 1: windows starting 0, chunk, ...
        starts = np.arange(0, samples - full + 1, chunk)
        ends.append(starts + full)
    ends = np.concatenate(ends)
    begins = np.maximum(0, ends - full)
    keep = (ends - begins) >= min_input_length
    # The reference also lists early windows past the end of an audio shorter than one full
    # window (their slices come out short); the library documents that it leaves them out.
    keep &= ends <= samples
    return np.stack([begins[keep], ends[keep]], axis=1), ends[keep] / sample_rate


# ---- Lanczos (ridge_utils/interpdata.py) --------------------------------------------------
def lanczosfun(cutoff, t, window=3):
    t = t * cutoff
    with np.errstate(divide="ignore", invalid="ignore"):
        val = window * np.sin(np.pi * t) * np.sin(np.pi * t / window) / (np.pi ** 2 * t ** 2)
    val[t == 0] = 1.0
    val[np.abs(t) > window] = 0.0
    return val


def lanczosinterp2D(data, oldtime, newtime, window=3, cutoff_mult=1.0):
    cutoff = 1 / np.mean(np.diff(newtime)) * cutoff_mult
    sincmat = np.zeros((len(newtime), len(oldtime)))
    for ndi in range(len(newtime)):
        sincmat[ndi, :] = lanczosfun(cutoff, newtime[ndi] - oldtime, window)
    return np.dot(sincmat, data)


# ---- design (zs, make_delayed) ------------------------------------------------------------
def zs(v):
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (v - v.mean(0)) / v.std(0)
    # Library choice (the reference yields NaN): a column of equal values becomes zeros.
    z[:, v.max(0) == v.min(0)] = 0.0
    return z


def make_delayed(stim, delays):
    nt, ndim = stim.shape
    dstims = []
    for d in delays:
        dstim = np.zeros((nt, ndim))
        if d < 0:
            dstim[:d, :] = stim[-d:, :]
        elif d > 0:
            dstim[d:, :] = stim[:-d, :]
        else:
            dstim = stim.copy()
        dstims.append(dstim)
    return np.hstack(dstims)


# ---- ridge (ridge_utils/ridge.py, use_corr=False) -----------------------------------------
def ridge_corr(Rstim, Pstim, Rresp, Presp, alphas, singcutoff):
    U, S, Vh = np.linalg.svd(Rstim, full_matrices=False)
    ngood = np.sum(S > singcutoff)
    U, S, Vh = U[:, :ngood], S[:ngood], Vh[:ngood]
    UR = np.dot(U.T, Rresp)
    PVh = np.dot(Pstim, Vh.T)
    Prespvar = (np.ones(Presp.shape[1]) + Presp.var(0)) / 2.0
    Rcorrs = []
    for a in alphas:
        D = S / (S ** 2 + a ** 2)
        pred = np.dot(PVh * D[np.newaxis, :], UR)
        resvar = (Presp - pred).var(0)
        Rsq = 1 - (resvar / Prespvar)
        Rcorr = np.sqrt(np.abs(Rsq)) * np.sign(Rsq)
        Rcorr[np.isnan(Rcorr)] = 0
        Rcorrs.append(Rcorr)
    return np.array(Rcorrs)


def ridge(stim, resp, alpha):
    U, S, Vh = np.linalg.svd(stim, full_matrices=False)
    UR = np.dot(U.T, np.nan_to_num(resp))
    wt = np.zeros((stim.shape[1], resp.shape[1]))
    for ua in np.unique(alpha):
        selvox = np.nonzero(alpha == ua)[0]
        wt[:, selvox] = Vh.T.dot(np.diag(S / (S ** 2 + ua ** 2))).dot(UR[:, selvox])
    return wt


def check_heldout(label, held, rows, chunklen, nchunks):
    chunks = held.reshape(-1, chunklen) if held.size % chunklen == 0 else None
    ok = (chunks is not None and chunks.shape[0] == nchunks
          and np.all(chunks[:, 0] % chunklen == 0)
          and np.all(chunks - chunks[:, :1] == np.arange(chunklen))
          and np.all(chunks[:, -1] < (rows // chunklen) * chunklen)
          and len(set(chunks[:, 0].tolist())) == nchunks)
    if not ok:
        failures.append(f"{label}: held-out rows are not {nchunks} distinct whole chunks of {chunklen}")


def bootstrap_ridge(Rstim, Rresp, alphas, heldout_sets, singcutoff, single_alpha):
    nresp = Rresp.shape[0]
    Rcmats = []
    for heldinds in heldout_sets:
        notheldinds = sorted(set(range(nresp)) - set(heldinds.tolist()))
        Rcmats.append(ridge_corr(Rstim[notheldinds], Rstim[heldinds], Rresp[notheldinds],
                                 Rresp[heldinds], alphas, singcutoff))
    allRcorrs = np.dstack(Rcmats)
    meanbootcorrs = allRcorrs.mean(2)
    if single_alpha:
        bestalphainds = np.full(Rresp.shape[1], np.argmax(meanbootcorrs.mean(1)))
    else:
        bestalphainds = np.argmax(meanbootcorrs, 0)
    valphas = alphas[bestalphainds]
    return ridge(Rstim, Rresp, valphas), valphas, bestalphainds, meanbootcorrs


def pearson(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(np.array([np.corrcoef(a[:, i], b[:, i])[0, 1] for i in range(a.shape[1])]))


# ---- noise ceiling (spe_and_cc_norm, Schoppe et al. 2016) ---------------------------------
def cc_max_reference(orig_data):
    y = np.mean(orig_data, axis=0)
    num_trials = len(orig_data)
    TP = np.zeros(orig_data.shape[2]) + 1
    SP = (1 / (num_trials - 1)) * ((num_trials * np.var(y, axis=0, ddof=1)) - TP)
    with np.errstate(divide="ignore", invalid="ignore"):
        cc_max = np.nan_to_num(1 / (np.sqrt(1 + ((1 / num_trials) * ((TP / SP) - 1)))))
    # nan_to_num gives 0 for every SP <= 0 but one: a flat mean response (var(y) = 0, SP =
    # -TP / (N - 1)) makes the root exactly 0 and cc_max the largest float. The library
    # documents 0 for all SP <= 0.
    cc_max[SP <= 0] = 0.0
    return cc_max


def main(directory):
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)

    for case in manifest["windows"]:
        name = case.pop("name")
        spans, times = reference_windows(**case)
        exact(f"{name} spans", load(directory, name + "_spans"), spans)
        compare("windows", f"{name} end times", load(directory, name + "_end_times"), times)

    for case in manifest["lanczos"]:
        name = case["name"]
        out = lanczosinterp2D(load(directory, name + "_data"), load(directory, name + "_old"),
                              load(directory, name + "_new"), case["window"], case["cutoff_mult"])
        compare("lanczos", f"{name} output", load(directory, name + "_out"), out)

    for case in manifest["zscore"]:
        name = case["name"]
        compare("zscore", f"{name} output", load(directory, name + "_out"), zs(load(directory, name + "_in")))

    for case in manifest["delayed"]:
        name = case["name"]
        exact(f"{name} output", load(directory, name + "_out"),
              make_delayed(load(directory, name + "_in"), case["delays"]))

    for case in manifest["ridge"]:
        name = case["name"]
        x, y = load(directory, name + "_x"), load(directory, name + "_y")
        alphas = np.logspace(*case["alphas_logspace"])
        compare("alpha grid", f"{name} alpha grid", load(directory, name + "_alpha_grid"), alphas)
        grid = load(directory, name + "_alpha_grid")
        rows = x.shape[0]
        heldout = [load(directory, f"{name}_heldout{b}") for b in range(case["bootstraps"])]
        chunklen = case["chunk_length"]
        # MBT: nchunks = int(0.25 * T / chunklen) unless given.
        nchunks = case["heldout_chunks"] or int(0.25 * rows / chunklen)
        for b, held in enumerate(heldout):
            check_heldout(f"{name} bootstrap {b}", held, rows, chunklen, nchunks)
        wt, valphas, indices, scores = bootstrap_ridge(x, y, grid, heldout, case["singular_cutoff"],
                                                       case["single_alpha"])
        exact(f"{name} alpha indices", load(directory, name + "_alpha_indices"), indices)
        compare("ridge alphas", f"{name} alphas", load(directory, name + "_alphas"), valphas)
        compare("ridge bootstrap scores", f"{name} bootstrap scores",
                load(directory, name + "_bootstrap_scores"), scores)
        compare("ridge weights", f"{name} weights", load(directory, name + "_weights"), wt)
        x_test, y_test = load(directory, name + "_x_test"), load(directory, name + "_y_test")
        compare("test correlations", f"{name} test r", load(directory, name + "_test_r"),
                pearson(np.dot(x_test, wt), y_test))

    for case in manifest["noise"]:
        name = case["name"]
        repeats = load(directory, name + "_repeats")
        if case["zscore_repeats"]:
            repeats = np.stack([zs(trial) for trial in repeats])
        cc_max = cc_max_reference(repeats)
        compare("noise ceiling", f"{name} cc_max", load(directory, name + "_cc_max"), cc_max)
        r = pearson(load(directory, name + "_repeats").mean(0), load(directory, name + "_prediction"))
        compare("test correlations", f"{name} r", load(directory, name + "_r"), r)
        with np.errstate(divide="ignore", invalid="ignore"):
            cc_norm = np.where(cc_max > case["min_cc_max"], r / cc_max, np.nan)
        compare("noise ceiling", f"{name} cc_norm", load(directory, name + "_cc_norm"), cc_norm)
        summary = [r.mean(), np.nanmean(cc_norm), np.isfinite(cc_norm).sum()]
        compare("noise ceiling", f"{name} summary", load(directory, name + "_summary"), summary)
        if not 0 < summary[2] < r.size:
            failures.append(f"{name}: expected some but not all voxels above the ceiling threshold")

    for kind, (relative, label) in sorted(worst.items()):
        print(f"max relative deviation, {kind}: {relative:.2e} ({label})")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("encoding library matches the NumPy reference")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
