#!/usr/bin/env bash
# usage: speech_pretrain_test.sh NEUROSCALE MPIRUN
# `neuroscale speech pretrain` (HuBERT masked prediction) on a small synthetic speech corpus:
# the loss falls; 2 ranks follow the same steps as 1 rank with 2 accumulation slots of the same
# micro-batches (same losses, accuracies and gradient norms); a rollback to a checkpoint
# retraces the same steps; the run exports as a Hugging Face directory; labels of another
# corpus are refused before anything runs.
set -u
neuroscale=$1 mpirun=$2
source "$(dirname "$0")/test_helpers.sh"
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
config=$source_dir/configs/speech/hubert-tiny.yaml

"$neuroscale" synth --kind speech --output "$dir/speech.h5" hours=0.03 > /dev/null || fail "synth"
"$neuroscale" speech labels --corpus "$dir/speech.h5" --output "$dir/labels.h5" --clusters 20 \
  > /dev/null 2>&1 || fail "labels"
common=(--config "$config" data.corpus="$dir/speech.h5" data.labels="$dir/labels.h5"
        train.max_steps=12 train.log_every=1 schedule.warmup_steps=2 checkpoint.every_steps=6)
"$neuroscale" speech pretrain "${common[@]}" --run-dir "$dir/a" train.micro_batch=2 train.accumulate=2 \
  2> "$dir/a.err" || { cat "$dir/a.err"; fail "1 rank"; }
$mpirun -np 2 "$neuroscale" speech pretrain "${common[@]}" --run-dir "$dir/b" train.micro_batch=2 \
  2> "$dir/b.err" || { cat "$dir/b.err"; fail "2 ranks"; }
# A rollback to step 6 of run a retraces steps 7-12 (its metrics are rewritten from step 6).
cp "$dir/a/metrics.jsonl" "$dir/a-first.jsonl"
"$neuroscale" speech pretrain "${common[@]}" --run-dir "$dir/a" train.micro_batch=2 train.accumulate=2 \
  --resume "$dir/a/checkpoints/step-00000006" 2> "$dir/r.err" || { cat "$dir/r.err"; fail "rollback"; }

/usr/bin/python3 - "$dir" <<'PY' || fail "metrics differ"
import json, sys
d = sys.argv[1]
def metrics(path):
    return [json.loads(l) for l in open(f"{d}/{path}") if '"loss"' in l]
b = metrics("b/metrics.jsonl")
first = {r["step"]: r for r in metrics("a-first.jsonl")}
again = {r["step"]: r for r in metrics("a/metrics.jsonl") if r["step"] > 6}
assert sorted(first) == list(range(1, 13)), sorted(first)
assert sorted(again) == list(range(7, 13)), sorted(again)
def close(x, y, what):
    for key in ("loss", "accuracy_masked", "accuracy_unmasked", "masked_frames", "grad_norm"):
        if abs(x[key] - y[key]) > 1e-4 * max(1.0, abs(y[key])):
            raise SystemExit(f"{what}: step {x['step']} {key} {x[key]} vs {y[key]}")
steps = {r["step"]: r for r in b}
for s in range(1, 13):
    close(steps[s], first[s], "2 ranks")
for s in range(7, 13):
    close(again[s], first[s], "rollback")
print("loss", first[1]["loss"], "->", first[12]["loss"])
assert first[12]["loss"] < first[1]["loss"] - 0.1, "the loss does not fall"
PY

# The run as a Hugging Face HubertModel directory (transformers' check: tests/io/
# hubert_export_test.cpp); a directory that is not a speech pretrain run is refused.
"$neuroscale" speech export "$dir/a" --output "$dir/a-hf" 2> "$dir/e.err" || { cat "$dir/e.err"; fail "export"; }
for f in config.json preprocessor_config.json model.safetensors; do
  [ -s "$dir/a-hf/$f" ] || fail "export wrote no $f"
done
grep -q '"model_type": "hubert"' "$dir/a-hf/config.json" || fail "config.json: $(cat "$dir/a-hf/config.json")"
mkdir -p "$dir/empty"
out=$("$neuroscale" speech export "$dir/empty" --output "$dir/e-hf" 2>&1)
[ $? -ne 0 ] && [ ! -e "$dir/e-hf" ] || fail "export of a directory without checkpoints: $out"

# Labels of another corpus: refused, naming both files.
"$neuroscale" synth --kind speech --output "$dir/other.h5" hours=0.01 seed=5 > /dev/null || fail "synth 2"
out=$("$neuroscale" speech pretrain "${common[@]}" data.corpus="$dir/other.h5" --run-dir "$dir/x" 2>&1)
rc=$?
[ $rc -eq 3 ] && [[ "$out" == *"speech labels '$dir/labels.h5'"* && "$out" == *"other.h5"* ]] \
  || fail "labels of another corpus: exit $rc: $out"
"$neuroscale" speech pretrain --help | grep -q "masked" || fail "--help"
echo "PASS"
