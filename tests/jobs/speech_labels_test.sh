#!/usr/bin/env bash
# usage: speech_labels_test.sh NEUROSCALE PYTHON MPIRUN
# `neuroscale speech labels` on a small synthetic speech corpus: 1 and 2 ranks give the same
# file content; the labels are the nearest centroids of an independent NumPy MFCC
# (tests/core/mfcc_reference.py) of every utterance; refusals exit non-zero, name the flag or
# file, and leave an existing output unchanged. Exits 77 (skipped) without numpy/scipy/h5py.
set -u
neuroscale=$1 python=$2 mpirun=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/test_helpers.sh"
require_python "$python" numpy scipy.fft scipy.signal h5py

"$neuroscale" synth --kind speech --output "$dir/speech.h5" hours=0.02 > /dev/null || fail "synth"
"$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/np1.h5" --clusters 20 \
  > "$dir/np1.out" || fail "labels on 1 rank"
cat "$dir/np1.out"
grep -q "20 of 20 clusters used" "$dir/np1.out" || fail "summary: $(cat "$dir/np1.out")"
grep -q "train: .* frames with a phoneme, phone purity .*, PNMI" "$dir/np1.out" || fail "no quality line"
$mpirun -np 2 "$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/np2.h5" --clusters 20 \
  > /dev/null || fail "labels on 2 ranks"

"$python" - "$dir" "$here/../core" <<'PY' || fail "check"
import sys
import h5py
import numpy as np
d = sys.argv[1]
sys.path.insert(0, sys.argv[2])
from mfcc_reference import mfcc
one, two, corpus = (h5py.File(f"{d}/{n}.h5", "r") for n in ("np1", "np2", "speech"))
for key in ("labels", "offset", "frames", "centroids"):
    assert np.array_equal(one[key][()], two[key][()]), f"{key} differs between 1 and 2 ranks"
assert one.attrs["format"] == b"neuroscale-speech-labels" or one.attrs["format"] == "neuroscale-speech-labels"
centroids = one["centroids"][()].astype(np.float64)
audio = corpus["audio"][()].astype(np.float64) / 32768
offsets, samples = corpus["utterances/offset"][()], corpus["utterances/samples"][()]
labels, first, frames = one["labels"][()], one["offset"][()], one["frames"][()]
total = disagree = 0
for u in range(len(offsets)):
    x = audio[offsets[u]:offsets[u] + samples[u]]
    f = mfcc(x)
    assert len(f) == frames[u] == (samples[u] - 400) // 320 + 1, f"utterance {u}: frames"
    want = ((f[:, None, :] - centroids[None]) ** 2).sum(2).argmin(1)
    got = labels[first[u]:first[u] + frames[u]]
    total += len(want)
    disagree += int((want != got).sum())
print(f"{total} frames of {len(offsets)} utterances, {disagree} labels differ from the NumPy reference")
# float32 centroids and MFCCs against float64: only near-ties may differ.
assert disagree <= total // 1000, "labels are not the nearest centroids of the MFCCs"
PY

# Refusals: nothing written, nothing damaged.
before=$(md5sum < "$dir/np1.h5")
out=$("$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/np1.h5" 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"already exists (pass --force to replace it)"* ]] || fail "existing output: $out"
out=$("$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/x.h5" --clusters 1 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"--clusters 1 (expected 2-32767)"* ]] || fail "--clusters 1: $out"
out=$("$neuroscale" speech labels --corpus "$dir/np1.h5" --output "$dir/x.h5" 2>&1)
[ $? -eq 3 ] && [[ "$out" == *"is not a neuroscale speech corpus"* ]] || fail "labels as corpus: $out"
out=$("$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/x.h5" --clusters 30000 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"fewer than the 30000 clusters"* ]] || fail "too many clusters: $out"
[ ! -e "$dir/x.h5" ] || fail "a refused run left an output"
ls "$dir" | grep -q tmp && fail "a temporary file was left: $(ls "$dir")"
[ "$before" = "$(md5sum < "$dir/np1.h5")" ] || fail "a refused run changed an existing output"
"$neuroscale" speech labels --help | grep -q "k-means" || fail "--help"
echo "PASS"
