#!/bin/bash
# A rank that dies (SIGKILL, as on node loss) does not leave the others hanging: with the
# launcher told to keep the job alive after a process failure (Open MPI's
# orte_enable_recovery, so only the watchdog can end it), the surviving rank's collective
# times out after train.comm_timeout_s, it names the rank that stopped answering, and the
# job ends non-zero. The next launch resumes from the last good checkpoint and completes.
# usage: rank_killed.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null 2>&1
# A model large enough that a step takes tens of milliseconds, so the kill lands mid-run.
args=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=60 train.log_every=1
      model.hidden=192 model.layers=4 model.heads=6 model.mlp=384 schedule.warmup_steps=5
      checkpoint.every_steps=5 train.comm_timeout_s=3)

# Each rank's own exit code is recorded: under orte_enable_recovery mpirun itself exits 0.
$mpirun --mca orte_enable_recovery 1 -np 2 \
  bash -c '"$0" "$@"; echo $? >"'"$work"'/exit.$OMPI_COMM_WORLD_RANK"' "$bin" "${args[@]}" --run-dir "$work/run" \
  2>"$work/err" &
launcher=$!
for _ in $(seq 1 1500); do  # wait until a checkpoint exists and more steps have run
  grep -q "step 12/60" "$work/run/logs/rank-00000.log" 2>/dev/null && break
  sleep 0.02
done
# Rank 1 of this test's own job: a neuroscale process below its launcher (never one found
# by name alone, which under ctest -j may be another test's rank).
descendants() { local pid; for pid in $(pgrep -P "$1"); do echo "$pid"; descendants "$pid"; done; }
victim=
for pid in $(descendants $launcher); do
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = neuroscale ] || continue
  grep -qz "^OMPI_COMM_WORLD_RANK=1$" "/proc/$pid/environ" 2>/dev/null && victim=$pid
done
[ -n "$victim" ] || { echo "FAIL: rank 1 not found"; exit 1; }
killed_at=$(date +%s.%N)
kill -KILL "$victim"
wait $launcher || true
status=$(cat "$work/exit.0" 2>/dev/null || echo missing)
ended_at=$(date +%s.%N)
elapsed=$(awk -v a="$killed_at" -v b="$ended_at" 'BEGIN { printf "%.1f", b - a }')
grep -E "did not complete|stopped answering" "$work/err" | head -2 || true
echo "job ended $elapsed s after the kill; rank 0 exited with code $status"
[ "$status" != 0 ] && [ "$status" != missing ] || { echo "FAIL: rank 0 exited '$status' after losing rank 1"; exit 1; }
grep -q "did not complete within 3 s: rank(s) 1 stopped answering" "$work/err" ||
  { cat "$work/err"; echo "FAIL: the surviving rank did not name the rank that stopped answering"; exit 1; }
awk -v e="$elapsed" 'BEGIN { exit !(e < 30) }' || { echo "FAIL: took $elapsed s (timeout 3 s)"; exit 1; }

echo "== relaunch resumes from the last good checkpoint and completes"
last=$(cat "$work/run/checkpoints/latest")
$mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/run" 2>"$work/err2" || { cat "$work/err2"; echo "FAIL: relaunch failed"; exit 1; }
grep -q "resumed from $work/run/checkpoints/$last" "$work/err2" || { cat "$work/err2"; echo "FAIL: did not resume from $last"; exit 1; }
grep -q "pretraining finished after 60 steps" "$work/err2" || { echo "FAIL: relaunch did not complete"; exit 1; }
echo "PASS (resumed from $last)"
