#!/bin/bash
# The pretraining batch script on a real Slurm: submitted with slurm/submit as 2 tasks
# (srun --mpi=pmix) on the tiny config, it completes; the run directory holds the resolved
# config, the job's environment (job id, tasks, git revision), a log per rank, the metrics
# up to train.max_steps and the attempt record.
# usage: pretrain_job.sh NEUROSCALE REPO SYNTH_CONFIG PRETRAIN_CONFIG   (env NEUROSCALE_SLURM_STATE)
set -euo pipefail
source "$(dirname "$0")/common.sh"

job=$(NEUROSCALE=$bin NEUROSCALE_TASKS_PER_NODE=2 "$repo/slurm/submit" pretrain --name t-pretrain \
        --run-dir "$work/run" --time 00:10:00 "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=30)
echo "submitted job $job"
wait_for "$job" 300 COMPLETED FAILED CANCELLED TIMEOUT
cat "t-pretrain-$job.out" | grep -v " INFO step " || true
[ "$(job_state "$job")" = COMPLETED ] || { echo "FAIL: job $job ended $(job_state "$job")"; exit 1; }
[ "$(job_field "$job" ExitCode)" = 0:0 ] || { echo "FAIL: exit code $(job_field "$job" ExitCode)"; exit 1; }

run=$work/run
check() { grep -q -- "$2" "$1" || { echo "FAIL: '$1' lacks '$2'"; exit 1; }; }
check "$run/config.yaml" "corpus: \"$work/corpus.h5\""
check "$run/environment.txt" "world_size: 2"
check "$run/environment.txt" "SLURM_JOB_ID=$job"
check "$run/environment.txt" "SLURM_NTASKS=2"
check "$run/environment.txt" "SLURM_CPUS_PER_TASK=1"
check "$run/environment.txt" "(git "
check "$run/logs/rank-00000.log" "pretraining finished after 30 steps"
[ -f "$run/logs/rank-00001.log" ] || { echo "FAIL: no log of rank 1"; exit 1; }
last=$(tail -n 1 "$run/metrics.jsonl" | sed 's/{"step": \([0-9]*\),.*/\1/')
[ "$last" = 30 ] || { echo "FAIL: metrics end at step $last, not 30"; exit 1; }
[ "$(tail -n +2 "$run/slurm-attempts.tsv" | cut -f4,6,7,8)" = $'0\t2\t0\tdone' ] ||
  { echo "FAIL: attempts:"; cat "$run/slurm-attempts.tsv"; exit 1; }
"$bin" ckpt verify "$run" >/dev/null
echo "PASS: job $job ran 2 tasks to step 30 and recorded its environment"
