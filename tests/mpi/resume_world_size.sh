#!/bin/bash
# Resuming on a different world size: a checkpoint written by 2 ranks is resumed on 1 rank
# (and one written by 1 rank on 2), with the same global batch (2 ranks x 1 micro-batch =
# 1 rank x 2 accumulated). The optimiser partitions are resharded and the global data order
# continues, so the losses of the resumed steps match the uninterrupted run's (dropout off:
# generator streams cannot carry over between rank layouts; the sums differ only in order).
# usage: resume_world_size.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG PYTHON
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4 python=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null
args=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=24 train.log_every=1
      model.dropout=0 model.embedding_dropout=0 checkpoint.every_steps=12)

# compare RUN_A RUN_B: losses of steps 13..24 agree within 1e-4 relative.
compare() {
  "$python" - "$1/metrics.jsonl" "$2/metrics.jsonl" <<'PY'
import json, sys
def losses(path):
    return {r["step"]: r["loss"] for r in map(json.loads, open(path))}
a, b = losses(sys.argv[1]), losses(sys.argv[2])
steps = range(13, 25)
missing = [s for s in steps if s not in a or s not in b]
if missing:
    sys.exit(f"FAIL: steps {missing} missing from a metrics file")
worst = max(abs(a[s] - b[s]) / abs(a[s]) for s in steps)
print(f"steps 13-24: largest relative loss difference {worst:.2e}")
if worst > 1e-4:
    for s in steps: print(s, a[s], b[s])
    sys.exit("FAIL: the resumed run does not continue the same training")
PY
}

# run LOG COMMAND...: runs it, and on failure shows its log.
run() {
  local log=$1
  shift
  "$@" 2>"$log" || { local status=$?; grep -v " INFO " "$log" | tail -20; echo "FAIL: exit $status: $*"; exit 1; }
}

echo "== 2 ranks -> 1 rank"
run "$work/err" $mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/two"
run "$work/err" $mpirun -np 1 "$bin" "${args[@]}" train.accumulate=2 --run-dir "$work/one_resumed" \
  --resume "$work/two/checkpoints/step-00000012"
grep -q "resuming a 2-rank checkpoint on 1 ranks" "$work/err" || { cat "$work/err"; echo "FAIL: no resharding"; exit 1; }
compare "$work/two" "$work/one_resumed"

echo "== 1 rank -> 2 ranks"
run "$work/err" $mpirun -np 1 "$bin" "${args[@]}" train.accumulate=2 --run-dir "$work/one"
run "$work/err" $mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/two_resumed" \
  --resume "$work/one/checkpoints/step-00000012"
grep -q "resuming a 1-rank checkpoint on 2 ranks" "$work/err" || { cat "$work/err"; echo "FAIL: no resharding"; exit 1; }
compare "$work/one" "$work/two_resumed"

echo "== the comparison sees the data order: the same resume over differently ordered batches differs"
run "$work/err" $mpirun -np 1 "$bin" "${args[@]}" train.accumulate=2 data.bucket_batches=1 \
  --run-dir "$work/other_order" --resume "$work/two/checkpoints/step-00000012"
if compare "$work/two" "$work/other_order" >/dev/null 2>&1; then
  echo "FAIL: the comparison cannot tell runs apart"; exit 1
fi
echo "PASS"
