#!/usr/bin/env bash
# usage: interrupt_test.sh NEUROSCALE CONFIG
# Ctrl-C (SIGINT) and SIGTERM during `neuroscale synth` stop it at a safe point with exit
# code 128 + signal and one clear line; neither the output nor a temporary file remains,
# and an existing output is untouched.
set -u
neuroscale=$1 config=$2
source "$(dirname "$0")/test_helpers.sh"
for signal in INT TERM; do
  echo precious > "$dir/out.h5"
  "$neuroscale" synth --config "$config" --output "$dir/out.h5" --force 2> "$dir/err" > /dev/null &
  pid=$!
  # Wait until it is writing (its temporary file exists), then interrupt it.
  for _ in $(seq 1 100); do ls "$dir"/out.h5.tmp.* >/dev/null 2>&1 && break; sleep 0.1; done
  ls "$dir"/out.h5.tmp.* >/dev/null 2>&1 || fail "synth never started writing"
  kill -$signal $pid
  wait $pid
  rc=$?
  expected=$((128 + $(kill -l $signal)))
  [ "$rc" -eq "$expected" ] || fail "SIG$signal: exit code $rc, expected $expected"
  grep -q "^neuroscale: interrupted: synth interrupted by SIG$signal; nothing was written to the output$" "$dir/err" \
    || fail "SIG$signal: message missing: $(cat "$dir/err")"
  [ "$(cat "$dir/out.h5")" = precious ] || fail "SIG$signal: the existing output was touched"
  ls "$dir"/out.h5.tmp.* >/dev/null 2>&1 && fail "SIG$signal: a temporary file was left behind"
done
echo "PASS: SIGINT and SIGTERM stop synth cleanly"
