#!/usr/bin/env bash
# scripts/ngram_arpa.py on a synthetic corpus: bigram and trigram models are proper
# distributions over the corpus' training words and the lexicon's (tests/scripts/arpa_check.py),
# every lexicon word has a unigram, a training sentence's bigrams are in the model, and bad
# input (an unknown subject, a bad order) fails with a message and leaves no output.
# usage: ngram_arpa_test.sh NEUROSCALE PYTHON SOURCE_DIR
set -euo pipefail
neuroscale=$1 python=$2 source=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$neuroscale" synth --config "$source/configs/synth/tiny.yaml" --output "$work/c.h5" --lexicon "$work/lex.dict" >/dev/null 2>&1
"$python" -c 'import h5py' 2>/dev/null || { echo "SKIPPED: $python lacks h5py"; exit 77; }
for order in 2 3; do
  "$python" "$source/scripts/ngram_arpa.py" "$work/c.h5" "$work/lm$order.arpa" --order "$order" --lexicon "$work/lex.dict"
  "$python" "$source/tests/scripts/arpa_check.py" "$work/lm$order.arpa" 1e-5 || fail "order $order is not normalised"
done
while read -r word _; do
  [[ "$word" == ";;;"* ]] && continue
  grep -qP "^\S+\t${word,,}(\t|$)" "$work/lm2.arpa" || fail "lexicon word '$word' has no unigram"
done < "$work/lex.dict"
first=$("$python" -c '
import h5py, sys
c = h5py.File(sys.argv[1], "r")
t = c["trials"]
for split, offset, length in zip(t["split"][()], t["text_offset"][()], t["text_length"][()]):
    if split == 0 and length:
        print(bytes(c["text/utf8"][offset:offset + length]).decode().lower()); break' "$work/c.h5")
read -r w1 w2 _ <<<"$first"
grep -qP "^\S+\t<s> $w1(\t|$)" "$work/lm2.arpa" || fail "the bigram '<s> $w1' of '$first' is missing"
grep -qP "^\S+\t$w1 $w2(\t|$)" "$work/lm2.arpa" || fail "the bigram '$w1 $w2' of '$first' is missing"
if "$python" "$source/scripts/ngram_arpa.py" "$work/c.h5" "$work/bad.arpa" --subjects nobody 2>"$work/err"; then
  fail "an unknown subject was accepted"
fi
grep -q "has no subject nobody" "$work/err" || fail "unclear error: $(cat "$work/err")"
! "$python" "$source/scripts/ngram_arpa.py" "$work/c.h5" "$work/bad.arpa" --order 9 2>/dev/null || fail "--order 9 was accepted"
[ ! -e "$work/bad.arpa" ] || fail "a failed run left $work/bad.arpa"
echo "PASS: bigram and trigram models normalised; lexicon covered; bad input refused"
