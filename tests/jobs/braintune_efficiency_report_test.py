"""scripts/braintune-efficiency-report on alignments whose values are known: each model is read
at its best full-data layer, tuned cells are means with a 95% t-interval over seeds, the
difference rows (tuned minus untuned, multi minus single paired by seed) are hand-computed,
the encoding fraction at which a tuned run reaches the untuned model's full-data alignment is
interpolated linearly, the tuning fit is each run's last metrics line, the phoneme probe of
the random initialisation is a mean with its interval over initialisation seeds, and a directory
without alignments or a broken metrics file is one clear line. Also
scripts/h5-content-hash: data, not attributes, make the hash.

usage: braintune_efficiency_report_test.py REPORT_SCRIPT HASH_SCRIPT
       (exit 0: passed; 1: failed; 77: skipped)
"""
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import h5py
    import matplotlib  # noqa: F401  (the report draws its plots with it)
    import numpy as np
except ImportError as error:
    print(f"braintune_efficiency_report_test: skipped: {error} (scripts/setup installs python3-h5py, python3-matplotlib)")
    sys.exit(77)

REPORT, HASH = sys.argv[1], sys.argv[2]
T975_2 = 4.302652729911275  # Student t, 97.5%, 2 degrees of freedom (3 seeds)


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


def write_alignment(out, name, score):
    """score(layer, train_stories, role) -> mean r, the same for both participants of a role."""
    os.makedirs(os.path.join(out, f"align-{name}"))
    with open(os.path.join(out, f"align-{name}", "alignment.tsv"), "w") as f:
        f.write("participant\trole\tlayer\tmean_r\tmean_cc_norm\tnormalised_voxels\tvoxels\tmedian_alpha\ttrain_stories\n")
        for participant, role in [("P01", "train"), ("P02", "train"), ("P04", "held_out")]:
            for layer in (0, 1):
                for n in (2, 4, 8):
                    f.write(f"{participant}\t{role}\t{layer}\t{score(layer, n, role)}\t0.5\t40\t48\t100\t{n}\n")


def row(text, start):
    lines = [line for line in text.splitlines() if line.startswith(start)]
    check(len(lines) == 1, f"one row starting '{start}' in\n{text}")
    return [cell.strip() for cell in lines[0].strip("|").split("|")]


def main():
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run([sys.executable, REPORT, out], capture_output=True, text=True)
        check(result.returncode != 0 and "no '" in result.stderr and "alignment.tsv" in result.stderr,
              f"an empty directory is refused with one line: {result.stderr!r}")

        # Untuned: layer 1 is best; r rises with the encoding stories; held-out 0.02 lower.
        untuned = {2: 0.10, 4: 0.15, 8: 0.20}
        write_alignment(out, "untuned", lambda l, n, role: untuned[n] * (1 if l == 1 else 0.5) - (0.02 if role == "held_out" else 0))
        # Tuned: untuned + a per-seed offset (single) or + a larger one (multi), at every n.
        single = {"1": 0.010, "2": 0.020, "3": 0.030}
        multi = {"1": 0.030, "2": 0.050, "3": 0.040}
        for seed in single:
            write_alignment(out, f"single-4-seed{seed}", lambda l, n, role, s=seed: untuned[n] * (1 if l == 1 else 0.5) - (0.02 if role == "held_out" else 0) + single[s])
            write_alignment(out, f"multi-4-seed{seed}", lambda l, n, role, s=seed: untuned[n] * (1 if l == 1 else 0.5) - (0.02 if role == "held_out" else 0) + multi[s])
        # Tuning metrics: the last line of each run counts (val_loss 0.99, 0.98, 0.97 for single).
        for seed, val in zip(single, (0.99, 0.98, 0.97)):
            with open(os.path.join(out, f"tuning-single-4-seed{seed}.jsonl"), "w") as f:
                f.write('{"step": 10, "loss": 1.5, "val_loss": 1.2}\n')
                f.write(f'{{"step": 20, "loss": 1.0, "val_loss": {val}, "val_spatial_r": 0.1}}\n')
        result = subprocess.run([sys.executable, REPORT, out], capture_output=True, text=True)
        check(result.returncode == 0, f"report ran: {result.stderr}")
        text = open(os.path.join(out, "results.md")).read()
        cells = row(text, "| single-4 | 3 | 20 | ")
        check(cells[3] == "1.0000 ± 0.0000" and cells[4] == f"{0.98:.4f} ± {T975_2 * 0.01 / math.sqrt(3):.4f}" and cells[5] == "0.1000 ± 0.0000",
              f"tuning fit of single-4 from each run's last line: {cells}")

        # Probes: the untuned backbone once, the random initialisation with seeds 1-3.
        def write_probe(name, accuracies):
            probes = [{"features": f, "test_accuracy": a} for f, a in accuracies.items()]
            with open(os.path.join(out, f"probe-{name}.json"), "w") as f:
                json.dump({"train_utterances": 30, "test_utterances": 12, "phonemes": 71,
                           "majority_accuracy": 0.07, "probes": probes}, f)
        write_probe("untuned", {"layer0": 0.50, "layer1": 0.55, "mfcc": 0.60})
        for seed, a in zip((1, 2, 3), (0.20, 0.22, 0.24)):
            write_probe(f"random-seed{seed}", {"layer0": a, "layer1": a + 0.01})
        result = subprocess.run([sys.executable, REPORT, out], capture_output=True, text=True)
        check(result.returncode == 0, f"report ran with probes: {result.stderr}")
        text = open(os.path.join(out, "results.md")).read()
        check(row(text, "| untuned | 0.500 |") == ["untuned", "0.500", "0.550", "0.600"], "untuned probe row")
        probe_half = T975_2 * 0.02 / math.sqrt(3)  # standard deviation of (0.20, 0.22, 0.24)
        check(row(text, "| random | 0.220") == ["random", f"0.220 ± {probe_half:.3f}", f"0.230 ± {probe_half:.3f}", "-"],
              f"random probe: mean ± interval over 3 initialisation seeds in\n{text}")

        # Alignment table: single-4 at layer 1, train 8/8 = 0.20 + mean(0.01, 0.02, 0.03).
        cells = row(text, "| single-4 | 1 | ")
        check(cells[1] == "1" and cells[2] == "3", f"single-4 read at layer 1 over 3 seeds: {cells}")
        half = T975_2 * 0.01 / math.sqrt(3)  # standard deviation of (0.01, 0.02, 0.03) is 0.01
        check(cells[5] == f"{0.22:.3f} ± {half:.3f}", f"single-4 train 8/8: {cells[5]}")
        check(row(text, "| untuned | 1 | ")[5] == "0.200", "untuned train 8/8")

        # Differences: tuned minus untuned, multi minus single paired by seed (0.02, 0.03, 0.01).
        cells = row(text, "| single-4 − untuned | ")
        check(cells[2] == f"{0.02:.4f} ± {half:.4f}" and cells[3] == cells[2], f"single minus untuned: {cells}")
        # Per layer: layer 0 is half the untuned curve, and the offsets are added at every layer.
        cells = row(text, "| single-4, layer 0 | ")
        check(len(cells) == 7 and all(c == f"{0.02:.4f} ± {half:.4f}" for c in cells[1:]), f"single minus untuned, layer 0: {cells}")
        cells = row(text, "| multi-4 − single-4 (paired by seed) | ")
        check(cells[1] == "3" and cells[2] == f"{0.02:.4f} ± {half:.4f}", f"multi minus single: {cells}")

        # Efficiency: single seed 1 (+0.01) reaches 0.20 between 4/8 (0.16) and 8/8 (0.21):
        # 0.5 + (0.20 - 0.16) / (0.21 - 0.16) * 0.5 = 0.9; seed 2 (+0.02): 0.5 + 0.03 / 0.05 *
        # 0.5 = 0.8; seed 3 (+0.03): 0.5 + 0.02 / 0.05 * 0.5 = 0.7. Mean 0.8, deviation 0.1.
        cells = row(text, "| single-4 | train | ")
        check(cells[3] == "3 of 3" and cells[4] == f"{0.80:.2f} ± {half * 10:.2f}", f"single efficiency: {cells}")
        check(os.path.exists(os.path.join(out, "efficiency.png")) and os.path.exists(os.path.join(out, "tuning.png")),
              "plots written")

        # Content hash: attributes do not count, values and shapes do.
        def write_h5(path, values, attribute):
            with h5py.File(path, "w") as f:
                f.attrs["provenance"] = attribute
                f.create_dataset("story/audio", data=np.asarray(values, dtype=np.float32))
                f.create_dataset("names", data=[b"a", b"bc"])

        def digest(path):
            result = subprocess.run([sys.executable, HASH, path], capture_output=True, text=True)
            check(result.returncode == 0 and len(result.stdout.strip()) == 64, f"hash of {path}: {result.stderr}")
            return result.stdout.strip()

        paths = [os.path.join(out, f"{i}.h5") for i in range(4)]
        write_h5(paths[0], [1, 2, 3], "written at 10:00")
        write_h5(paths[1], [1, 2, 3], "written at 11:00 on another host")
        write_h5(paths[2], [1, 2, 4], "written at 10:00")
        write_h5(paths[3], [[1, 2, 3]], "written at 10:00")
        check(digest(paths[0]) == digest(paths[1]), "attributes do not change the content hash")
        check(digest(paths[0]) != digest(paths[2]), "a changed value changes the content hash")
        check(digest(paths[0]) != digest(paths[3]), "a changed shape changes the content hash")
        result = subprocess.run([sys.executable, HASH, os.path.join(out, "missing.h5")], capture_output=True, text=True)
        check(result.returncode != 0 and "missing.h5" in result.stderr, f"a missing file is named: {result.stderr!r}")
        with open(os.path.join(out, "tuning-multi-4-seed1.jsonl"), "w") as f:
            f.write("not json\n")
        result = subprocess.run([sys.executable, REPORT, out], capture_output=True, text=True)
        check(result.returncode != 0 and "tuning-multi-4-seed1.jsonl" in result.stderr,
              f"a broken metrics file is named: {result.stderr!r}")
    print("braintune_efficiency_report_test: passed")


if __name__ == "__main__":
    main()
