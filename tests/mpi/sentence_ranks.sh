#!/bin/bash
# BIT's end-to-end fine-tuning (finetune with task: sentence) under real mpirun, on the tiny
# synthetic corpus and an LM trained on its own sentences:
#  1. one rank with 2 micro-batches per step and 2 ranks with 1 each read the same global
#     batches: identical trained parameters (each micro-batch's aligner contrasts its own
#     trials in both layouts);
#  2. a run resumed from its step-6 checkpoint ends identical to the uninterrupted run;
#  3. checkpoints hold the encoder, projector, adapters and aligner, never the frozen LM,
#     whose weights the manifest names by content; another LM is refused on resume.
# Dropout and the random augmentations are off so that runs on different rank layouts draw
# no random numbers.
# usage: sentence_ranks.sh NEUROSCALE MPIRUN SYNTH_CONFIG LM_CONFIG SENTENCE_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 lm_config=$4 sentence_config=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" --sentences "$work/s" >/dev/null 2>&1
for seed in 0 1; do
  "$bin" lm train --config "$lm_config" --run-dir "$work/lm$seed" data.text="$work/s.train.txt" \
    data.vocab_size=400 model.max_positions=256 train.max_steps=20 seed=$seed >/dev/null 2>&1 \
    || fail "lm train (seed $seed)"
done
common=(--config "$sentence_config" data.corpus="$work/corpus.h5" sentence.llm="$work/lm0/hf"
        train.max_steps=12 train.micro_batch=2 checkpoint.every_steps=6 checkpoint.async=false
        model.dropout=0 model.embedding_dropout=0 sentence.lora.dropout=0
        augment.white_noise=0 augment.constant_offset=0 schedule.warmup_steps=2)
"$bin" finetune "${common[@]}" --run-dir "$work/one" train.accumulate=2 2>"$work/one.err" \
  || { cat "$work/one.err"; fail "1-rank fine-tuning"; }
$mpirun -np 2 "$bin" finetune "${common[@]}" --run-dir "$work/two" 2>"$work/two.err" \
  || { cat "$work/two.err"; fail "2-rank fine-tuning"; }
"$bin" finetune "${common[@]}" --run-dir "$work/resumed" train.accumulate=2 \
  --resume "$work/one/checkpoints/step-00000006" 2>"$work/resumed.err" || { cat "$work/resumed.err"; fail "resume"; }
grep -q "resumed from .*step-00000006 at step 6" "$work/resumed.err" || fail "the run did not resume at step 6"
for run in one two resumed; do
  "$bin" ckpt export --output "$work/$run.safetensors" "$work/$run" >/dev/null
done
# Nothing of the frozen LM but its adapters; the encoder, projector, aligner all there.
/usr/bin/python3 "$(dirname "$0")/same_exported_tensors.py" --only '(?!llm\.)[^ ]*|llm\..*\.lora_[AB]' \
  --require encoder.,projector.,neural_align.,text_align.,logit_scale,llm. \
  "$work/one.safetensors" "$work/two.safetensors" "$work/resumed.safetensors" \
  || fail "1 rank x 2 micro-batches, 2 ranks and the resumed run trained different parameters"
"$bin" ckpt inspect "$work/one" >"$work/inspect.txt"
grep -q "base weights  *model.safetensors xxh64=" "$work/inspect.txt" \
  || fail "the manifest does not name the LM's weights"
# The LM is named by content: a moved copy resumes, other weights under the same path do not.
cp -r "$work/lm0/hf" "$work/moved"
"$bin" finetune "${common[@]}" --run-dir "$work/one" train.accumulate=2 sentence.llm="$work/moved" \
  train.max_steps=14 2>"$work/moved.err" || { cat "$work/moved.err"; fail "resume with the LM moved"; }
cp "$work/lm1/hf/model.safetensors" "$work/moved/model.safetensors"
if "$bin" finetune "${common[@]}" --run-dir "$work/one" train.accumulate=2 sentence.llm="$work/moved" \
    train.max_steps=16 2>"$work/other.err"; then
  fail "a resume with other LM weights was accepted"
fi
grep -q "another model configuration (llm_weights: model.safetensors xxh64=" "$work/other.err" || { cat "$work/other.err"; fail "unclear refusal"; }
echo "finetune task: sentence: identical parameters on 1 rank x 2 micro-batches, 2 ranks, and after resume"
