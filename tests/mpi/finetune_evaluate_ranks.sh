#!/bin/bash
# Fine-tuning and evaluation under real mpirun: a short pretraining, CTC fine-tuning from it
# on 2 ranks, then `evaluate` (beam search over the synthetic vocabulary) on 1 and on 2
# ranks. The ranks share the trials, and rank 0 gathers them: the predictions, the
# submission and the error rates are identical for both world sizes.
# usage: finetune_evaluate_ranks.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG FINETUNE_CONFIG EVALUATE_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4 finetune_config=$5 evaluate_config=$6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" --lexicon "$work/lexicon.dict" >/dev/null 2>&1
$mpirun -np 2 "$bin" pretrain --config "$pretrain_config" --run-dir "$work/pre" data.corpus="$work/corpus.h5" \
  model.patch_size=2 train.max_steps=10 2>"$work/pre.err" || { cat "$work/pre.err"; exit 1; }
$mpirun -np 2 "$bin" finetune --config "$finetune_config" --run-dir "$work/ft" data.corpus="$work/corpus.h5" \
  init.checkpoint="$work/pre" train.max_steps=20 2>"$work/ft.err" || { cat "$work/ft.err"; exit 1; }
grep -q "read-ins reused for human-a, monkey-a" "$work/ft.err" || { echo "FAIL: pretrained encoder not loaded"; exit 1; }
for ranks in 1 2; do
  $mpirun -np "$ranks" "$bin" evaluate --config "$evaluate_config" --run-dir "$work/eval$ranks" \
    checkpoint="$work/ft" data.corpus="$work/corpus.h5" decode.lexicon="$work/lexicon.dict" data.micro_batch=2 \
    2>"$work/eval$ranks.err" || { cat "$work/eval$ranks.err"; exit 1; }
done
for file in predictions.tsv submission.csv; do
  cmp "$work/eval1/$file" "$work/eval2/$file" || { echo "FAIL: $file differs between 1 and 2 ranks"; exit 1; }
done
# evaluation.json alike but for the measured latencies.
for ranks in 1 2; do
  sed 's/, "latency_[a-z0-9_]*": [^,}]*//g' "$work/eval$ranks/evaluation.json" >"$work/summary$ranks.json"
done
cmp "$work/summary1.json" "$work/summary2.json" || { echo "FAIL: evaluation.json differs between 1 and 2 ranks"; exit 1; }
grep -q '"latency_mean_s": [0-9]' "$work/eval2/evaluation.json" || { echo "FAIL: no latency in evaluation.json"; exit 1; }
trials=$(($(wc -l < "$work/eval2/predictions.tsv") - 1))
[ "$trials" -gt 1 ] || { echo "FAIL: only $trials trial(s) decoded"; exit 1; }
echo "PASS: $trials trials decoded identically on 1 and 2 ranks: $(cat "$work/eval2/evaluation.json")"
