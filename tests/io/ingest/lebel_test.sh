#!/usr/bin/env bash
# usage: lebel_test.sh NEUROSCALE PYTHON FIXTURE_SCRIPT
# Ingests an h5py/scipy-written LeBel 2023 tree (from the root and from its derivative folder,
# all participants and a chosen subset) and checks the fMRI corpus against the source; then
# each corrupted input must fail with exit code 3, a message naming the problem, and no
# output left behind.
set -u
neuroscale=$1 python=$2 fixture=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$python" "$fixture" make "$dir/src" || fail "fixture"
"$neuroscale" ingest --format lebel --input "$dir/src" --output "$dir/all.h5" || fail "ingest"
"$python" "$fixture" verify "$dir/src" "$dir/all.h5" || fail "verify"
"$neuroscale" ingest --format lebel --input "$dir/src/derivative" --output "$dir/one.h5" --participants UTS02 \
  || fail "ingest from the derivative folder"
"$python" "$fixture" verify "$dir/src" "$dir/one.h5" UTS02 || fail "verify UTS02"
"$neuroscale" ingest --format lebel --input "$dir/src" --output "$dir/one.h5" 2>/dev/null && fail "overwrote without --force"
"$neuroscale" ingest --format lebel --input "$dir/src" --output "$dir/one.h5" --force || fail "--force"

for entry in $("$python" "$fixture" corruptions | tr ' ' '~'); do
  kind=${entry%%:*} expected=${entry#*:}
  expected=${expected//\~/ }
  rm -rf "$dir/bad" && "$python" "$fixture" make "$dir/bad" --corrupt "$kind" || fail "fixture $kind"
  out=$("$neuroscale" ingest --format lebel --input "$dir/bad" --output "$dir/bad.h5" 2>&1)
  rc=$?
  err=$(grep "^neuroscale" <<<"$out")
  echo "$kind -> exit $rc: $err"
  [ "$rc" -eq 3 ] || fail "$kind: exit code $rc, expected 3"
  grep -qF "$expected" <<<"$err" || fail "$kind: the message does not contain '$expected'"
  ls "$dir"/bad.h5* >/dev/null 2>&1 && fail "$kind: an output file was left behind"
done
# Differing voxel counts: one participant alone is fine, as the message suggests.
rm -rf "$dir/bad" && "$python" "$fixture" make "$dir/bad" --corrupt voxels || fail "fixture voxels"
"$neuroscale" ingest --format lebel --input "$dir/bad" --output "$dir/uts01.h5" --participants UTS01 \
  || fail "one participant of differing voxel spaces"
echo "PASS: lebel ingest exact; bad inputs rejected"
