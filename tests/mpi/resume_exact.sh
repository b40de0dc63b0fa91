#!/bin/bash
# Resume is exact: a 2-rank pretraining run whose rank gets SIGTERM twice at an arbitrary step
# (the repeat is reported and let pass; the run saves a checkpoint and exits 75), then
# relaunched (it resumes from that checkpoint), ends with the same parameters, optimiser
# state, data position and generator states, byte for byte, as an uninterrupted run. Also: a corrupted newest checkpoint is reported and skipped.
# usage: resume_exact.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null
# A model large enough that a step takes tens of milliseconds, so the signal lands mid-run.
args=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=80 train.log_every=1
      train.micro_batch=8 model.hidden=192 model.layers=4 model.heads=6 model.mlp=384
      schedule.warmup_steps=5 checkpoint.every_steps=1000)

echo "== uninterrupted"
$mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/a" 2>/dev/null

echo "== stopped by SIGTERM, then resumed"
# Rank 0's commit of the stop checkpoint pauses 2 s (slow storage), so the repeated signal
# below lands while the stop is saving.
NEUROSCALE_FAULT_INJECT="commit.manifest@*:sleep=2" $mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/b" 2>"$work/b.err" &
launcher=$!
stop_at=$((3 + RANDOM % 40))  # a random step (printed, to reproduce a failure)
echo "signalling after step $stop_at"
for _ in $(seq 1 1500); do  # wait until that step has run
  grep -q "step $stop_at/80" "$work/b/logs/rank-00000.log" 2>/dev/null && break
  sleep 0.02
done
# The signal goes to one rank (as Slurm signals a task); the ranks agree to stop together.
# Then again while the stop is saving, as Slurm and launchers may repeat it: the repeat must
# not cut the save short.
rank_pid=$(pgrep -P $launcher -f "neuroscale pretrain" | head -1)
kill -TERM "$rank_pid"
for _ in $(seq 1 500); do grep -q "pausing" "$work/b.err" && break; sleep 0.01; done
kill -TERM "$rank_pid"
status=0
wait $launcher || status=$?
grep -E "stopped after checkpoint|stopping after step" "$work/b.err" | head -2 || true
[ "$status" -eq 75 ] || { echo "FAIL: the stopped run exited $status, expected 75"; cat "$work/b.err"; exit 1; }
grep -q "SIGTERM again: the stop in progress goes on" "$work/b.err" ||
  { echo "FAIL: the repeated SIGTERM was not reported"; cat "$work/b.err"; exit 1; }
stopped=$(cat "$work/b/checkpoints/latest")
echo "stopped at $stopped"
$mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/b" 2>"$work/b2.err"
grep -q "resumed from $work/b/checkpoints/$stopped" "$work/b2.err" || { echo "FAIL: did not resume"; cat "$work/b2.err"; exit 1; }

for f in shard-00000.safetensors shard-00001.safetensors state-00000.txt state-00001.txt; do
  cmp "$work/a/checkpoints/step-00000080/$f" "$work/b/checkpoints/step-00000080/$f" ||
    { echo "FAIL: $f differs between the uninterrupted and the resumed run"; exit 1; }
done
for run in a b; do
  "$bin" ckpt export "$work/$run/checkpoints/step-00000080" --output "$work/$run.safetensors" 2>/dev/null
done
cmp "$work/a.safetensors" "$work/b.safetensors" || { echo "FAIL: the exported parameters differ"; exit 1; }
echo "resumed run is byte-identical to the uninterrupted one at step 80 (shards, states, exported parameters)"

echo "== a damaged newest checkpoint is skipped"
printf 'X' | dd of="$work/a/checkpoints/step-00000080/shard-00001.safetensors" bs=1 seek=100 conv=notrunc 2>/dev/null
$mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/a" train.max_steps=80 2>"$work/a2.err" || true
grep -q "skipping checkpoint.*step-00000080.*shard-00001.safetensors: checksum" "$work/a2.err" ||
  { echo "FAIL: the damaged checkpoint was not reported"; cat "$work/a2.err"; exit 1; }
echo "damaged checkpoint reported and skipped"
