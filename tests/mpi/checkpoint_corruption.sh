#!/bin/bash
# Damaged checkpoints are detected with a clear message and `--resume auto` falls back to the
# previous good one: a truncated shard, a flipped byte, a missing manifest, a missing shard,
# another model's manifest and a manifest edited by hand, each in the newest of two
# checkpoints of a 2-rank run.
# usage: checkpoint_corruption.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null 2>&1
args=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=10 checkpoint.every_steps=5)
$mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/base" 2>/dev/null
$mpirun -np 2 "$bin" "${args[@]}" model.hidden=32 --run-dir "$work/other" 2>/dev/null
[ -f "$work/base/checkpoints/step-00000005/manifest.yaml" ] && [ -f "$work/base/checkpoints/step-00000010/manifest.yaml" ] ||
  { echo "FAIL: the base run did not write step-5 and step-10"; exit 1; }

# check NAME EXPECTED_MESSAGE DAMAGE_COMMAND...: damage step-10 of a copy, then resume.
check() {
  local name=$1 expected=$2
  shift 2
  local run="$work/$name"
  cp -r "$work/base" "$run"
  local newest="$run/checkpoints/step-00000010"
  (cd "$newest" && "$@")
  local status=0
  $mpirun -np 2 "$bin" "${args[@]}" --run-dir "$run" 2>"$run.err" || status=$?
  [ "$status" -eq 0 ] || { cat "$run.err"; echo "FAIL ($name): the resumed run exited $status"; exit 1; }
  grep -q "skipping checkpoint: '$newest.*$expected" "$run.err" ||
    { cat "$run.err"; echo "FAIL ($name): no report naming '$expected'"; exit 1; }
  grep -q "resumed from $run/checkpoints/step-00000005 at step 5" "$run.err" ||
    { cat "$run.err"; echo "FAIL ($name): did not fall back to step-00000005"; exit 1; }
  echo "$name: $(grep -o "skipping checkpoint: .*" "$run.err" | head -1)"
}

check truncated_shard "shard-00001.safetensors: .* bytes, the manifest says .* (truncated or replaced)" \
  truncate -s -64 shard-00001.safetensors
check flipped_byte "shard-00000.safetensors: checksum" \
  bash -c 'printf "\x5a" | dd of=shard-00000.safetensors bs=1 seek=200 conv=notrunc 2>/dev/null'
check missing_manifest "manifest.yaml' is missing: the checkpoint was never committed" \
  rm manifest.yaml
check missing_shard "shard-00000.safetensors: missing" \
  rm shard-00000.safetensors
check other_model "fails verification: shard-0000[01].safetensors: " \
  cp "$work/other/checkpoints/step-00000010/manifest.yaml" manifest.yaml
check edited_manifest "manifest.yaml' is damaged or was edited: its text has checksum" \
  sed -i 's/^code_version: .*/code_version: edited by hand/' manifest.yaml

echo "== --resume naming a damaged checkpoint refuses it with the reason"
cp -r "$work/base" "$work/named"
rm "$work/named/checkpoints/step-00000010/shard-00001.safetensors"
status=0
$mpirun -np 2 "$bin" "${args[@]}" --run-dir "$work/named" --resume "$work/named/checkpoints/step-00000010" \
  2>"$work/named.err" || status=$?
[ "$status" -ne 0 ] && grep -q "shard-00001.safetensors: missing" "$work/named.err" ||
  { cat "$work/named.err"; echo "FAIL: a damaged --resume DIR was not refused with its reason"; exit 1; }
echo "PASS"
