#!/bin/bash
# A sweep on a real Slurm: a 3-element spec (3 seeds) becomes one job array, every element
# finishes in its own run directory, and `neuroscale report` lists all three with their
# seeds. A spec whose element has an unknown config key is refused before anything is queued.
# usage: sweep_report.sh NEUROSCALE REPO SYNTH_CONFIG PRETRAIN_CONFIG   (env NEUROSCALE_SLURM_STATE)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cat > seeds.yaml <<SPEC
name: seeds
command: pretrain
config: $pretrain_config
set:
  data.corpus: $work/corpus.h5
  train.max_steps: 20
grid:
  seed: [1, 2, 3]
tasks_per_node: 1
cpus_per_task: 1
time: "00:10:00"
SPEC
job=$(NEUROSCALE=$bin "$repo/slurm/sweep" seeds.yaml --dir "$work/sweep")
echo "array job $job"
for index in 0 1 2; do
  wait_for "${job}_$index" 300 COMPLETED FAILED CANCELLED
  [ "$(job_state "${job}_$index")" = COMPLETED ] || { echo "FAIL: element $index ended $(job_state "${job}_$index")"; cat "$work"/sweep/logs/*; exit 1; }
done
"$bin" report "$work/sweep" --output "$work/report.csv"
cat "$work/report.csv" | cut -d, -f1-8
[ "$(wc -l < "$work/report.csv")" = 4 ] || { echo "FAIL: the report does not have 3 runs"; exit 1; }
column() { awk -F, -v name="$1" 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == name) c = i; next } { print $c }' "$work/report.csv" | paste -sd' '; }
[ "$(column status)" = "finished finished finished" ] || { echo "FAIL: status $(column status)"; exit 1; }
[ "$(column config.seed)" = "1 2 3" ] || { echo "FAIL: seeds $(column config.seed)"; exit 1; }
[ "$(column job_id)" = "${job}_0 ${job}_1 ${job}_2" ] || { echo "FAIL: job ids $(column job_id)"; exit 1; }
[ "$(column final_loss | tr ' ' '\n' | sort -u | wc -l)" = 3 ] || { echo "FAIL: seeds gave equal losses"; exit 1; }
for index in 0 1 2; do  # each element's resolved config holds its own seed
  grep -qx "seed: $((index + 1))" "$work/sweep/00${index}_seed-$((index + 1))/config.yaml" ||
    { echo "FAIL: element $index does not run seed $((index + 1))"; exit 1; }
done

# A typo in a grid key fails at submission, naming the element, and queues nothing.
sed 's/  seed: \[1, 2, 3\]/  train.max_stepz: [5]/; s/name: seeds/name: typo/' seeds.yaml > typo.yaml
if out=$(NEUROSCALE=$bin "$repo/slurm/sweep" typo.yaml --dir "$work/typo" 2>&1); then
  echo "FAIL: a spec with an unknown key was submitted"; exit 1
fi
echo "$out" | grep -q "element 0 (000_max_stepz-5).*max_stepz" || { echo "FAIL: unclear error: $out"; exit 1; }
[ -z "$(squeue -h -n ns-sweep-typo)" ] && [ ! -f "$work/typo/jobs.tsv" ] || { echo "FAIL: the typo sweep was queued"; exit 1; }
echo "PASS: sweep array $job ran 3 elements; the report lists them; a bad spec is refused"
