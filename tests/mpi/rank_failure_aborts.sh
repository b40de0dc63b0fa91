#!/usr/bin/env bash
# usage: rank_failure_aborts.sh PROBE NP "MPIRUN ARGS"
# Passes when the job ends (no hang) with a non-zero code and the failing rank's message.
set -u
probe=$1 np=$2 mpirun=$3
out=$(timeout 90 $mpirun -np "$np" "$probe" 2>&1)
rc=$?
echo "$out"
if [ "$rc" -eq 124 ]; then echo "FAIL: the job hung (still running after 90 s)"; exit 1; fi
if [ "$rc" -eq 0 ]; then echo "FAIL: the job exited 0 although rank $((np - 1)) failed"; exit 1; fi
last=$((np - 1))
if ! grep -q "neuroscale \[rank $last/$np on .*\]: data error: trial 17 of 'probe.h5' is truncated" <<<"$out"; then
  echo "FAIL: the failing rank's one-line error is missing"; exit 1
fi
echo "PASS: job of $np ranks aborted with exit code $rc"
