#!/bin/bash
# Preemption on a real Slurm: the time-limit warning (delivered early with
# `scancel --signal=USR1 --batch`) reaches the batch script, which forwards it to the job
# step, or SIGTERM reaches the job's tasks (`scancel --signal=TERM`, twice, as a preemption
# may send it); the engine checkpoints and exits 75; the script requeues the job (SLURM_RESTART_COUNT
# 0 -> 1), which resumes from its checkpoint and ends with parameters byte-identical to an
# uninterrupted job's. A real failure is not requeued, nor is a job past its requeue limit.
# usage: requeue.sh NEUROSCALE REPO SYNTH_CONFIG PRETRAIN_CONFIG   (env NEUROSCALE_SLURM_STATE)
set -euo pipefail
source "$(dirname "$0")/common.sh"
steps=1500
final=$(printf "step-%08d" "$steps")  # the last checkpoint's directory
submit() {  # submit NAME [key=value...]: 2 tasks, prints the job id
  local name=$1
  shift
  NEUROSCALE=$bin NEUROSCALE_TASKS_PER_NODE=2 "$repo/slurm/submit" pretrain --name "$name" \
    --run-dir "$work/$name" --time 00:10:00 "$pretrain_config" data.corpus="$work/corpus.h5" \
    train.max_steps=$steps train.log_every=10 "$@"
}
attempts() { tail -n +2 "$work/$1/slurm-attempts.tsv" | cut -f4,7,8 | tr '\t\n' ' ;'; }

# ---- the uninterrupted reference
ref=$(submit reference)
wait_for "$ref" 300 COMPLETED FAILED CANCELLED
[ "$(job_state "$ref")" = COMPLETED ] || { echo "FAIL: reference job ended $(job_state "$ref")"; exit 1; }

# ---- the same job, warned mid-run
job=$(submit preempted)
echo "submitted job $job"
for _ in $(seq 1500); do  # until it has logged step 100 (of 1500: seconds before the end)
  grep -q '"step": 100,' "$work/preempted/metrics.jsonl" 2>/dev/null && break
  sleep 0.1
done
grep -q '"step": 100,' "$work/preempted/metrics.jsonl" || { echo "FAIL: job $job never reached step 100"; exit 1; }
scancel --signal=USR1 --batch "$job"
for _ in $(seq 300); do [ "$(job_field "$job" Restarts)" = 1 ] && break; sleep 0.2; done
[ "$(job_field "$job" Restarts)" = 1 ] || { echo "FAIL: job $job was not requeued"; scontrol show job "$job"; exit 1; }
echo "job $job requeued: $(job_state "$job")"
# A requeued job may start again once its old credential expires (cred_expire, 10 s here).
wait_for "$job" 300 COMPLETED FAILED CANCELLED
grep -v " INFO step " "preempted-$job.out" || true
[ "$(job_state "$job")" = COMPLETED ] || { echo "FAIL: job $job ended $(job_state "$job")"; exit 1; }
[ "$(attempts preempted)" = "0 75 requeued;1 0 done;" ] || { echo "FAIL: attempts $(attempts preempted)"; exit 1; }
resumed=$(sed -n 's/.*resumed from .* at step \([0-9]*\)$/\1/p' "$work/preempted/logs/rank-00000.log" | tail -1)
[ -n "$resumed" ] && [ "$resumed" -gt 0 ] && [ "$resumed" -lt $steps ] ||
  { echo "FAIL: the requeued job did not resume mid-run (step '$resumed')"; exit 1; }
for name in reference preempted; do
  "$bin" ckpt export "$work/$name/checkpoints/$final" --output "$work/$name.safetensors" 2>/dev/null
done
cmp "$work/reference.safetensors" "$work/preempted.safetensors" ||
  { echo "FAIL: the requeued job's final parameters differ from the uninterrupted job's"; exit 1; }
echo "requeued job resumed at step $resumed and ended with the reference's parameters"

# ---- preemption with SIGTERM: Slurm signals the job's tasks (`scancel --signal=TERM`, as a
# preemption's grace period does), here twice in a row as Slurm may; the repeat must not cut
# the save short.
term=$(submit preempted_term)
for _ in $(seq 1500); do
  grep -q '"step": 100,' "$work/preempted_term/metrics.jsonl" 2>/dev/null && break
  sleep 0.1
done
grep -q '"step": 100,' "$work/preempted_term/metrics.jsonl" || { echo "FAIL: job $term never reached step 100"; exit 1; }
scancel --signal=TERM "$term"
scancel --signal=TERM "$term" 2>/dev/null || true
for _ in $(seq 300); do [ "$(job_field "$term" Restarts)" = 1 ] && break; sleep 0.2; done
[ "$(job_field "$term" Restarts)" = 1 ] || { echo "FAIL: job $term was not requeued after SIGTERM"; cat "preempted_term-$term.out"; exit 1; }
wait_for "$term" 300 COMPLETED FAILED CANCELLED
[ "$(job_state "$term")" = COMPLETED ] || { echo "FAIL: job $term ended $(job_state "$term")"; exit 1; }
[ "$(attempts preempted_term)" = "0 75 requeued;1 0 done;" ] || { echo "FAIL: SIGTERM attempts $(attempts preempted_term)"; exit 1; }
"$bin" ckpt export "$work/preempted_term/checkpoints/$final" --output "$work/preempted_term.safetensors" 2>/dev/null
cmp "$work/reference.safetensors" "$work/preempted_term.safetensors" ||
  { echo "FAIL: the SIGTERM-preempted job's final parameters differ from the uninterrupted job's"; exit 1; }
echo "SIGTERM-preempted job requeued, resumed and ended with the reference's parameters"

# ---- a real failure is not requeued
bad=$(submit failing data.corpus="$work/missing.h5")
wait_for "$bad" 120 COMPLETED FAILED CANCELLED
[ "$(job_state "$bad")" = FAILED ] && [ "$(job_field "$bad" Restarts)" = 0 ] ||
  { echo "FAIL: failing job ended $(job_state "$bad") after $(job_field "$bad" Restarts) restarts"; exit 1; }
[ "$(attempts failing)" = "0 3 failed;" ] || { echo "FAIL: attempts $(attempts failing)"; exit 1; }
grep -q "missing.h5" "failing-$bad.out" || { echo "FAIL: the failure's cause is not in the job log"; exit 1; }

# ---- past the requeue limit: checkpointed, not requeued, exit 75 left for the user to see
last=$(NEUROSCALE_MAX_REQUEUES=0 submit limited)
for _ in $(seq 1500); do
  grep -q '"step": 50,' "$work/limited/metrics.jsonl" 2>/dev/null && break
  sleep 0.1
done
scancel --signal=USR1 --batch "$last"
wait_for "$last" 120 COMPLETED FAILED CANCELLED
[ "$(job_state "$last")" = FAILED ] && [ "$(job_field "$last" ExitCode)" = 75:0 ] ||
  { echo "FAIL: limited job ended $(job_state "$last") $(job_field "$last" ExitCode)"; exit 1; }
case "$(attempts limited)" in "0 75 not requeued"*) ;; *) echo "FAIL: attempts $(attempts limited)"; exit 1 ;; esac
"$bin" ckpt verify "$work/limited" >/dev/null
echo "PASS: requeue on exit 75 resumes exactly; failures and jobs past the limit are not requeued"
