"""Reads RUN_DIR/tensorboard with TensorBoard's own EventAccumulator and compares every
scalar with RUN_DIR/metrics.jsonl (after a resume: two events files, one series).

usage: tensorboard_check.py RUN_DIR FIRST_LAUNCH_METRICS_JSONL
"""
import glob
import json
import math
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def tag(metric):  # io/run/tensorboard_writer.h, docs/run-directory.md
    if metric.startswith("val_"):
        return "val/" + metric[4:]
    if metric in ("lr", "grad_norm", "skipped_steps"):
        return "optim/" + metric
    if metric.endswith("_per_s"):
        return "throughput/" + metric
    if metric in ("data_wait_s", "comm_exposed_s", "checkpoint_s", "step_s"):
        return "time/" + metric
    return "train/" + metric


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


run_dir, first_path = sys.argv[1], sys.argv[2]
files = sorted(glob.glob(os.path.join(run_dir, "tensorboard", "events.out.tfevents.*")))
if len(files) != 2:
    fail(f"expected 2 events files (first launch, resume), found {files}")

# The first file alone: the first launch's steps 5..30.
first = EventAccumulator(files[0]).Reload()
first_steps = [e.step for e in first.Scalars("train/loss")]
expected_first = [r["step"] for r in read_jsonl(first_path)]
if first_steps != expected_first:
    fail(f"first events file has steps {first_steps}, its metrics.jsonl {expected_first}")

# The directory: one series, equal to the rewound-and-continued metrics.jsonl.
records = read_jsonl(os.path.join(run_dir, "metrics.jsonl"))
accumulator = EventAccumulator(os.path.join(run_dir, "tensorboard")).Reload()
tags = set(accumulator.Tags()["scalars"])
keys = sorted({k for r in records for k in r if k != "step"})
for key in keys:
    if tag(key) not in tags:
        fail(f"metric {key} has no tag {tag(key)} (tags: {sorted(tags)})")
    events = accumulator.Scalars(tag(key))
    want = [(r["step"], r[key]) for r in records if key in r]
    got = [(e.step, e.value) for e in events]
    if [s for s, _ in got] != [s for s, _ in want]:
        fail(f"{tag(key)}: steps {[s for s, _ in got]}, metrics.jsonl has {[s for s, _ in want]}")
    for (step, value), (_, expected) in zip(got, want):
        if expected is None:
            if not math.isnan(value):
                fail(f"{tag(key)} step {step}: {value}, metrics.jsonl has null")
        elif not math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-30):
            fail(f"{tag(key)} step {step}: {value}, metrics.jsonl has {expected}")
if len(tags) != len(keys):
    fail(f"tags {sorted(tags)} are not exactly the metrics {keys}")

# Steps 25 and 30 come from the resumed launch (the second file's wall times).
second_start = EventAccumulator(files[1]).Reload().Scalars("train/loss")[0].wall_time
late = [e for e in accumulator.Scalars("train/loss") if e.step > 20]
if [e.step for e in late] != [25, 30] or any(e.wall_time < second_start for e in late):
    fail("steps after the resume point do not come from the resumed launch's file")
steps = [e.step for e in accumulator.Scalars("train/loss")]
print(f"PASS: {len(keys)} metrics, steps {steps}, read by TensorBoard from {len(files)} events files "
      f"equal metrics.jsonl (the first launch's steps 25 and 30 superseded by the resume)")
