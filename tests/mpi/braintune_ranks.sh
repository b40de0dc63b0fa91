#!/bin/bash
# Brain-tuning under real mpirun, on the tiny synthetic fMRI corpus:
#  1. one rank with 2 micro-batches per step and 2 ranks with 1 each read the same global
#     batches (stimulus rows sharded over 2 virtual ranks): identical adapters and head;
#  2. a run resumed from its step-6 checkpoint ends identical to the uninterrupted run;
#  3. checkpoints hold the adapters, the head and the optimiser only, plus the reference to
#     the base weights; a different backbone is refused on resume;
#  4. `evaluate --task brain-alignment` of the tuned model gives identical scores on 1 and
#     2 ranks, for every participant (trained and held out).
# Adapter dropout is off so that runs on different rank layouts draw no random numbers, and
# every process computes on one thread: LibTorch's CPU kernels split reductions by the thread
# count, so 1 rank on 2 threads and 2 ranks bound to a core each round differently (seen on
# an AVX-512 machine), which is not what this test is about.
# usage: braintune_ranks.sh NEUROSCALE MPIRUN SYNTH_CONFIG BRAINTUNE_CONFIG ALIGNMENT_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 braintune_config=$4 alignment_config=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$bin" synth --kind fmri --config "$synth_config" --output "$work/fmri.h5" >/dev/null 2>&1
common=(--config "$braintune_config" data.corpus="$work/fmri.h5" model.lora.dropout=0 train.threads=1 train.max_steps=12
        train.batch_rows=8 checkpoint.every_steps=6 checkpoint.async=false)
"$bin" braintune "${common[@]}" --run-dir "$work/one" train.accumulate=2 2>"$work/one.err" \
  || { cat "$work/one.err"; fail "1-rank brain-tuning"; }
$mpirun -np 2 "$bin" braintune "${common[@]}" --run-dir "$work/two" 2>"$work/two.err" \
  || { cat "$work/two.err"; fail "2-rank brain-tuning"; }
"$bin" braintune "${common[@]}" --run-dir "$work/resumed" train.accumulate=2 \
  --resume "$work/one/checkpoints/step-00000006" 2>"$work/resumed.err" || { cat "$work/resumed.err"; fail "resume"; }
grep -q "resumed from .*step-00000006 at step 6" "$work/resumed.err" || fail "the run did not resume at step 6"
for run in one two resumed; do
  "$bin" ckpt export --output "$work/$run.safetensors" "$work/$run" >/dev/null
done
# The exported files carry per-run metadata: compare the tensors themselves.
/usr/bin/python3 "$(dirname "$0")/same_exported_tensors.py" \
  --only 'backbone\.encoder\.layers\..*\.lora_.*|head\..*' --require head. \
  "$work/one.safetensors" "$work/two.safetensors" "$work/resumed.safetensors" \
  || fail "1 rank x 2 micro-batches, 2 ranks and the resumed run tuned different parameters"
"$bin" ckpt inspect "$work/one" | grep -q "base weights  *random initialisation (seed 122)" \
  || fail "the manifest does not name the base weights"
# A resume under another backbone (here: another random initialisation) is refused.
if "$bin" braintune "${common[@]}" --run-dir "$work/other" train.accumulate=2 seed=7 \
    --resume "$work/one/checkpoints/step-00000006" 2>"$work/seed.err"; then
  fail "a resume with other base weights was accepted"
fi
grep -qi "config hash" "$work/seed.err" || { cat "$work/seed.err"; fail "unclear refusal"; }
for ranks in 1 2; do
  $mpirun -np "$ranks" "$bin" evaluate --task brain-alignment --config "$alignment_config" \
    --run-dir "$work/align$ranks" data.corpus="$work/fmri.h5" checkpoint="$work/one" \
    features.stride_s=1 features.context_s=4 2>"$work/align$ranks.err" \
    || { cat "$work/align$ranks.err"; fail "brain alignment on $ranks rank(s)"; }
done
cmp "$work/align1/alignment.tsv" "$work/align2/alignment.tsv" || fail "alignment differs between 1 and 2 ranks"
rows=$(($(wc -l < "$work/align1/alignment.tsv") - 1))
[ "$rows" -eq 15 ] || fail "expected 5 participants x 3 layers, got $rows rows"
grep -q "held_out" "$work/align1/alignment.tsv" || fail "held-out participants not scored"
awk -F'\t' 'NR > 1 && ($4 == "nan" || $4 < -1 || $4 > 1) { exit 1 }' "$work/align1/alignment.tsv" \
  || fail "mean r outside [-1, 1]"
echo "PASS: brain-tuning exact across rank layouts and resume; alignment identical on 1 and 2 ranks"
