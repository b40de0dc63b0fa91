#!/usr/bin/env bash
# usage: b2t24_test.sh NEUROSCALE PYTHON FIXTURE_SCRIPT MPIRUN
# Ingests scipy-written Brain-to-Text '24 MAT files (per-block default, none, a column
# range, 2 ranks) and checks the corpus against the source; corrupted inputs must fail with
# exit code 3 naming the file (and the trial), leaving no corpus behind.
set -u
neuroscale=$1 python=$2 fixture=$3 mpirun=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$python" "$fixture" make "$dir/competitionData" || fail "fixture"
"$neuroscale" ingest --format b2t24 --input "$dir/competitionData" --output "$dir/block.h5" || fail "ingest"
"$python" "$fixture" verify "$dir/competitionData" "$dir/block.h5" per_block 0 -1 || fail "verify per_block"
"$neuroscale" ingest --format b2t24 --input "$dir/competitionData" --output "$dir/none.h5" \
  --normalization none --columns 0:128 || fail "ingest none"
"$python" "$fixture" verify "$dir/competitionData" "$dir/none.h5" none 0 128 || fail "verify none"
$mpirun -np 2 "$neuroscale" ingest --format b2t24 --input "$dir/competitionData" --output "$dir/np2.h5" \
  --normalization per_day || fail "ingest on 2 ranks"
"$python" "$fixture" verify "$dir/competitionData" "$dir/np2.h5" per_day 0 -1 || fail "verify 2 ranks"

for kind in $("$python" "$fixture" corruptions); do
  rm -rf "$dir/bad" && "$python" "$fixture" make "$dir/bad" --corrupt "$kind" || fail "fixture $kind"
  out=$("$neuroscale" ingest --format b2t24 --input "$dir/bad" --output "$dir/bad.h5" 2>&1)
  rc=$?
  err=$(grep "^neuroscale" <<<"$out")
  echo "$kind -> exit $rc: $err"
  [ "$rc" -eq 3 ] || fail "$kind: exit code $rc, expected 3"
  grep -q "train/t12.2022.05.05.mat" <<<"$err" || fail "$kind: the message does not name the file"
  case "$kind" in
    empty|bins_mismatch|nan) grep -q "trial 2" <<<"$err" || fail "$kind: the message does not name the trial" ;;
  esac
  [ "$(grep -c . <<<"$err")" -eq 1 ] || fail "$kind: not exactly one line of error"
  ls "$dir"/bad.h5* >/dev/null 2>&1 && fail "$kind: a corpus file was left behind"
done
echo "PASS: b2t24 ingest checked; bad inputs rejected"
