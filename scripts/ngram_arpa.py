#!/usr/bin/env python3
"""Estimates a word n-gram language model from the training sentences of a neuroscale corpus
and writes it in ARPA format, for `neuroscale evaluate decode.lm=FILE`.

usage: ngram_arpa.py CORPUS.h5 OUTPUT.arpa [--order N] [--discount D] [--subjects A,B]
                     [--lexicon FILE]

Sentences are those of training-split trials (split 0) with a sentence, optionally of some
subjects only; words are split on white space and lower-cased, as the decoder's lexicon
is. The model is interpolated absolute discounting (Ney, Essen and Kneser 1994) written in
ARPA's backoff form: each seen n-gram keeps its interpolated probability, and the backoff
weight of its context gives the unseen continuations the mass the discount freed, spread
by the lower order. Unigrams are add-one smoothed over the training words and, with
--lexicon, every word of the decoder's lexicon, so no word it can spell has zero
probability. <s> and </s> mark sentence boundaries. The output is written to a
temporary name and renamed, so a failed run leaves no partial file.
"""
import argparse
import collections
import math
import os
import sys


def fail(message):
    print(f"ngram_arpa.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_sentences(path, subjects):
    try:
        import h5py
    except ImportError:
        fail("needs h5py (apt-get install python3-h5py)")
    try:
        corpus = h5py.File(path, "r")
    except OSError as error:
        fail(f"cannot open '{path}': {error}")
    with corpus:
        for dataset in ("trials/split", "trials/session", "trials/text_offset", "trials/text_length",
                        "sessions/subject", "subjects/name", "text/utf8"):
            if dataset not in corpus:
                fail(f"'{path}' has no /{dataset} (not a neuroscale corpus? see docs/corpus-format.md)")
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in corpus["subjects/name"][()]]
        unknown = sorted(set(subjects) - set(names))
        if unknown:
            fail(f"'{path}' has no subject {', '.join(unknown)} (it has {', '.join(names)})")
        session_subject = corpus["sessions/subject"][()]
        text = bytes(corpus["text/utf8"][()])
        trials = zip(corpus["trials/split"][()], corpus["trials/session"][()],
                     corpus["trials/text_offset"][()], corpus["trials/text_length"][()])
        for split, session, offset, length in trials:
            if split != 0 or length == 0:
                continue
            if subjects and names[session_subject[session]] not in subjects:
                continue
            yield text[offset:offset + length].decode("utf-8").lower().split()


def read_lexicon_words(path):
    try:
        with open(path, encoding="utf-8") as lexicon:
            return {line.split()[0].lower() for line in lexicon
                    if line.strip() and not line.startswith(";;;")}
    except OSError as error:
        fail(f"cannot read the lexicon '{path}': {error}")


def estimate(sentences, order, discount, extra_words):
    """counts[n][(w1..wn)] for n = 1..order over <s> w1 .. wk </s>."""
    counts = [None] + [collections.Counter() for _ in range(order)]
    for words in sentences:
        tokens = ["<s>"] * (order - 1 if order > 1 else 0) + words + ["</s>"]
        if order == 1:
            tokens = words + ["</s>"]
        for n in range(1, order + 1):
            for i in range(len(tokens) - n + 1):
                gram = tuple(tokens[i:i + n])
                if n < order and all(t == "<s>" for t in gram) and n > 1:
                    continue
                counts[n][gram] += 1
    counts[1].pop(("<s>",), None)
    if not counts[1]:
        fail("no training sentences: nothing to estimate")
    vocabulary = sorted({w for (w,) in counts[1]} | set(extra_words))
    probability = [None] + [dict() for _ in range(order)]
    backoff = [None] + [dict() for _ in range(order)]
    total = sum(counts[1].values()) + len(vocabulary)
    for w in vocabulary:
        probability[1][(w,)] = (counts[1][(w,)] + 1) / total
    probability[1][("<s>",)] = 0.0  # never predicted
    for n in range(2, order + 1):
        context_total = collections.Counter()
        context_types = collections.Counter()
        for gram, c in counts[n].items():
            context_total[gram[:-1]] += c
            context_types[gram[:-1]] += 1
        for gram, c in counts[n].items():
            context = gram[:-1]
            freed = discount * context_types[context] / context_total[context]
            lower = probability[n - 1].get(gram[1:], 0.0)
            probability[n][gram] = max(c - discount, 0.0) / context_total[context] + freed * lower
        # Backoff weights: the mass left for unseen continuations over the lower order's mass
        # of those continuations.
        seen_by_context = collections.defaultdict(list)
        for gram in counts[n]:
            seen_by_context[gram[:-1]].append(gram)
        for context, grams in seen_by_context.items():
            left = 1.0 - sum(probability[n][g] for g in grams)
            lower_left = 1.0 - sum(probability[n - 1].get(g[1:], 0.0) for g in grams)
            backoff[n - 1][context] = left / lower_left if left > 0 and lower_left > 0 else 1e-99
    return vocabulary, probability, backoff


def log10(p):
    return -99.0 if p <= 0 else math.log10(p)


def write_arpa(path, order, probability, backoff):
    temporary = f"{path}.tmp.{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as out:
        out.write("\\data\\\n")
        for n in range(1, order + 1):
            out.write(f"ngram {n}={len(probability[n])}\n")
        for n in range(1, order + 1):
            out.write(f"\n\\{n}-grams:\n")
            for gram in sorted(probability[n]):
                line = f"{log10(probability[n][gram]):.6f}\t{' '.join(gram)}"
                if n < order and gram in backoff[n]:
                    line += f"\t{log10(backoff[n][gram]):.6f}"
                out.write(line + "\n")
        out.write("\n\\end\\\n")
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("output")
    parser.add_argument("--order", type=int, default=2, help="n-gram order (default 2)")
    parser.add_argument("--discount", type=float, default=0.5, help="absolute discount in (0, 1) (default 0.5)")
    parser.add_argument("--subjects", default="", help="comma-separated subjects (default: all)")
    parser.add_argument("--lexicon", default="", help="also give every word of this CMU-dict lexicon a unigram")
    args = parser.parse_args()
    if not 1 <= args.order <= 5:
        fail(f"--order {args.order}: expected 1 to 5")
    if not 0 < args.discount < 1:
        fail(f"--discount {args.discount}: expected a value in (0, 1)")
    subjects = [s for s in args.subjects.split(",") if s]
    sentences = list(read_sentences(args.corpus, subjects))
    extra = read_lexicon_words(args.lexicon) if args.lexicon else set()
    vocabulary, probability, backoff = estimate(sentences, args.order, args.discount, extra)
    write_arpa(args.output, args.order, probability, backoff)
    counts = ", ".join(f"{len(probability[n])} {n}-grams" for n in range(1, args.order + 1))
    print(f"ngram_arpa.py: {len(sentences)} training sentences, {len(vocabulary)} words: {counts} -> {args.output}")


if __name__ == "__main__":
    main()
