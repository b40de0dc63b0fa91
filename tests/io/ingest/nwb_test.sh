#!/usr/bin/env bash
# usage: nwb_test.sh NEUROSCALE PYTHON FIXTURE_SCRIPT
# Ingests h5py-written NWB files (trials table, windows, units pooled per electrode) and
# checks every 20 ms count exactly; corrupted files must fail with exit code 3 naming the file.
set -u
neuroscale=$1 python=$2 fixture=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$python" "$fixture" make "$dir/src" || fail "fixture"
"$neuroscale" ingest --format nwb --input "$dir"/src/*.nwb --output "$dir/c.h5" --normalization none --window 1.5 \
  || fail "ingest"
"$python" "$fixture" verify "$dir/src" "$dir/c.h5" 1.5 || fail "verify"
"$neuroscale" ingest --format nwb --input "$dir"/src/*.nwb --output "$dir/z.h5" || fail "ingest per_day"
for kind in $("$python" "$fixture" corruptions); do
  rm -rf "$dir/bad" && "$python" "$fixture" make "$dir/bad" --corrupt "$kind" || fail "fixture $kind"
  out=$("$neuroscale" ingest --format nwb --input "$dir"/bad/*.nwb --output "$dir/bad.h5" 2>&1)
  rc=$?
  err=$(grep "^neuroscale" <<<"$out")
  echo "$kind -> exit $rc: $err"
  [ "$rc" -eq 3 ] || fail "$kind: exit code $rc, expected 3"
  grep -q "indy_a.nwb" <<<"$err" || fail "$kind: the message does not name the file"
  ls "$dir"/bad.h5* >/dev/null 2>&1 && fail "$kind: a corpus file was left behind"
done
echo "PASS: nwb ingest exact; bad inputs rejected"
