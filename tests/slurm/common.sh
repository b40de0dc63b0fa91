# Sourced by the Slurm tests, with their arguments NEUROSCALE REPO SYNTH_CONFIG PRETRAIN_CONFIG:
# the cluster started by cluster.sh (CTest fixture), a work directory (the current directory,
# removed at exit) holding the tiny corpus `corpus.h5`, and helpers to wait for jobs. Exits
# 77 with the cluster's skip reason when there is no cluster.
bin=$1 repo=$2 synth_config=$3 pretrain_config=$4
state=${NEUROSCALE_SLURM_STATE:?NEUROSCALE_SLURM_STATE must name the cluster state directory}
if [ -f "$state/skip-reason" ]; then cat "$state/skip-reason"; exit 77; fi
export SLURM_CONF=$state/slurm.conf
sinfo -h >/dev/null 2>&1 || { echo "FAIL: the test cluster ($SLURM_CONF) does not answer"; exit 1; }
# The tiny jobs: CPU-only, tasks as the test asks, one CPU each; runs under the work dir.
export NEUROSCALE_GPUS_PER_NODE=0 NEUROSCALE_CPUS_PER_TASK=1 NEUROSCALE_MAX_REQUEUES=3
export NEUROSCALE_PARTITION="" NEUROSCALE_ACCOUNT="" NEUROSCALE_MODULES=""

job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
job_field() { scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }

# wait_for JOB SECONDS STATE...: until the job is in one of the states; fails on timeout.
wait_for() {
  local job=$1 seconds=$2 now
  shift 2
  for _ in $(seq $((seconds * 5))); do
    now=$(job_state "$job")
    for want in "$@"; do [ "$now" = "$want" ] && return 0; done
    sleep 0.2
  done
  echo "FAIL: job $job is '$now' after $seconds s, expected $*"
  scontrol show job "$job" || true
  return 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$bin" synth --config "$synth_config" --output corpus.h5 >/dev/null 2>&1
