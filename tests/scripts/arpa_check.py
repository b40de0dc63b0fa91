#!/usr/bin/env python3
"""Checks that an ARPA backoff model is a proper distribution: for the empty context and
every context that has a backoff weight, the probabilities of all words (seen n-grams,
else the backoff weight times the lower order) sum to 1 within TOLERANCE. Also checks the
header counts. Independent of scripts/ngram_arpa.py: it reads only the ARPA text.

usage: arpa_check.py FILE.arpa [TOLERANCE]   (exit 1 with the worst context on failure)"""
import sys

path = sys.argv[1]
tolerance = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-4
probability, backoff, declared, counted = {}, {}, {}, {}
order = 0
with open(path, encoding="utf-8") as arpa:
    for line in arpa:
        line = line.strip()
        if line.startswith("ngram ") and "=" in line:
            n, count = line[6:].split("=")
            declared[int(n)] = int(count)
        elif line.startswith("\\") and line.endswith("-grams:"):
            order = int(line[1:line.index("-")])
        elif line.startswith("\\end\\"):
            order = 0
        elif order and line:
            fields = line.split()
            gram = tuple(fields[1:1 + order])
            probability[gram] = 10 ** float(fields[0])
            if len(fields) == order + 2:
                backoff[gram] = 10 ** float(fields[-1])
            counted[order] = counted.get(order, 0) + 1
if declared != counted:
    sys.exit(f"FAIL: header counts {declared} but the file has {counted}")
vocabulary = [g[0] for g in probability if len(g) == 1 and g[0] != "<s>"]


def p(word, context):
    if context + (word,) in probability:
        return probability[context + (word,)]
    if not context:
        return 0.0
    return backoff.get(context, 1.0) * p(word, context[1:])


worst = (0.0, ())
for context in [()] + sorted(backoff):
    total = sum(p(w, context) for w in vocabulary)
    if abs(total - 1) > worst[0]:
        worst = (abs(total - 1), context)
if worst[0] > tolerance:
    sys.exit(f"FAIL: probabilities after {' '.join(worst[1]) or 'the empty context'} sum to 1 +- {worst[0]:.2e}")
print(f"PASS: {len(backoff) + 1} contexts over {len(vocabulary)} words sum to 1 (worst deviation {worst[0]:.1e})")
