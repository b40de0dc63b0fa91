"""A tiny LeBel 2023 (OpenNeuro ds003020) tree written with h5py and scipy, and checks of the
fMRI corpus `neuroscale ingest --format lebel` makes of it.

usage: lebel_fixture.py make DIR [--corrupt KIND] | verify SRC CORPUS [PARTICIPANTS] | corruptions
"""
import json
import os
import sys
import zlib

import h5py
import numpy as np
from scipy.io import wavfile
from scipy.signal import resample_poly

# story -> (TRs in respdict.json, WAV sample rate)
STORIES = {"wheretheressmoke": (32, 44100), "itsabox": (26, 22050), "alpha": (30, 22050), "beta": (28, 44100)}
HEARD = {"UTS01": ["alpha", "beta", "itsabox", "wheretheressmoke"], "UTS02": ["alpha", "itsabox", "wheretheressmoke"]}
VOXELS = 5
REPEATS = 3
CORRUPTIONS = {
    # kind: text the error message must contain
    "rows": "UTS02/alpha.hf5",
    "voxels": "UTS01: 5, UTS02: 6",
    "missing_wav": "stimuli/beta.wav",
    "no_respdict_entry": "no entry for story 'beta'",
}


def duration_s(trs):
    # The sound of a story lasts about its TRs minus the padding (2 s each).
    return 2.0 * (trs - 6) + 0.37


def audio(story, rate):
    t = np.arange(int(round(duration_s(STORIES[story][0]) * rate))) / rate
    rng = np.random.default_rng(len(story))
    return 0.3 * np.sin(2 * np.pi * 300 * t) + 0.05 * rng.standard_normal(t.size)


def responses(participant, story, shape):
    rng = np.random.default_rng(zlib.crc32(f"{participant}/{story}".encode()))
    data = rng.standard_normal(shape)
    data.flat[::7] = np.nan  # preprocessed files hold NaN where a voxel had no signal
    return data


def make(root, corrupt):
    respdict = {s: trs for s, (trs, _) in STORIES.items()}
    if corrupt == "no_respdict_entry":
        del respdict["beta"]
    os.makedirs(f"{root}/derivative/preprocessed_data", exist_ok=True)
    os.makedirs(f"{root}/stimuli", exist_ok=True)
    with open(f"{root}/derivative/respdict.json", "w") as f:
        json.dump(respdict, f)
    for story, (trs, rate) in STORIES.items():
        if corrupt == "missing_wav" and story == "beta":
            continue
        wavfile.write(f"{root}/stimuli/{story}.wav", rate, (audio(story, rate) * 32767).astype(np.int16))
    for participant, stories in HEARD.items():
        os.makedirs(f"{root}/derivative/preprocessed_data/{participant}", exist_ok=True)
        for story in stories:
            rows = STORIES[story][0] - 20
            voxels = VOXELS
            if corrupt == "rows" and participant == "UTS02" and story == "alpha":
                rows -= 1
            if corrupt == "voxels" and participant == "UTS02":
                voxels += 1
            with h5py.File(f"{root}/derivative/preprocessed_data/{participant}/{story}.hf5", "w") as f:
                f["data"] = responses(participant, story, (rows, voxels))
                if story == "wheretheressmoke":
                    f["individual_repeats"] = responses(participant, story + "/repeats", (REPEATS, rows, voxels))


def verify(src, corpus, participants):
    def check(condition, what):
        if not condition:
            sys.exit(f"verify: {what}")

    with h5py.File(corpus, "r") as f:
        check(f.attrs["format"] == b"neuroscale-fmri" or f.attrs["format"] == "neuroscale-fmri", "format")
        check(f.attrs["voxels"] == VOXELS and f.attrs["sample_rate"] == 16000 and f.attrs["tr_s"] == 2.0, "header")
        stories = sorted({s for p in participants for s in HEARD[p]})
        check(sorted(f["stories"]) == stories, f"stories {sorted(f['stories'])}")
        for story in stories:
            trs, rate = STORIES[story]
            g = f["stories"][story]
            split = g.attrs["split"]
            split = split.decode() if isinstance(split, bytes) else split
            want = {"wheretheressmoke": "test", "itsabox": "val"}.get(story, "train")
            check(split == want, f"{story}: split {split}")
            wav = g["audio"][:]
            check(wav.dtype == np.float32, f"{story}: audio dtype")
            check(abs(wav.size - duration_s(trs) * 16000) <= 2, f"{story}: {wav.size} samples")
            rate_in, pcm = wavfile.read(f"{src}/stimuli/{story}.wav")
            reference = resample_poly(pcm.astype(np.float64) / 32768, 16000, rate_in)
            n = min(reference.size, wav.size) - 400
            corr = np.corrcoef(reference[400:n], wav[400:n])[0, 1]
            check(corr > 0.995, f"{story}: resampled audio differs from scipy's (r = {corr:.4f})")
            times = g["tr_times"][:]
            check(np.array_equal(times, 11.0 + 2.0 * np.arange(trs - 20)), f"{story}: tr_times {times[:3]}...")
        check(sorted(f["participants"]) == sorted(participants), "participants")
        for participant in participants:
            for story in HEARD[participant]:
                g = f["participants"][participant][story]
                with h5py.File(f"{src}/derivative/preprocessed_data/{participant}/{story}.hf5", "r") as s:
                    check(np.array_equal(g["responses"][:], np.nan_to_num(s["data"][:]).astype(np.float32)),
                          f"{participant}/{story}: responses")
                    if story == "wheretheressmoke":
                        check(np.array_equal(g["repeats"][:],
                                             np.nan_to_num(s["individual_repeats"][:]).astype(np.float32)),
                              f"{participant}/{story}: repeats")
                    else:
                        check("repeats" not in g, f"{participant}/{story}: unexpected repeats")
            absent = set(STORIES) - set(HEARD[participant])
            check(not absent & set(f["participants"][participant]), f"{participant}: stories not heard")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[4] if len(sys.argv) > 4 else None)
    elif sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3], sys.argv[4].split(",") if len(sys.argv) > 4 else list(HEARD))
    elif sys.argv[1] == "corruptions":
        for kind, message in CORRUPTIONS.items():
            print(f"{kind}:{message}")
