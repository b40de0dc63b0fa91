#!/usr/bin/env bash
# usage: b2t25_test.sh NEUROSCALE PYTHON FIXTURE_SCRIPT MPIRUN
# Ingests an h5py-written Brain-to-Text '25 tree (1 and 2 ranks, every normalisation) and
# checks the corpus against the source exactly; then each corrupted input must fail with
# exit code 3, a message naming the file and trial, no corpus left behind, inputs unchanged.
set -u
neuroscale=$1 python=$2 fixture=$3 mpirun=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$python" "$fixture" make "$dir/src" || fail "fixture"
before=$(cd "$dir/src" && find . -type f -exec md5sum {} + | sort)
for mode in none per_day per_block; do
  "$neuroscale" ingest --format b2t25 --input "$dir/src" --output "$dir/$mode.h5" --normalization "$mode" \
    || fail "ingest ($mode)"
  "$python" "$fixture" verify "$dir/src" "$dir/$mode.h5" "$mode" || fail "verify ($mode)"
done
$mpirun -np 2 "$neuroscale" ingest --format b2t25 --input "$dir/src/t15.2023.08.11" "$dir/src/t15.2023.08.20" \
  --output "$dir/np2.h5" --normalization per_day || fail "ingest on 2 ranks"
"$python" "$fixture" verify "$dir/src" "$dir/np2.h5" per_day || fail "verify (2 ranks)"
after=$(cd "$dir/src" && find . -type f -exec md5sum {} + | sort)
[ "$before" = "$after" ] || fail "ingest modified its inputs"

for kind in $("$python" "$fixture" corruptions); do
  rm -rf "$dir/bad" && "$python" "$fixture" make "$dir/bad" --corrupt "$kind" || fail "fixture $kind"
  out=$("$neuroscale" ingest --format b2t25 --input "$dir/bad" --output "$dir/bad.h5" 2>&1)
  rc=$?
  echo "$kind -> exit $rc: $out"
  [ "$rc" -eq 3 ] || fail "$kind: exit code $rc, expected 3"
  grep -q "t15.2023.08.20/data_train.hdf5" <<<"$out" || fail "$kind: the message does not name the file"
  case "$kind" in
    truncated|not_hdf5) ;;
    *) grep -q "trial_0002" <<<"$out" || fail "$kind: the message does not name the trial" ;;
  esac
  [ "$(grep -c "^neuroscale" <<<"$out")" -eq 1 ] || fail "$kind: not exactly one line of error"
  ls "$dir"/bad.h5* >/dev/null 2>&1 && fail "$kind: a corpus file was left behind"
done
echo "PASS: b2t25 ingest exact on 1 and 2 ranks; $(echo $("$python" "$fixture" corruptions) | wc -w) bad inputs rejected"
