"""Checks the Chrome traces of a run (RUN_DIR/traces/rank-NNNNN.json): valid trace-event
JSON, named process and threads, every span kind of a training step, sane nesting and order
(data wait, then forward before backward for each micro-batch, then the exposed allreduce
wait and the optimizer, all inside their step), and each gradient bucket's allreduce on the
communication thread once per step, launched during backward and finished before the
step's allreduce wait ends.

usage: trace_check.py RUN_DIR WORLD_SIZE STEPS ACCUMULATE
"""
import json
import os
import sys

run_dir, world, steps, accumulate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
EPS = 1.0  # us: ts and dur are printed to the nanosecond; allow rounding


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def inside(inner, outer):
    return inner["ts"] >= outer["ts"] - EPS and end(inner) <= end(outer) + EPS


def end(event):
    return event["ts"] + event["dur"]


first_steps = []
for rank in range(world):
    path = os.path.join(run_dir, "traces", f"rank-{rank:05d}.json")
    with open(path) as f:
        trace = json.load(f)
    events = trace["traceEvents"]
    meta = [e for e in events if e["ph"] == "M"]
    spans = [e for e in events if e["ph"] == "X"]
    names = {e["args"]["name"]: e["tid"] for e in meta if e["name"] == "thread_name"}
    if {e["args"]["name"] for e in meta if e["name"] == "process_name"} != {f"rank {rank}"}:
        fail(f"{path}: process not named 'rank {rank}'")
    if "training" not in names or "communication" not in names:
        fail(f"{path}: threads {names}, want training and communication")
    for e in spans:
        for field in ("name", "cat", "ts", "dur", "pid", "tid", "args"):
            if field not in e:
                fail(f"{path}: event without {field}: {e}")
        if e["pid"] != rank or e["dur"] < 0:
            fail(f"{path}: bad pid or duration: {e}")
    training = sorted((e for e in spans if e["tid"] == names["training"]), key=lambda e: e["ts"])
    comm = sorted((e for e in spans if e["tid"] == names["communication"]), key=lambda e: e["ts"])
    kinds = {e["name"] for e in training}
    for kind in ("step", "data_wait", "forward", "backward", "allreduce_wait", "optimizer", "checkpoint",
                 "validation", "sync_count", "sync_stop"):
        if kind not in kinds:
            fail(f"{path}: no '{kind}' span on the training thread (has {sorted(kinds)})")
    step_spans = [e for e in training if e["name"] == "step"]
    if [e["args"]["step"] for e in step_spans] != list(range(1, steps + 1)):
        fail(f"{path}: step spans {[e['args'].get('step') for e in step_spans]}")
    buckets = sorted({e["args"]["bucket"] for e in comm if e["name"].startswith("allreduce bucket ")})
    if not buckets or buckets != list(range(len(buckets))):
        fail(f"{path}: bucket allreduces {buckets} on the communication thread")
    overlapped = micro_batches = 0
    for step in step_spans:
        phases = [e for e in training if e is not step and inside(e, step)]
        by_name = {}
        for e in phases:
            by_name.setdefault(e["name"], []).append(e)
        for kind in ("data_wait", "allreduce_wait", "optimizer"):
            if len(by_name.get(kind, [])) != 1:
                fail(f"{path} step {step['args']['step']}: {len(by_name.get(kind, []))} '{kind}' spans, want 1")
        # A micro-batch per slot; a rank may have none for a slot at the end of an epoch.
        forwards, backwards = by_name.get("forward", []), by_name.get("backward", [])
        if len(forwards) != len(backwards) or len(forwards) > accumulate:
            fail(f"{path} step {step['args']['step']}: {len(forwards)} forward and {len(backwards)} backward "
                 f"spans for {accumulate} micro-batches")
        micro_batches += len(forwards)
        order = [by_name["data_wait"][0]]
        for forward, backward in zip(forwards, backwards):
            order += [forward, backward]
        order += [by_name["allreduce_wait"][0], by_name["optimizer"][0]]
        for a, b in zip(order, order[1:]):
            if end(a) > b["ts"] + EPS:
                fail(f"{path} step {step['args']['step']}: {a['name']} ends after {b['name']} starts")
        # Launched by the last backward's hooks (or, without a micro-batch, by the wait itself).
        wait = by_name["allreduce_wait"][0]
        launch = backwards[-1] if backwards else wait
        reduces = [e for e in comm if e["name"].startswith("allreduce bucket ")
                   and e["ts"] >= launch["ts"] - EPS and end(e) <= end(wait) + EPS]
        if sorted(e["args"]["bucket"] for e in reduces) != buckets:
            fail(f"{path} step {step['args']['step']}: bucket allreduces {[e['name'] for e in reduces]} are not "
                 f"each once between the last backward's start and the allreduce wait's end")
        if backwards:
            overlapped += sum(1 for e in reduces if e["ts"] < end(launch))
    if micro_batches < steps:
        fail(f"{path}: only {micro_batches} micro-batches traced in {steps} steps")
    for kind in ("checkpoint", "validation"):
        for e in (e for e in training if e["name"] == kind):
            if not any(inside(e, s) for s in step_spans):
                fail(f"{path}: a '{kind}' span lies outside every step")
    first_steps.append(step_spans[0]["ts"])
    print(f"rank {rank}: {len(spans)} spans, {len(step_spans)} steps, {micro_batches} micro-batches, "
          f"{len(buckets)} buckets; "
          f"{overlapped} bucket allreduce(s) started while backward ran")
if max(first_steps) - min(first_steps) > 10e6:
    fail(f"the ranks' first steps are {max(first_steps) - min(first_steps)} us apart: not one time axis")
print("PASS: traces of every rank hold every span kind, nested and ordered")
