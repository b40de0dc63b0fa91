#!/usr/bin/env bash
# What `--trace` costs a training step: the tiny pretraining job (steps of a few
# milliseconds, so the per-span cost is as visible as it gets) on RANKS ranks with and
# without the timeline trace, alternating for ROUNDS rounds. Compares `neuroscale report`'s
# mean step time (after the first logging interval) of the best round of each, and gives
# the size of the traces written.
# usage: bench/trace_overhead.sh [BUILD_DIR] [RANKS] [ROUNDS] [STEPS]   (defaults: build 2 3 400)
set -euo pipefail
build=${1:-build}
ranks=${2:-2}
rounds=${3:-3}
steps=${4:-400}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=$build/bin/neuroscale
[ -x "$bin" ] || { echo "bench/trace_overhead.sh: build first ($bin missing)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --config "$root/configs/synth/tiny.yaml" --output "$work/corpus.h5" >/dev/null 2>&1
column() {  # column NAME RUN_DIR: one value of the report line
  "$bin" report "$2" | awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == name) c = i } NR == 2 { print $c }'
}
plain=() traced=()
for ((r = 0; r < rounds; r++)); do
  for mode in plain traced; do
    flags=()
    [ "$mode" = traced ] && flags=(--trace)
    mpirun --oversubscribe --bind-to none -np "$ranks" "$bin" pretrain --config "$root/configs/pretrain/tiny.yaml" \
      data.corpus="$work/corpus.h5" train.max_steps="$steps" train.log_every=50 checkpoint.every_steps=0 \
      --run-dir "$work/$mode-$r" "${flags[@]}" >"$work/$mode-$r.log" 2>&1 ||
      { cat "$work/$mode-$r.log" >&2; exit 1; }
    step_s=$(column mean_step_s "$work/$mode-$r")
    echo "round $r $mode: mean step $(awk -v s="$step_s" 'BEGIN { printf "%.3f", s * 1e3 }') ms"
    if [ "$mode" = plain ]; then plain+=("$step_s"); else traced+=("$step_s"); fi
  done
done
spans=$(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["traceEvents"]))' \
        "$work/traced-0/traces/rank-00000.json")
bytes=$(du -cb "$work"/traced-0/traces/*.json | tail -1 | cut -f1)
a=$(printf '%s\n' "${plain[@]}" | sort -g | head -1)
b=$(printf '%s\n' "${traced[@]}" | sort -g | head -1)
awk -v a="$a" -v b="$b" -v n="$spans" -v steps="$steps" -v bytes="$bytes" -v r="$rounds" -v ranks="$ranks" \
  'BEGIN { printf "trace overhead (best of %d rounds, %d ranks): step %.3f ms plain, %.3f ms traced (%+.1f%%); %d events on rank 0 (%.1f per step), %.1f MB of traces for %d steps\n",
           r, ranks, a * 1e3, b * 1e3, 100 * (b / a - 1), n, n / steps, bytes / 1e6, steps }'
