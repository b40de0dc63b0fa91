#!/bin/bash
# Timelines per rank: a 2-rank pretraining with --trace (2 micro-batches per step, small
# gradient buckets so there are several) writes RUN_DIR/traces/rank-0000{0,1}.json, which
# tests/mpi/trace_check.py loads and checks; scripts/trace-summary summarises and merges them.
# usage: trace_ranks.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG PYTHON CHECK_PY SUMMARY
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4 python=$5 check=$6 summary=$7
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null 2>&1
steps=12
$mpirun -np 2 "$bin" pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=$steps \
  train.accumulate=2 train.log_every=4 train.eval_every=6 train.first_bucket_mb=0.01 train.bucket_mb=0.05 \
  checkpoint.every_steps=6 --run-dir "$work/run" --trace 2>"$work/err" || { cat "$work/err"; exit 1; }
"$python" "$check" "$work/run" 2 $steps 2
"$python" "$summary" --merge "$work/all.json" "$work/run" | tee "$work/summary.txt"
grep -q "^ *0 .*$steps" "$work/summary.txt" && grep -q "^ *1 .*$steps" "$work/summary.txt" ||
  { echo "FAIL: the summary does not list both ranks with $steps steps"; exit 1; }
"$python" -c "import json, sys; pids = {e['pid'] for e in json.load(open(sys.argv[1]))['traceEvents']}; sys.exit(pids != {0, 1})" \
  "$work/all.json" || { echo "FAIL: the merged trace does not hold both ranks"; exit 1; }
echo "== --trace without --run-dir is refused"
if "$bin" pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" --trace 2>"$work/norun.err"; then
  echo "FAIL: --trace without --run-dir ran"; exit 1
fi
grep -q "\-\-trace needs --run-dir" "$work/norun.err" || { cat "$work/norun.err"; exit 1; }
echo "PASS"
