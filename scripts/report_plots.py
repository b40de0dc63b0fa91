#!/usr/bin/env python3
"""Draws the PNG plots of `neuroscale report --plots DIR` with matplotlib.

usage: report_plots.py DATA_JSON DIR

DATA_JSON is what `neuroscale report` writes for it (io/run/plot_data.h): per run its name,
command, world size, mean samples/s, label fraction, evaluation PER and metrics.jsonl
records. Plots, each skipped with a message when no run has its data:
  loss_curves.png            train loss (solid) and val loss (dashed) against step, a line
                             per run, a panel per command (pretrain, finetune)
  scaling.png                samples/s and scaling efficiency against ranks, for runs of one
                             command on two or more world sizes; efficiency =
                             samples/s(N) / (N/N0 x samples/s(N0)), N0 = 1 when a 1-rank
                             run is there, else the smallest N
  per_vs_label_fraction.png  PER against data.label_fraction: fine-tuning runs' final val_per,
                             and evaluate runs' PER (evaluation.json)
  braintune_loss.png         brain-tuning runs: train loss, loss_<participant>, val loss
Files are written to a temporary name and renamed; what was written or skipped is said on
stderr (stdout may carry the report's CSV). Exit 3: matplotlib is missing.
"""
import json
import math
import os
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter
except ImportError as error:
    print(f"report_plots.py: matplotlib is not available to {sys.executable} ({error}); "
          "Debian: apt-get install python3-matplotlib", file=sys.stderr)
    sys.exit(3)

TRAINING = ("pretrain", "finetune")


def series(run, key):
    """(steps, values) of `key` over the run's records that have it."""
    points = [(r["step"], r[key]) for r in run["records"] if key in r]
    return [p[0] for p in points], [p[1] for p in points]


def log_scale_if_wide(axis, values, which="y", ratio=20.0):
    positive = [v for v in values if v > 0]
    if positive and len(positive) == len(values) and max(positive) / min(positive) > ratio:
        (axis.set_yscale if which == "y" else axis.set_xscale)("log")


def save(figure, directory, name):
    path = os.path.join(directory, name)
    temporary = os.path.join(directory, f".{name}.tmp.{os.getpid()}")
    try:
        figure.savefig(temporary, format="png", dpi=110, bbox_inches="tight")
        os.replace(temporary, path)
    finally:
        plt.close(figure)
        if os.path.exists(temporary):
            os.unlink(temporary)
    print(f"report_plots.py: wrote {path}", file=sys.stderr)


def skip(name, why):
    print(f"report_plots.py: skipped {name}: {why}", file=sys.stderr)


def colors(n):
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return [cycle[i % len(cycle)] for i in range(n)]


def loss_curves(runs, directory):
    name = "loss_curves.png"
    groups = {}
    for run in runs:
        if run["command"] != "braintune" and series(run, "loss")[0]:
            groups.setdefault(run["command"] or "training", []).append(run)
    if not groups:
        return skip(name, "no run logged a loss (pretrain or finetune metrics.jsonl)")
    figure, axes = plt.subplots(1, len(groups), figsize=(6.5 * len(groups), 4.5), squeeze=False)
    for axis, (command, members) in zip(axes[0], sorted(groups.items())):
        values = []
        for run, color in zip(members, colors(len(members))):
            steps, loss = series(run, "loss")
            axis.plot(steps, loss, color=color, marker=".", markersize=5, label=f"{run['name']} train")
            values += loss
            steps, val = series(run, "val_loss")
            if steps:
                axis.plot(steps, val, color=color, linestyle="--", marker="o", markersize=4,
                          label=f"{run['name']} val")
                values += val
        log_scale_if_wide(axis, values)
        axis.set_title(f"{command}: loss")
        axis.set_xlabel("step")
        axis.set_ylabel("loss" + (" (log scale)" if axis.get_yscale() == "log" else ""))
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    save(figure, directory, name)


def scaling(runs, directory):
    name = "scaling.png"
    groups = {}
    for run in runs:
        if run["command"] in TRAINING and run["samples_per_s"] and run["world_size"] > 0:
            groups.setdefault(run["command"], {}).setdefault(run["world_size"], []).append(run["samples_per_s"])
    groups = {c: sizes for c, sizes in groups.items() if len(sizes) >= 2}
    if not groups:
        return skip(name, "no command has runs on two or more world sizes with throughput")
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    all_sizes, all_efficiencies = set(), []
    for (command, sizes), color in zip(sorted(groups.items()), colors(len(groups))):
        ranks = sorted(sizes)
        mean = [sum(sizes[n]) / len(sizes[n]) for n in ranks]
        base_n = 1 if 1 in sizes else ranks[0]
        base = mean[ranks.index(base_n)]
        all_sizes.update(ranks)
        for n in ranks:  # every run, then the mean per world size
            axes[0].scatter([n] * len(sizes[n]), sizes[n], color=color, s=16, alpha=0.6)
        axes[0].plot(ranks, mean, color=color, marker="o", label=f"{command} (mean per world size)")
        axes[0].plot(ranks, [base * n / base_n for n in ranks], color=color, linestyle=":",
                     label=f"{command} ideal (linear from {base_n} rank{'s' if base_n > 1 else ''})")
        efficiency = [100.0 * m / (base * n / base_n) for m, n in zip(mean, ranks)]
        all_efficiencies += efficiency
        axes[1].plot(ranks, efficiency, color=color, marker="o", label=f"{command} (vs {base_n} rank{'s' if base_n > 1 else ''})")
        for n, e in zip(ranks, efficiency):
            axes[1].annotate(f"{e:.0f}%", (n, e), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ticks = sorted(all_sizes)
    for axis in axes:
        if ticks[-1] / ticks[0] >= 4:
            axis.set_xscale("log", base=2)
        axis.set_xticks(ticks)
        axis.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axis.minorticks_off()
        axis.set_xlabel("ranks (world size)")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    axes[0].set_title("throughput")
    axes[0].set_ylabel("samples/s (mean after the first log interval)")
    axes[1].axhline(100.0, color="gray", linewidth=0.8)
    axes[1].set_ylim(0, max(110.0, max(all_efficiencies) + 10))
    axes[1].set_title("scaling efficiency")
    axes[1].set_ylabel("efficiency (%)")
    save(figure, directory, name)


def per_vs_label_fraction(runs, directory):
    name = "per_vs_label_fraction.png"
    sources = {"fine-tuning val_per (last logged)": [], "evaluate PER (evaluation.json)": []}
    for run in runs:
        fraction = run["label_fraction"]
        if fraction is None:
            continue
        if run["eval_per"] is not None:
            sources["evaluate PER (evaluation.json)"].append((fraction, run["eval_per"]))
        elif series(run, "val_per")[0]:
            sources["fine-tuning val_per (last logged)"].append((fraction, series(run, "val_per")[1][-1]))
    sources = {k: v for k, v in sources.items() if v}
    if not sources:
        return skip(name, "no run has data.label_fraction with a val_per or an evaluation.json PER")
    figure, axis = plt.subplots(figsize=(6.5, 4.5))
    fractions = []
    for (label, points), color in zip(sources.items(), colors(len(sources))):
        by_fraction = {}
        for f, p in points:
            by_fraction.setdefault(f, []).append(100.0 * p)
        xs = sorted(by_fraction)
        fractions += xs
        axis.scatter([f for f, _ in points], [100.0 * p for _, p in points], color=color, s=20, alpha=0.6)
        axis.plot(xs, [sum(by_fraction[f]) / len(by_fraction[f]) for f in xs], color=color, marker="o",
                  label=f"{label}, mean of {len(points)} run{'s' if len(points) > 1 else ''}")
    if max(fractions) / min(fractions) > 5:
        axis.set_xscale("log")
    axis.set_xticks(sorted(set(fractions)))
    axis.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:g}%"))
    axis.minorticks_off()
    axis.set_xlabel("labelled trials used (data.label_fraction)")
    axis.set_ylabel("phoneme error rate (%)")
    axis.set_title("PER against label fraction")
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=8)
    save(figure, directory, name)


def braintune_loss(runs, directory):
    name = "braintune_loss.png"
    members = [r for r in runs if r["command"] == "braintune" and series(r, "loss")[0]]
    if not members:
        return skip(name, "no brain-tuning run logged a loss")
    columns = min(2, len(members))
    rows = math.ceil(len(members) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(6.5 * columns, 4.5 * rows), squeeze=False)
    for axis, run in zip(axes.flat, members):
        steps, loss = series(run, "loss")
        axis.plot(steps, loss, color="black", linewidth=2, marker=".", markersize=6, label="train loss (all participants)")
        participants = sorted({k for r in run["records"] for k in r if k.startswith("loss_")})
        for key, color in zip(participants, colors(len(participants))):
            # A participant is trained in some log intervals only: markers show lone points.
            axis.plot(*series(run, key), color=color, linewidth=1, marker="o", markersize=3, label=f"train {key[5:]}")
        steps, val = series(run, "val_loss")
        if steps:
            axis.plot(steps, val, color="black", linestyle="--", marker="o", markersize=4, label="val loss")
        axis.set_title(f"brain-tuning: {run['name']}")
        axis.set_xlabel("step")
        axis.set_ylabel("L2 loss")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    for axis in list(axes.flat)[len(members):]:
        axis.set_visible(False)
    save(figure, directory, name)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        runs = json.load(f)["runs"]
    directory = sys.argv[2]
    for plot in (loss_curves, scaling, per_vs_label_fraction, braintune_loss):
        plot(runs, directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
