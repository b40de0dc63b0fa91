#!/bin/bash
# A diverging run stops (docs/checkpoints.md, "Non-finite training"): with a learning rate far
# too large, the gradients become non-finite; after train.max_nonfinite_steps (3) such steps
# in a row the 2-rank job exits with code 7 and one line naming the step, the loss and the
# parameters; the skipped steps are counted in metrics.jsonl, no checkpoint is saved during
# the streak, so `latest` is the last step before it, and it verifies.
# usage: nonfinite_stop.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null 2>&1
status=0
$mpirun -np 2 "$bin" pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=60 \
  train.log_every=1 checkpoint.every_steps=1 checkpoint.keep=2 schedule.lr=1e30 schedule.warmup_steps=20 \
  --run-dir "$work/run" 2>"$work/err" || status=$?
line=$(grep -m1 "training diverged:" "$work/err" || true)
echo "$line"
[ -n "$line" ] || { cat "$work/err"; fail "no 'training diverged' line (exit $status)"; }
[ "$status" -eq 7 ] || fail "exit code $status, expected 7"
step=$(sed -n 's/.*the last step \([0-9]*\): gradient norm .*/\1/p' <<<"$line")
[ -n "$step" ] || fail "the line does not name the step"
grep -q "training diverged: 3 consecutive steps with a non-finite gradient norm, the last step $step: gradient norm [-a-z]*, loss .*, non-finite gradients in [a-z_.0-9]*" <<<"$line" ||
  fail "the line does not name the loss and parameters"
last=$(cat "$work/run/checkpoints/latest")
[ "$last" = "$(printf 'step-%08d' $((step - 3)))" ] || fail "latest is $last, expected the step before the streak ($((step - 3)))"
"$bin" ckpt verify "$work/run/checkpoints/$last" >/dev/null || fail "$last does not verify"
grep -q '"skipped_steps": 1' "$work/run/metrics.jsonl" || fail "metrics.jsonl does not count the skipped steps"
grep -c "update skipped" "$work/err" | grep -qx 2 || fail "expected 2 'update skipped' warnings before the stop"
echo "PASS: stopped at step $step with exit 7; $last (before the streak) is the resume point"
