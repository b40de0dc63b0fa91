"""Brain-to-Text '25 fixtures written with h5py (the format's real library), and an
independent check of an ingested corpus against them.

  b2t25_fixture.py make DIR [--corrupt KIND]
  b2t25_fixture.py verify DIR CORPUS MODE      (MODE: none, per_day, per_block)
"""
import os
import sys

import h5py
import numpy as np

SESSIONS = {"t15.2023.08.11": ("train", "val", "test"), "t15.2023.08.20": ("train", "val")}
PAD_IDS, PAD_TEXT, CHANNELS = 500, 500, 512
SENTENCES = ["i want water", "thank you", "good morning doctor", "no", "how are you"]
CORRUPTIONS = ("missing_features", "wrong_channels", "wrong_dtype", "nan", "empty", "label_range",
               "seq_len_too_long", "truncated", "not_hdf5")


def make(root, corrupt=None):
    rng = np.random.default_rng(11)
    for session, splits in SESSIONS.items():
        os.makedirs(os.path.join(root, session), exist_ok=True)
        for split in splits:
            path = os.path.join(root, session, f"data_{split}.hdf5")
            with h5py.File(path, "w") as f:
                for t in range(4 if split == "train" else 2):
                    g = f.create_group(f"trial_{t:04d}")
                    steps = int(rng.integers(8, 20))
                    x = (rng.normal(size=(steps, CHANNELS)) * 2 + 1).astype(np.float32)
                    g.create_dataset("input_features", data=x)
                    g.attrs["n_time_steps"] = steps
                    g.attrs["session"] = session
                    g.attrs["block_num"] = 1 + t % 2
                    g.attrs["trial_num"] = t
                    if split != "test":
                        sentence = SENTENCES[(t + len(split)) % len(SENTENCES)]
                        ids = rng.integers(1, 41, size=int(rng.integers(3, 9)))
                        padded = np.zeros(PAD_IDS, np.int32)
                        padded[: len(ids)] = ids
                        g.create_dataset("seq_class_ids", data=padded)
                        g.attrs["seq_len"] = len(ids)
                        g.attrs["sentence_label"] = sentence
                        text = np.zeros(PAD_TEXT, np.int32)
                        text[: len(sentence)] = [ord(c) for c in sentence]
                        g.create_dataset("transcription", data=text)
    if corrupt:
        corrupt_tree(root, corrupt)


def corrupt_tree(root, kind):
    path = os.path.join(root, "t15.2023.08.20", "data_train.hdf5")
    if kind == "truncated":
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            f.truncate(size // 2)
        return
    if kind == "not_hdf5":
        with open(path, "w") as f:
            f.write("this is not an HDF5 file\n")
        return
    with h5py.File(path, "r+") as f:
        g = f["trial_0002"]
        if kind == "missing_features":
            g.move("input_features", "features")
        elif kind == "wrong_channels":
            del g["input_features"]
            g.create_dataset("input_features", data=np.zeros((g.attrs["n_time_steps"], 256), np.float32))
        elif kind == "wrong_dtype":
            steps = g.attrs["n_time_steps"]
            del g["input_features"]
            g.create_dataset("input_features", data=np.array([[b"x"] * CHANNELS] * steps))
        elif kind == "nan":
            x = g["input_features"][:]
            x[3, 7] = np.nan
            g["input_features"][...] = x
        elif kind == "empty":
            del g["input_features"]
            g.create_dataset("input_features", data=np.zeros((0, CHANNELS), np.float32))
            g.attrs["n_time_steps"] = 0
        elif kind == "label_range":
            ids = g["seq_class_ids"][:]
            ids[1] = 45
            g["seq_class_ids"][...] = ids
        elif kind == "seq_len_too_long":
            g.attrs["seq_len"] = PAD_IDS + 1
        else:
            raise SystemExit(f"unknown corruption {kind}")


def source_trials(root):
    """Trials in ingest order: sessions by name, splits train/val/test, trials by name."""
    for session in sorted(SESSIONS):
        for split in ("train", "val", "test"):
            path = os.path.join(root, session, f"data_{split}.hdf5")
            if not os.path.exists(path):
                continue
            with h5py.File(path, "r") as f:
                for name in sorted(k for k in f if k.startswith("trial_")):
                    g = f[name]
                    labels = g["seq_class_ids"][: g.attrs["seq_len"]] if "seq_class_ids" in g else np.zeros(0)
                    text = g.attrs["sentence_label"] if "sentence_label" in g.attrs else ""
                    yield (session, split, int(g.attrs["block_num"]), g["input_features"][:], labels, text)


def verify(root, corpus, mode):
    trials = list(source_trials(root))
    with h5py.File(corpus, "r") as f:
        assert f.attrs["source"] == b"b2t25"
        assert f["normalization"].attrs["mode"] == mode.encode(), f["normalization"].attrs["mode"]
        assert [n.decode() for n in f["subjects/name"][:]] == ["t15"]
        assert list(f["subjects/n_channels"][:]) == [CHANNELS]
        assert [d.decode() for d in f["sessions/date"][:]] == ["2023-08-11", "2023-08-20"]
        assert list(f["sessions/day"][:]) == [0, 9]
        tr = f["trials"]
        assert len(tr["session"]) == len(trials), (len(tr["session"]), len(trials))
        feats = f["features/t15"][:]
        # Independent statistics: per group, over its training trials.
        def group_key(i):
            session, _, block = trials[i][0], trials[i][1], trials[i][2]
            return (session, block) if mode == "per_block" else session
        stats = {}
        for key in {group_key(i) for i in range(len(trials))}:
            rows = [trials[i][3] for i in range(len(trials)) if group_key(i) == key and trials[i][1] == "train"]
            x = np.concatenate(rows).astype(np.float64)
            sd = x.std(axis=0)
            stats[key] = (x.mean(axis=0), np.where(sd > 1e-6, sd, 1.0))
        mean, std, offset = f["normalization/mean"][:], f["normalization/std"][:], f["normalization/offset"][:]
        for i, (session, split, block, x, labels, text) in enumerate(trials):
            assert tr["split"][i] == {"train": 0, "val": 1, "test": 2}[split], i
            assert f["sessions/date"][tr["session"][i]].decode() == session[4:].replace(".", "-"), i
            assert tr["block"][i] == block, i
            assert tr["n_bins"][i] == len(x), i
            got = feats[tr["row"][i]: tr["row"][i] + tr["n_bins"][i]]
            g = tr["norm_group"][i]
            m, s = stats[group_key(i)]
            np.testing.assert_allclose(mean[offset[g]: offset[g] + CHANNELS], m, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(std[offset[g]: offset[g] + CHANNELS], s, rtol=1e-5, atol=1e-5)
            if mode == "none":
                assert np.array_equal(got, x), f"trial {i}: features differ"
            else:
                np.testing.assert_allclose(got, (x - m) / s, rtol=1e-4, atol=1e-4)
            lo, n = tr["label_offset"][i], tr["label_count"][i]
            assert np.array_equal(f["labels/phonemes"][lo: lo + n], labels), f"trial {i}: labels differ"
            to, tn = tr["text_offset"][i], tr["text_length"][i]
            assert bytes(f["text/utf8"][to: to + tn]).decode() == text, f"trial {i}: text differs"
    print(f"PASS: {len(trials)} trials match the b2t25 source exactly ({mode})")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--corrupt" else None)
    elif sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "corruptions":
        print(" ".join(CORRUPTIONS))
