#!/usr/bin/env bash
# usage: speech_probe_test.sh NEUROSCALE PYTHON MPIRUN
# The analyses of a speech backbone, on a small synthetic speech corpus and a briefly trained
# hubert-tiny exported as a Hugging Face directory:
# - `speech labels --model DIR --layer L` (HuBERT's next iteration): the same file on 1 and 2
#   ranks, each label the nearest centroid of the layer's hidden states as transformers'
#   HubertModel computes them (an independent implementation), and speech pretrain trains on it;
# - `speech probe`: one probe per layer (and MFCCs), reproducible, MFCCs above the majority
#   baseline, --random-init recorded as such;
# - refusals name the flag or file and write nothing.
# Exits 77 (skipped) when PYTHON lacks transformers or h5py.
set -u
neuroscale=$1 python=$2 mpirun=$3
source "$(dirname "$0")/test_helpers.sh"
require_python "$python" transformers h5py numpy torch
source_dir=$(cd "$(dirname "$0")/../.." && pwd)

"$neuroscale" synth --kind speech --output "$dir/speech.h5" hours=0.04 test_fraction=0.2 > /dev/null || fail "synth"
"$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/mfcc.h5" --clusters 20 \
  > /dev/null 2>&1 || fail "MFCC labels"
common=(--config "$source_dir/configs/speech/hubert-tiny.yaml" data.corpus="$dir/speech.h5"
        train.max_steps=6 train.micro_batch=2 schedule.warmup_steps=2)
"$neuroscale" speech pretrain "${common[@]}" --run-dir "$dir/it1" data.labels="$dir/mfcc.h5" \
  2> "$dir/it1.err" || { cat "$dir/it1.err"; fail "pretrain on MFCC labels"; }
"$neuroscale" speech export "$dir/it1" --output "$dir/it1-hf" 2> /dev/null || fail "export"

# Second-iteration labels from layer 1, on 1 and 2 ranks.
"$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/l1.h5" --clusters 12 \
  --model "$dir/it1-hf" --layer 1 > "$dir/l1.out" 2> "$dir/l1.err" || { cat "$dir/l1.err"; fail "layer labels"; }
grep -q "12 of 12 clusters used\|of 12 clusters used" "$dir/l1.out" || fail "summary: $(cat "$dir/l1.out")"
$mpirun -np 2 "$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/l1-np2.h5" \
  --clusters 12 --model "$dir/it1-hf" --layer 1 > /dev/null 2>&1 || fail "layer labels on 2 ranks"
"$python" - "$dir" <<'PY' || fail "layer labels check"
import sys
import h5py, numpy as np, torch, transformers
d = sys.argv[1]
one, two, corpus = (h5py.File(f"{d}/{n}.h5", "r") for n in ("l1", "l1-np2", "speech"))
for key in ("labels", "offset", "frames", "centroids"):
    assert np.array_equal(one[key][()], two[key][()]), f"{key} differs between 1 and 2 ranks"
model = transformers.HubertModel.from_pretrained(f"{d}/it1-hf").eval()
extractor = transformers.Wav2Vec2FeatureExtractor.from_pretrained(f"{d}/it1-hf")
centroids = torch.tensor(one["centroids"][()], dtype=torch.float64)
audio = corpus["audio"][()].astype(np.float32) / 32768
offsets, samples = corpus["utterances/offset"][()], corpus["utterances/samples"][()]
labels, first, frames = one["labels"][()], one["offset"][()], one["frames"][()]
total = disagree = 0
for u in range(len(offsets)):
    x = extractor(audio[offsets[u]:offsets[u] + samples[u]], sampling_rate=16000,
                  return_tensors="pt").input_values
    with torch.no_grad():
        h = model(x, output_hidden_states=True).hidden_states[1][0].double()
    assert h.shape[0] == frames[u], f"utterance {u}: {h.shape[0]} frames, file {frames[u]}"
    want = torch.cdist(h, centroids).argmin(1).numpy()
    got = labels[first[u]:first[u] + frames[u]]
    total += len(want)
    disagree += int((want != got).sum())
print(f"{total} frames, {disagree} labels differ from transformers' layer 1")
assert disagree <= max(1, total // 200), "labels are not the nearest centroids of layer 1"
PY
"$neuroscale" speech pretrain "${common[@]}" --run-dir "$dir/it2" data.labels="$dir/l1.h5" train.max_steps=2 \
  2> "$dir/it2.err" || { cat "$dir/it2.err"; fail "pretrain on layer labels"; }

# Probes: MFCCs and every layer; reproducible; MFCCs carry the phonemes.
"$neuroscale" speech probe --corpus "$dir/speech.h5" --model "$dir/it1-hf" --mfcc --iterations 100 \
  --output "$dir/probe.json" > "$dir/probe.out" 2> "$dir/probe.err" || { cat "$dir/probe.err"; fail "probe"; }
cat "$dir/probe.out"
"$neuroscale" speech probe --corpus "$dir/speech.h5" --model "$dir/it1-hf" --mfcc --iterations 100 \
  --output "$dir/again.json" > /dev/null 2>&1 || fail "probe again"
cmp -s "$dir/probe.json" "$dir/again.json" || fail "the probe is not reproducible"
"$neuroscale" speech probe --corpus "$dir/speech.h5" --model "$dir/it1-hf" --random-init --seed 3 \
  --last-layer 1 --iterations 100 --output "$dir/random.json" > /dev/null 2>&1 || fail "random-init probe"
"$python" - "$dir" <<'PY' || fail "probe results"
import json, sys
d = sys.argv[1]
p, r = (json.load(open(f"{d}/{n}.json")) for n in ("probe", "random"))
assert [q["features"] for q in p["probes"]] == ["mfcc", "layer 0", "layer 1", "layer 2"], p["probes"]
assert p["probes"][0]["dim"] == 39
assert p["test_frames"] > 100 and p["phonemes"] > 10, p
for q in p["probes"]:
    assert 0 <= q["test_accuracy"] <= 1 and 0 <= q["train_accuracy"] <= 1, q
assert p["probes"][0]["test_accuracy"] > p["majority_accuracy"] + 0.05, (p["probes"][0], p["majority_accuracy"])
assert "xxh64" in p["weights"] and r["weights"] == "random initialisation (seed 3)", (p["weights"], r["weights"])
assert [q["features"] for q in r["probes"]] == ["layer 0", "layer 1"], r["probes"]
PY

# After brain-tuning: a short braintune run over the exported weights; its adapters act on
# the attention layers, so layer 0 (before them) probes as before and the last layer not.
"$neuroscale" synth --kind fmri --config "$source_dir/configs/synth/fmri-tiny.yaml" \
  --output "$dir/fmri.h5" > /dev/null || fail "fMRI synth"
"$neuroscale" braintune --config "$source_dir/configs/braintune/tiny.yaml" --run-dir "$dir/bt" \
  data.corpus="$dir/fmri.h5" model.base_weights="$dir/it1-hf/model.safetensors" train.epochs=1 \
  schedule.lr=0.01 2> "$dir/bt.err" || { cat "$dir/bt.err"; fail "braintune"; }
"$neuroscale" speech probe --corpus "$dir/speech.h5" --model "$dir/it1-hf" --braintune "$dir/bt" \
  --iterations 100 --output "$dir/tuned.json" > /dev/null 2> "$dir/tuned.err" || { cat "$dir/tuned.err"; fail "probe --braintune"; }
"$python" - "$dir" <<'PY' || fail "probe after tuning"
import json, sys
d = sys.argv[1]
p, t = (json.load(open(f"{d}/{n}.json")) for n in ("probe", "tuned"))
assert t["weights"].startswith(f"brain-tuned by {d}/bt (step ") and "xxh64=" in t["weights"], t["weights"]
assert t["braintune"] == f"{d}/bt", t["braintune"]
before = {q["features"]: q for q in p["probes"]}
after = {q["features"]: q for q in t["probes"]}
assert list(after) == ["layer 0", "layer 1", "layer 2"], list(after)
assert after["layer 0"]["test_accuracy"] == before["layer 0"]["test_accuracy"], (after["layer 0"], before["layer 0"])
assert after["layer 2"]["train_accuracy"] != before["layer 2"]["train_accuracy"], "the adapters changed nothing"
PY
out=$("$neuroscale" speech probe --corpus "$dir/speech.h5" --model "$dir/it1-hf" --braintune "$dir/nosuchrun" 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"nosuchrun"* ]] || fail "--braintune of a missing run: $out"
out=$("$neuroscale" speech probe --corpus "$dir/speech.h5" --braintune "$dir/bt" 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"--braintune needs --model DIR"* ]] || fail "--braintune alone: $out"

# Refusals: nothing written.
out=$("$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/x.h5" --layer 1 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"--layer needs --model DIR"* ]] || fail "--layer alone: $out"
out=$("$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/x.h5" --model "$dir/it1-hf" --layer 3 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"--layer 3: '$dir/it1-hf' has layers 0-2"* ]] || fail "--layer 3: $out"
out=$("$neuroscale" speech probe --corpus "$dir/speech.h5" --random-init 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"--random-init needs --model DIR"* ]] || fail "--random-init alone: $out"
out=$("$neuroscale" speech probe --corpus "$dir/speech.h5" 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"nothing to probe"* ]] || fail "nothing to probe: $out"
out=$("$neuroscale" speech probe --corpus "$dir/speech.h5" --model "$dir/it1" 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"is not a Hugging Face model directory: it has no config.json"* ]] || fail "run dir as model: $out"
cp -r "$dir/it1-hf" "$dir/stable"
sed -i 's/"do_stable_layer_norm": false/"do_stable_layer_norm": true/' "$dir/stable/config.json"
out=$("$neuroscale" speech probe --corpus "$dir/speech.h5" --model "$dir/stable" --output "$dir/x.json" 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"config.json': do_stable_layer_norm true is not supported"* ]] || fail "stable layer norm: $out"
out=$($mpirun -np 2 "$neuroscale" speech probe --corpus "$dir/speech.h5" --mfcc 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"speech probe runs on one process"* ]] || fail "2 ranks: $out"
before=$(md5sum < "$dir/probe.json")
out=$("$neuroscale" speech probe --corpus "$dir/speech.h5" --mfcc --output "$dir/probe.json" 2>&1)
[ $? -ne 0 ] && [[ "$out" == *"already exists (pass --force to replace it)"* ]] || fail "existing output: $out"
[ "$before" = "$(md5sum < "$dir/probe.json")" ] || fail "a refused run changed an existing output"
[ ! -e "$dir/x.h5" ] && [ ! -e "$dir/x.json" ] || fail "a refused run left an output"
"$neuroscale" speech probe --help | grep -q "linear phoneme probe" || fail "--help"
echo "PASS"
