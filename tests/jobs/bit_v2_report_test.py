"""scripts/bit-v2-report on runs whose edit counts are known: the point estimates are the
summed-edit ratios, the relative reductions follow from them (against scratch, and of an
ENCODER-fresh against its ENCODER), intervals are degenerate where
nothing varies and bracket the point where something does, the scaling table reads the
pretraining hours from the pretraining logs, the archive (counts.tsv.gz) reproduces the tables
and takes further seeds but refuses runs or pretrainings that differ from its own, and a
missing evaluation is one clear line.

usage: bit_v2_report_test.py REPORT_SCRIPT   (exit 0: passed; 1: failed; 77: skipped)
"""
import os
import re
import subprocess
import sys
import tempfile

try:
    import matplotlib  # noqa: F401  (the report draws its plots with it)
    import numpy  # noqa: F401
except ImportError as error:
    print(f"bit_v2_report_test: skipped: {error} (scripts/setup installs python3-matplotlib)")
    sys.exit(77)

REPORT = sys.argv[1]
TRIALS = list(range(100, 140))  # 40 test sentences


def write_run(out, name, rows):
    """rows: per test trial (phoneme edits, phonemes, word edits, words)."""
    os.makedirs(os.path.join(out, name, "eval"))
    with open(os.path.join(out, name, "eval", "predictions.tsv"), "w") as f:
        f.write("trial\tphoneme_edits\ttrue_phoneme_count\tword_edits\ttrue_word_count\n")
        for trial, row in zip(TRIALS, rows):
            f.write(f"{trial}\t" + "\t".join(str(v) for v in row) + "\n")
    return os.path.join(out, name)


def write_pretraining(out, name, hours, loss="0.912"):
    os.makedirs(os.path.join(out, name, "logs"))
    with open(os.path.join(out, name, "logs", "rank-00000.log"), "w") as f:
        f.write(f"[rank 0] training on 1234 trials ({hours} h)\n[rank 0] step 2900/3000  loss 0.95\n"
                f"[rank 0] step 3000/3000  loss {loss}  lr 1e-4\npretraining finished\n")
    return os.path.join(out, name)


def run_report(out, *archive):
    return subprocess.run([sys.executable, REPORT, out, *archive], capture_output=True, text=True)


def write_runs_tsv(out, runs):
    with open(os.path.join(out, "runs.tsv"), "w") as f:
        f.write("encoder\tpretrain_fraction\ttask\tlabels\tseed\trun\tpretraining\n")
        for encoder, fraction, seed, run, pretraining in runs:
            f.write(f"{encoder}\t{fraction}\tattempted_speech\t0.05\t{seed}\t{run}\t{pretraining}\n")


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


def main():
    with tempfile.TemporaryDirectory() as out:
        full = write_pretraining(out, "pretrain-human", 2.5)
        half = write_pretraining(out, "pretrain-human-0.5", 1.25)
        runs = []
        for seed in (1, 2, 3):
            # Scratch: every sentence 10 phonemes with 4 edits, 5 words with 2 edits; the
            # human encoder: 2 and 1 (half); its half-data encoder: sentences vary.
            scratch = write_run(out, f"scratch-{seed}", [(4, 10, 2, 5)] * len(TRIALS))
            human = write_run(out, f"human-{seed}", [(2, 10, 1, 5)] * len(TRIALS))
            varied = [((t + seed) % 6, 10, (t + seed) % 3, 5) for t in TRIALS]
            human_half = write_run(out, f"human-half-{seed}", varied)
            # The human encoder with a fresh read-in for the target: half its phoneme errors.
            human_fresh = write_run(out, f"human-fresh-{seed}", [(1, 10, 1, 5)] * len(TRIALS))
            runs += [("scratch", "-", seed, scratch, "-"), ("human", "1.0", seed, human, full),
                     ("human", "0.5", seed, human_half, half), ("human-fresh", "1.0", seed, human_fresh, full)]
        write_runs_tsv(out, runs)
        result = run_report(out)
        check(result.returncode == 0, f"report failed: {result.stderr}")
        text = open(os.path.join(out, "results.md")).read()
        check("## attempted_speech (40 test sentences)" in text, text)
        # Constant counts: intervals collapse onto the point; halving the errors is -50%.
        check("| 5% | scratch | 3 | 0.400 [0.400, 0.400] | 0.400 [0.400, 0.400] | - | - |" in text, text)
        check("| 5% | human | 3 | 0.200 [0.200, 0.200] | 0.200 [0.200, 0.200] | +50% [+50%, +50%] "
              "| +50% [+50%, +50%] |" in text, text)
        # ENCODER-fresh against ENCODER, paired: -50% phoneme errors, the same word errors.
        check("## attempted_speech: a fresh read-in for the target against the pretrained one" in text, text)
        check("| 5% | human-fresh | human | 3/3 | +50.0% [+50.0%, +50.0%] | +0.0% [+0.0%, +0.0%] |" in text, text)
        # The half-data encoder in the scaling table: its hours from the log, its PER the summed
        # ratio (hand-computed), an interval that brackets it and has width.
        edits = sum((t + s) % 6 for t in TRIALS for s in (1, 2, 3))
        per = edits / (10 * len(TRIALS) * 3)
        row = re.search(r"\| human \| 0.5 \| 1.25 \| 3 \| ([0-9.]+) \[([0-9.]+), ([0-9.]+)\]", text)
        check(row is not None, f"no scaling row of the half-data encoder in\n{text}")
        point, lo, hi = (float(v) for v in row.groups())
        check(abs(point - per) < 5e-4, f"half-data PER {point}, hand-computed {per:.4f}")
        check(lo < point < hi and hi - lo < 0.2, f"half-data interval [{lo}, {hi}] around {point}")
        check("| human | 1 | 2.50 | 3 | 0.200" in text, text)
        for plot in ("per-vs-labels.png", "scaling.png"):
            check(os.path.getsize(os.path.join(out, plot)) > 1000, f"{plot} was not drawn")
        archive = os.path.join(out, "counts.tsv.gz")
        check(os.path.isfile(archive), "no counts.tsv.gz")
        # The archive alone reproduces the tables; a fourth seed in another directory joins it.
        again = os.path.join(out, "again")
        os.makedirs(again)
        result = run_report(again, archive)
        check(result.returncode == 0, f"report from the archive failed: {result.stderr}")
        check(open(os.path.join(again, "results.md")).read() == text, "the archive changed the tables")
        more = os.path.join(out, "more")
        os.makedirs(more)
        pretraining = write_pretraining(more, "pretrain-human", 2.5)
        write_runs_tsv(more, [("human", "1.0", 4, write_run(more, "human-4", [(2, 10, 1, 5)] * len(TRIALS)),
                               pretraining),
                              ("human", "1.0", 1, os.path.join(out, "human-1"), pretraining)])
        result = run_report(more, archive)
        check(result.returncode == 0, f"report with a fourth seed failed: {result.stderr}")
        check("| 5% | human | 4 | 0.200" in open(os.path.join(more, "results.md")).read(), "seed 4 not added")
        # A run that decodes differently from the archive's, or an encoder that pretrained to
        # another loss: refused, naming what differs.
        write_run(more, "human-5", [(3, 10, 1, 5)] * len(TRIALS))
        write_runs_tsv(more, [("human", "1.0", 1, os.path.join(more, "human-5"), pretraining)])
        result = run_report(more, archive)
        check(result.returncode == 2 and "decoded differently from the archive's" in result.stderr,
              f"a changed run was not refused: {result.returncode} {result.stderr}")
        other = write_pretraining(more, "pretrain-human-other", 2.5, loss="0.913")
        write_runs_tsv(more, [("human", "1.0", 4, os.path.join(more, "human-4"), other)])
        result = run_report(more, archive)
        check(result.returncode == 2 and "ended at 'step 3000/3000 loss 0.913', the archive's at "
              "'step 3000/3000 loss 0.912'" in result.stderr,
              f"a changed pretraining was not refused: {result.returncode} {result.stderr}")
        # A run without its evaluation: one line naming the missing file, exit 2.
        os.remove(os.path.join(out, "human-2", "eval", "predictions.tsv"))
        result = run_report(out)
        check(result.returncode == 2, f"exit {result.returncode} for a missing evaluation")
        check("human-2/eval/predictions.tsv' is missing" in result.stderr, result.stderr)
    print("bit_v2_report_test: passed")


if __name__ == "__main__":
    main()
