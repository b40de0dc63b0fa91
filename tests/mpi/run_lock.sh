#!/bin/bash
# One job per run directory (docs/checkpoints.md, "One job per run directory"): while a 2-rank
# job trains, a second job on the same run directory (on 1 rank and on 2) is refused with
# exit code 6, naming the holder's host and pid, and leaves the first job's files alone; once
# the first job is killed with SIGKILL (its lock is then stale), the next launch takes the
# directory and resumes. Processes are found through this test's own launcher, never by name.
# usage: run_lock.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4
work=$(mktemp -d)
launcher=
cleanup() { [ -n "$launcher" ] && kill -KILL $launcher 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null 2>&1
args=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" checkpoint.every_steps=20 train.log_every=10
      --run-dir "$work/run")

$mpirun -np 2 "$bin" "${args[@]}" train.max_steps=1000000 2>"$work/first.err" &
launcher=$!
for _ in $(seq 1 600); do [ -f "$work/run/checkpoints/latest" ] && break; sleep 0.1; done
[ -f "$work/run/checkpoints/latest" ] || { cat "$work/first.err"; fail "the first job never committed a checkpoint"; }
holder=$(cat "$work/run/job.lock")
holder_pid=$(sed -n 's/.*pid=\([0-9]*\) .*/\1/p' <<<"$holder")
# The holder is this test's rank 0: a child of its launcher.
grep -qx "$holder_pid" <(pgrep -P $launcher) || fail "job.lock names pid '$holder_pid', not a rank of the first job ($holder)"
metrics_before=$(wc -l <"$work/run/metrics.jsonl")

echo "== a second job on the same run directory is refused"
status=0
"$bin" "${args[@]}" train.max_steps=1000000 2>"$work/second.err" || status=$?
[ "$status" -eq 6 ] || { cat "$work/second.err"; fail "the second job exited $status, expected 6"; }
grep -q "run directory in use: run directory '$work/run' is in use by another job (host=$(hostname) pid=$holder_pid slurm_job=none started=" \
  "$work/second.err" || { cat "$work/second.err"; fail "the refusal does not name the holder"; }
cat "$work/second.err"
status=0
$mpirun -np 2 "$bin" "${args[@]}" train.max_steps=1000000 2>"$work/second2.err" || status=$?
[ "$status" -ne 0 ] && grep -q "is in use by another job" "$work/second2.err" ||
  { cat "$work/second2.err"; fail "a second 2-rank job was not refused ($status)"; }
kill -0 $launcher 2>/dev/null || fail "the first job died while a second one was refused"
[ "$(wc -l <"$work/run/metrics.jsonl")" -ge "$metrics_before" ] || fail "metrics.jsonl was rewound by the refused job"

echo "== the first job is killed (SIGKILL): its stale lock does not block the next launch"
kill -KILL "$holder_pid"
wait $launcher 2>/dev/null || true
launcher=
last=$(cat "$work/run/checkpoints/latest")
step=$((10#${last#step-}))
"$bin" "${args[@]}" train.max_steps=$step 2>"$work/third.err" || { cat "$work/third.err"; fail "the relaunch after SIGKILL failed"; }
grep -q "resumed from $work/run/checkpoints/$last at step $step" "$work/third.err" ||
  { cat "$work/third.err"; fail "the relaunch did not resume $last"; }
grep -q "pid=[0-9]* " "$work/run/job.lock" && ! grep -q "pid=$holder_pid " "$work/run/job.lock" ||
  fail "job.lock still names the dead job"
echo "PASS: one job per run directory; a dead job's lock does not block the next"
