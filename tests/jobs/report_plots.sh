#!/bin/bash
# `neuroscale report` over small real runs: pretraining on 1 and 2 ranks (a scaling sweep),
# fine-tuning at two label fractions, an evaluation of one of them, and a brain-tuning run.
# The CSV, the summary table and the four PNG plots are produced (PNG signature, a
# non-trivial size); a plot without data is skipped with a message; bad --plots paths and a
# Python without matplotlib are clear errors. Exit 77 (skipped, reason printed) when
# Debian's python3 has no matplotlib.
# usage: report_plots.sh NEUROSCALE MPIRUN PYTHON CONFIGS_DIR
set -euo pipefail
bin=$1 mpirun=$2 python=$3 configs=$4
if ! "$python" -c "import matplotlib" 2>/dev/null; then
  echo "SKIPPED: $python cannot import matplotlib (Debian: apt-get install python3-matplotlib; scripts/setup does)"
  exit 77
fi
export NEUROSCALE_PYTHON=$python  # the interpreter `report --plots` runs (its default: /usr/bin/python3)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
run() { "$@" 2>"$work/last.err" >/dev/null || { cat "$work/last.err"; fail "$*"; }; }
run "$bin" synth --config "$configs/synth/tiny.yaml" --output "$work/corpus.h5" --lexicon "$work/lexicon.dict"
run "$bin" synth --kind fmri --config "$configs/synth/fmri-tiny.yaml" --output "$work/fmri.h5"
runs=$work/runs
pre=(pretrain --config "$configs/pretrain/tiny.yaml" data.corpus="$work/corpus.h5" model.patch_size=2
     train.max_steps=20 train.eval_every=10)
run "$bin" "${pre[@]}" --run-dir "$runs/pretrain-np1"
run $mpirun -np 2 "$bin" "${pre[@]}" --run-dir "$runs/pretrain-np2"
for fraction in 0.5 1.0; do
  run "$bin" finetune --config "$configs/finetune/tiny.yaml" data.corpus="$work/corpus.h5" \
    init.checkpoint="$runs/pretrain-np1" data.label_fraction=$fraction train.max_steps=20 train.eval_every=10 \
    --run-dir "$runs/finetune-$fraction"
done
run "$bin" evaluate --config "$configs/evaluate/tiny.yaml" checkpoint="$runs/finetune-0.5" \
  data.corpus="$work/corpus.h5" decode.lexicon="$work/lexicon.dict" --run-dir "$runs/evaluate-0.5"
run "$bin" braintune --config "$configs/braintune/tiny.yaml" data.corpus="$work/fmri.h5" train.max_steps=12 \
  train.batch_rows=8 train.log_every=2 --run-dir "$runs/braintune"

"$bin" report "$runs" --output "$work/report.csv" --table "$work/table.md" --plots "$work/plots" \
  >"$work/report.out" 2>"$work/report.err" || { cat "$work/report.err"; fail "report"; }
cat "$work/report.out"
[ "$(wc -l < "$work/report.csv")" = 7 ] || fail "the CSV does not have 6 runs: $(cat "$work/report.csv")"
cat "$work/table.md"
[ "$(wc -l < "$work/table.md")" = 8 ] || fail "the table does not have a header, a rule and 6 rows"
for name in pretrain-np1 pretrain-np2 finetune-0.5 finetune-1.0 evaluate-0.5 braintune; do
  grep -q "^| $name " "$work/table.md" || fail "the table has no row for $name"
done
grep -q "best val_loss" "$work/table.md" && grep -q "eval per" "$work/table.md" || fail "table columns missing"
for plot in loss_curves scaling per_vs_label_fraction braintune_loss; do
  png="$work/plots/$plot.png"
  [ -f "$png" ] || fail "$plot.png was not drawn"
  [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$plot.png is not a PNG"
  size=$(stat -c %s "$png")
  [ "$size" -gt 20000 ] || fail "$plot.png has only $size bytes"
  echo "$plot.png: $size bytes"
done
[ -z "$(ls -A "$work/plots" | grep -v '\.png$')" ] || fail "temporary files left in the plots directory: $(ls -A "$work/plots")"

echo "== a plot without data is skipped with a message"
"$bin" report "$runs/pretrain-np1" --plots "$work/one" >/dev/null 2>"$work/one.err"
cat "$work/one.err"
grep -q "skipped scaling.png: " "$work/one.err" && [ ! -e "$work/one/scaling.png" ] && [ -f "$work/one/loss_curves.png" ] ||
  fail "a single run's report did not skip the scaling plot"

echo "== bad input"
if "$bin" report "$runs" --plots "$work/report.csv/plots" >/dev/null 2>"$work/bad.err"; then fail "--plots under a file ran"; fi
grep -q "$work/report.csv/plots" "$work/bad.err" || { cat "$work/bad.err"; fail "the error does not name the path"; }
mkdir -p "$work/empty/run" && : > "$work/empty/run/config.yaml"
if "$bin" report "$runs" --table "$work/plots" >/dev/null 2>"$work/dir.err"; then fail "--table onto a directory ran"; fi
grep -q "'$work/plots' exists and is not a regular file" "$work/dir.err" || { cat "$work/dir.err"; fail "--table onto a directory"; }
if "$bin" report "$work/empty" --plots "$work/p" >/dev/null 2>"$work/empty.err"; then fail "plots of runs without metrics"; fi
grep -q "nothing to plot" "$work/empty.err" || { cat "$work/empty.err"; fail "no clear error without metrics"; }
printf '#!/bin/sh\nexec %s -S "$@"\n' "$python" > "$work/python-without-site" && chmod +x "$work/python-without-site"
if NEUROSCALE_PYTHON="$work/python-without-site" "$bin" report "$runs" --plots "$work/p2" >/dev/null 2>"$work/nompl.err"; then
  fail "plots without matplotlib"
fi
grep -q "needs matplotlib" "$work/nompl.err" || { cat "$work/nompl.err"; fail "no clear error without matplotlib"; }
cp -r "$work/plots" "${NEUROSCALE_KEEP_PLOTS:-$work/kept}" 2>/dev/null || true
echo "PASS: CSV, table and 4 plots of 6 runs; empty plots skipped; bad input refused with the path"
