#!/bin/bash
# A disk that fills up during a save: the save fails cleanly on every rank with the reason
# and the file, the previous checkpoint stays intact and loadable, training goes on, and the
# run's last save failing makes the job exit non-zero. The run directory lives on a small
# tmpfs (needs root and mount); where none can be mounted the test skips with the reason.
# usage: checkpoint_disk_full.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG
set -uo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4
work=$(mktemp -d)
disk="$work/disk"
mkdir -p "$disk"
cleanup() { umount "$disk" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# One checkpoint of this model takes about 3.7 MB; 6 MB hold the first and not the second.
if ! mount -t tmpfs -o size=6m tmpfs "$disk" 2>"$work/mount.err"; then
  echo "SKIP: cannot mount a small tmpfs to fill up ($(cat "$work/mount.err")); needs root and mount"
  exit 77
fi
set -e
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null 2>&1
args=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=15 checkpoint.every_steps=5
      checkpoint.keep=5)
status=0
$mpirun -np 2 "$bin" "${args[@]}" --run-dir "$disk/run" 2>"$work/err" || status=$?
grep -v INFO "$work/err" | head -8
[ "$status" -ne 0 ] || { echo "FAIL: the job exited 0 although its last checkpoint could not be written"; exit 1; }
grep -q "checkpoint step-00000010 was not saved: rank [01]: cannot write .*No space left on device; the previous checkpoint $disk/run/checkpoints/step-00000005 is intact" "$work/err" ||
  { echo "FAIL: the failed periodic save was not reported with its reason"; exit 1; }
grep -q "step 15/15" "$work/err" || { echo "FAIL: training did not go on after the failed save"; exit 1; }
ls "$disk/run/checkpoints"
[ ! -e "$disk/run/checkpoints/step-00000010.tmp" ] && [ ! -e "$disk/run/checkpoints/step-00000015.tmp" ] ||
  { echo "FAIL: a failed save left its temporary directory"; exit 1; }
[ "$(cat "$disk/run/checkpoints/latest")" = "step-00000005" ] || { echo "FAIL: latest moved"; exit 1; }

echo "== the previous checkpoint is intact and loadable"
$mpirun -np 2 "$bin" "${args[@]}" train.max_steps=5 --run-dir "$disk/run" 2>"$work/err2" ||
  { cat "$work/err2"; echo "FAIL: could not resume from step-00000005"; exit 1; }
grep -q "resumed from $disk/run/checkpoints/step-00000005 at step 5" "$work/err2" ||
  { cat "$work/err2"; echo "FAIL: did not resume from step-00000005"; exit 1; }
echo "PASS"
