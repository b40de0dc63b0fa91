#!/bin/bash
# TensorBoard reads what training writes: a pretraining run (rank 0 writes
# RUN_DIR/tensorboard), then a resume from its step-20 checkpoint (a second events file that
# re-logs steps 25 and 30), read back with the tensorboard package's EventAccumulator: one
# series per metric, equal to metrics.jsonl step for step. Also: without --trace no traces.
# Exit 77 (skipped, reason printed) when no Python here has the tensorboard package.
# usage: tensorboard_check.sh NEUROSCALE SYNTH_CONFIG PRETRAIN_CONFIG CHECK_PY PYTHON...
#        (the first PYTHON that imports tensorboard is used)
set -euo pipefail
bin=$1 synth_config=$2 pretrain_config=$3 check=$4
shift 4
python=""
for candidate in "$@"; do
  if [ -x "$candidate" ] && "$candidate" -c "import tensorboard" 2>/dev/null; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  echo "SKIPPED: the tensorboard Python package is not importable by $* (scripts/setup installs it with pip beside PyTorch)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null 2>&1
args=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=30 train.log_every=5
      train.eval_every=10 checkpoint.every_steps=10 checkpoint.keep=5 --run-dir "$work/run")
"$bin" "${args[@]}" 2>"$work/first.err" || { cat "$work/first.err"; exit 1; }
[ ! -e "$work/run/traces" ] || { echo "FAIL: traces were written without --trace"; exit 1; }
cp "$work/run/metrics.jsonl" "$work/first.jsonl"
sleep 1  # the events file name carries the second: keep the two launches apart, as in life
"$bin" "${args[@]}" --resume "$work/run/checkpoints/step-00000020" 2>"$work/second.err" ||
  { cat "$work/second.err"; exit 1; }
grep -q "resumed from .*step-00000020 at step 20" "$work/second.err" || { echo "FAIL: did not resume"; exit 1; }
"$python" "$check" "$work/run" "$work/first.jsonl"
