#!/bin/bash
# `neuroscale lm train` under real mpirun, on the tiny synthetic corpus' sentences:
#  1. one rank with 2 micro-batches per step and 2 ranks with 1 each read the same global
#     batches of sentences: identical trained weights (the written model.safetensors);
#  2. a run resumed from its step-6 checkpoint ends identical to the uninterrupted run;
#  3. the written Hugging Face directory is complete on rank 0's side and `lm score` loads it.
# usage: lm_train_ranks.sh NEUROSCALE MPIRUN SYNTH_CONFIG LM_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 lm_config=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" --sentences "$work/s" >/dev/null 2>&1
common=(--config "$lm_config" data.text="$work/s.train.txt" data.vocab_size=400 train.max_steps=12
        train.micro_batch=4 checkpoint.every_steps=6 checkpoint.async=false schedule.warmup_steps=2)
"$bin" lm train "${common[@]}" --run-dir "$work/one" train.accumulate=2 2>"$work/one.err" \
  || { cat "$work/one.err"; fail "1-rank training"; }
$mpirun -np 2 "$bin" lm train "${common[@]}" --run-dir "$work/two" 2>"$work/two.err" \
  || { cat "$work/two.err"; fail "2-rank training"; }
"$bin" lm train "${common[@]}" --run-dir "$work/resumed" train.accumulate=2 \
  --resume "$work/one/checkpoints/step-00000006" 2>"$work/resumed.err" || { cat "$work/resumed.err"; fail "resume"; }
grep -q "resumed from .*step-00000006 at step 6" "$work/resumed.err" || fail "the run did not resume at step 6"
for run in one two resumed; do
  for file in config.json model.safetensors tokenizer.json tokenizer_config.json; do
    [ -f "$work/$run/hf/$file" ] || fail "$run/hf/$file missing"
  done
done
cmp -s "$work/one/hf/model.safetensors" "$work/two/hf/model.safetensors" \
  || fail "1 rank x 2 micro-batches and 2 ranks trained different weights"
cmp -s "$work/one/hf/model.safetensors" "$work/resumed/hf/model.safetensors" \
  || fail "the resumed run trained different weights"
cmp -s "$work/one/hf/tokenizer.json" "$work/two/hf/tokenizer.json" || fail "the ranks trained different tokenizers"
"$bin" lm score "$work/s.val.txt" --model "$work/two/hf" >/dev/null 2>"$work/score.err" \
  || { cat "$work/score.err"; fail "lm score of the 2-rank model"; }
echo "lm train: identical weights on 1 rank x 2 micro-batches, 2 ranks, and after resume"
