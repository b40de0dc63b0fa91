# Sourced by the batch scripts in slurm/: runs one neuroscale command as a Slurm job step
# and turns "checkpointed, requeue me" (exit 75) into `scontrol requeue`.
#
#   neuroscale_slurm_run COMMAND CONFIG [args and key.sub=value overrides...]
#
# - the executable: $NEUROSCALE, else $NEUROSCALE_HOME/build/bin/neuroscale;
# - one task per GPU (as sbatch allocated them), `srun --mpi=pmix`, OMP_NUM_THREADS from
#   SLURM_CPUS_PER_TASK;
# - training commands resume from the run directory's newest valid checkpoint (--resume auto);
# - the run directory: $NEUROSCALE_RUN_DIR, else <runs>/<command>-<job id> (array tasks:
#   <array job id>_<task id>), the same for every restart of the job so it resumes there;
# - every attempt is appended to RUN_DIR/slurm-attempts.tsv (start, end, job, restart, nodes,
#   exit code, what followed);
# - SIGUSR1 (sbatch --signal=B:USR1@lead, or `scancel --signal=USR1 --batch`) and SIGTERM
#   reaching this shell are forwarded to the job step: the engine saves a checkpoint and
#   exits with 75. The job is then requeued while SLURM_RESTART_COUNT is below
#   NEUROSCALE_MAX_REQUEUES; any other non-zero exit is a real failure and is not requeued.
# The batch script's exit code is the engine's (0 after a requeue has been asked for).

neuroscale_slurm_log() { echo "neuroscale-slurm [job ${SLURM_JOB_ID:-?}]: $*" >&2; }

# The site settings and modules.
neuroscale_slurm_site() {
  # shellcheck source=../site.env
  source "$NEUROSCALE_HOME/slurm/site.env"
  if [ -n "$NEUROSCALE_MODULES" ]; then
    command -v module >/dev/null 2>&1 || { neuroscale_slurm_log "NEUROSCALE_MODULES is set but there is no 'module' command"; return 2; }
    # shellcheck disable=SC2086
    module load $NEUROSCALE_MODULES || { neuroscale_slurm_log "module load $NEUROSCALE_MODULES failed"; return 2; }
  fi
}

# Sets `neuroscale_run_dir` for COMMAND.
neuroscale_slurm_run_dir() {
  local key=${SLURM_JOB_ID:-local}
  [ -n "${SLURM_ARRAY_JOB_ID:-}" ] && key=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}
  neuroscale_run_dir=${NEUROSCALE_RUN_DIR:-${NEUROSCALE_RUNS:-${SLURM_SUBMIT_DIR:-$PWD}/runs}/$1-$key}
}

neuroscale_slurm_run() {
  local command=${1:?neuroscale_slurm_run COMMAND CONFIG [args...]} config=${2:?neuroscale_slurm_run COMMAND CONFIG [args...]}
  shift 2
  neuroscale_slurm_site || return 2
  local bin=${NEUROSCALE:-$NEUROSCALE_HOME/build/bin/neuroscale}
  [ -x "$bin" ] || { neuroscale_slurm_log "'$bin' is not executable: build neuroscale (scripts/setup) or set NEUROSCALE"; return 2; }
  "$bin" "$command" --help >/dev/null 2>&1 ||
    { neuroscale_slurm_log "'$bin' has no '$command' command (neuroscale --help lists them)"; return 2; }
  [ -f "$config" ] || { neuroscale_slurm_log "config '$config' does not exist (paths are relative to $PWD)"; return 2; }
  neuroscale_slurm_run_dir "$command"
  local run_dir=$neuroscale_run_dir
  mkdir -p "$run_dir" || { neuroscale_slurm_log "cannot create run directory '$run_dir'"; return 2; }
  export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-${OMP_NUM_THREADS:-1}}
  local restart=${SLURM_RESTART_COUNT:-0} started
  started=$(date -u +%FT%TZ)
  [ -f "$run_dir/slurm-attempts.tsv" ] ||
    printf 'started\tended\tjob\trestart\tnodes\ttasks\texit\tthen\n' > "$run_dir/slurm-attempts.tsv"
  neuroscale_slurm_log "$command, attempt $((restart + 1)), ${SLURM_JOB_NUM_NODES:-1} node(s) (${SLURM_JOB_NODELIST:-$(hostname)}), ${SLURM_NTASKS:-1} task(s) x $OMP_NUM_THREADS thread(s); run directory $run_dir"

  # The job step in the background, so this shell can take the warning signal and pass it on.
  local step_pid=0 code=0 resume=()
  case "$command" in pretrain|finetune|braintune) resume=(--resume auto) ;; esac
  # shellcheck disable=SC2086
  srun --mpi=pmix --kill-on-bad-exit=1 $NEUROSCALE_SRUN_EXTRA \
    "$bin" "$command" --config "$config" --run-dir "$run_dir" "${resume[@]}" "$@" &
  step_pid=$!
  trap 'neuroscale_slurm_log "SIGUSR1: asking the job step to checkpoint and stop"; kill -USR1 "$step_pid" 2>/dev/null' USR1
  trap 'neuroscale_slurm_log "SIGTERM: asking the job step to checkpoint and stop"; kill -TERM "$step_pid" 2>/dev/null' TERM
  # `wait` returns early (>128) when a trapped signal arrives; wait again until the step ends.
  while :; do
    code=0
    wait "$step_pid" || code=$?
    kill -0 "$step_pid" 2>/dev/null || break
  done
  trap - USR1 TERM

  local then=done
  if [ "$code" -eq 75 ]; then
    if [ "$restart" -lt "$NEUROSCALE_MAX_REQUEUES" ]; then
      then=requeued
    else
      then="not requeued: restart $restart reached NEUROSCALE_MAX_REQUEUES=$NEUROSCALE_MAX_REQUEUES"
    fi
  elif [ "$code" -ne 0 ]; then
    then=failed
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$started" "$(date -u +%FT%TZ)" "${SLURM_JOB_ID:-}" "$restart" \
    "${SLURM_JOB_NODELIST:-}" "${SLURM_NTASKS:-1}" "$code" "$then" >> "$run_dir/slurm-attempts.tsv"
  case "$then" in
    done) neuroscale_slurm_log "$command finished" ;;
    requeued)
      neuroscale_slurm_log "checkpointed (exit 75): requeueing, restart $((restart + 1)) of at most $NEUROSCALE_MAX_REQUEUES"
      scontrol requeue "$SLURM_JOB_ID" || { neuroscale_slurm_log "scontrol requeue $SLURM_JOB_ID failed"; return 75; }
      return 0 ;;
    failed) neuroscale_slurm_log "$command failed with exit code $code: not requeued (see $run_dir/logs/)" ;;
    *) neuroscale_slurm_log "checkpointed (exit 75) but $then; resubmit to continue from $run_dir" ;;
  esac
  return "$code"
}
