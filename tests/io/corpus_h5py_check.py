"""Reads a neuroscale corpus with h5py alone (no neuroscale code) and checks the documented
layout of docs/corpus-format.md: attributes, index columns, per-subject features, labels."""
import sys

import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    assert f.attrs["format"] == b"neuroscale-corpus", f.attrs["format"]
    assert int(f.attrs["format_version"]) == 1
    assert float(f.attrs["bin_ms"]) == 20.0
    names = [n.decode() for n in f["subjects/name"][:]]
    channels = f["subjects/n_channels"][:]
    session_subject = f["sessions/subject"][:]
    trials = f["trials"]
    n = len(trials["session"])
    assert f["normalization"].attrs["mode"] == b"per_day"
    assert (f["trials/norm_group"][:] == f["trials/session"][:]).all()  # per-day: one group per session
    for col in ("split", "n_bins", "row", "label_offset", "label_count", "text_offset", "text_length",
                "block", "norm_group"):
        assert len(trials[col]) == n, col
    for s, name in enumerate(names):
        feats = f["features/" + name]
        assert feats.dtype == np.float16, feats.dtype
        assert feats.shape[1] == channels[s], (feats.shape, channels[s])
        mine = [t for t in range(n) if session_subject[trials["session"][t]] == s]
        assert feats.shape[0] == sum(int(trials["n_bins"][t]) for t in mine)
        x = feats[:].astype(np.float64)
        assert np.isfinite(x).all()
        # Per-day z-scored: each session's features have mean ~0.
        for sess in np.unique(trials["session"][mine]):
            rows = np.concatenate([np.arange(trials["row"][t], trials["row"][t] + trials["n_bins"][t])
                                   for t in mine if trials["session"][t] == sess])
            assert abs(x[rows].mean()) < 1e-2, x[rows].mean()
    phonemes = f["labels/phonemes"][:]
    assert phonemes.max() <= 40 and phonemes.min() >= 1
    t = int(np.argmax(trials["label_count"][:] > 0))
    labels = phonemes[trials["label_offset"][t]: trials["label_offset"][t] + trials["label_count"][t]]
    assert labels[-1] == 40, labels
    text = bytes(f["text/utf8"][trials["text_offset"][t]: trials["text_offset"][t] + trials["text_length"][t]]).decode()
    assert text and text == text.lower(), text
print(f"PASS: h5py read {len(names)} subjects, {n} trials from {path}")
