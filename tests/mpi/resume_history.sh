#!/bin/bash
# Resume follows the run's own history (docs/checkpoints.md, "Resume and the run's history"):
#  - a rollback (--resume of an older checkpoint of the run) becomes the run's history at
#    once: the newer checkpoints are moved to checkpoints/off-chain/, and the next automatic
#    launch resumes the rolled-back one, ending byte-identical to the uninterrupted run;
#  - a relaunch with a changed model is refused, naming the keys that differ, and touches
#    nothing (config.yaml, checkpoints);
#  - a fresh start (--resume none) sets the old checkpoints aside, and retention counts only
#    the new run's, so a requeue resumes the new run instead of starting over.
# usage: resume_history.sh NEUROSCALE MPIRUN SYNTH_CONFIG PRETRAIN_CONFIG
set -euo pipefail
bin=$1 mpirun=$2 synth_config=$3 pretrain_config=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$bin" synth --config "$synth_config" --output "$work/corpus.h5" >/dev/null 2>&1
run=$work/run ckpts=$work/run/checkpoints
args=(pretrain --config "$pretrain_config" data.corpus="$work/corpus.h5" train.max_steps=20 checkpoint.every_steps=5
      checkpoint.keep=10 --run-dir "$run")
listing() { (cd "$ckpts" && ls -d step-* 2>/dev/null | tr '\n' ' '); }

echo "== a 20-step run: step-5 ... step-20"
$mpirun -np 2 "$bin" "${args[@]}" 2>/dev/null
[ "$(listing)" = "step-00000005 step-00000010 step-00000015 step-00000020 " ] || fail "checkpoints: $(listing)"

echo "== rollback to step-10 (a launch that ends before its next save)"
$mpirun -np 2 "$bin" "${args[@]}" train.max_steps=10 --resume "$ckpts/step-00000010" 2>"$work/rollback.err" ||
  { cat "$work/rollback.err"; fail "the rollback launch failed"; }
grep -q "moved 2 checkpoint(s) that are not on this run's history" "$work/rollback.err" ||
  { cat "$work/rollback.err"; fail "the abandoned checkpoints were not reported as moved"; }
[ "$(cat "$ckpts/latest")" = step-00000010 ] || fail "latest is $(cat "$ckpts/latest"), expected step-00000010"
[ -d "$ckpts/off-chain/step-00000020" ] && [ -d "$ckpts/off-chain/step-00000015" ] || fail "off-chain/ lacks 15 and 20"

echo "== the next automatic launch resumes step-10, not the abandoned step-20"
$mpirun -np 2 "$bin" "${args[@]}" 2>"$work/auto.err" || { cat "$work/auto.err"; fail "the automatic relaunch failed"; }
grep -q "resumed from $ckpts/step-00000010 at step 10" "$work/auto.err" ||
  { grep -E "resumed|skipping" "$work/auto.err"; fail "did not resume the rolled-back step-10"; }
"$bin" ckpt export "$ckpts/off-chain/step-00000020" --output "$work/first.safetensors" 2>/dev/null
"$bin" ckpt export "$ckpts/step-00000020" --output "$work/second.safetensors" 2>/dev/null
cmp -s "$work/first.safetensors" "$work/second.safetensors" || fail "the step-20 reached again differs from the first"
echo "rolled back and reached step 20 again, byte-identical"

echo "== a relaunch with a changed model is refused, naming the key, and changes nothing"
cp "$run/config.yaml" "$work/config.before"
before=$(listing)
status=0
$mpirun -np 2 "$bin" "${args[@]}" model.hidden=32 model.mlp=96 2>"$work/changed.err" || status=$?
[ "$status" -ne 0 ] || fail "a changed model was accepted"
grep -q "was saved by another model configuration (model.hidden: 64 -> 32; model.mlp: 128 -> 96; config hash " "$work/changed.err" ||
  { cat "$work/changed.err"; fail "the refusal does not name the differing keys"; }
grep -q -- "--resume none" "$work/changed.err" || fail "the refusal does not say how to start over"
cmp -s "$run/config.yaml" "$work/config.before" || fail "the refused launch rewrote config.yaml"
[ "$(listing)" = "$before" ] || fail "the refused launch changed the checkpoints: $(listing)"
grep "checkpoint error" "$work/changed.err" | head -1

echo "== a fresh start with the new model: old checkpoints set aside, retention counts only the new ones"
$mpirun -np 2 "$bin" "${args[@]}" model.hidden=32 model.mlp=96 checkpoint.keep=2 train.max_steps=15 --resume none \
  2>"$work/fresh.err" || { cat "$work/fresh.err"; fail "the fresh start failed"; }
[ "$(listing)" = "step-00000010 step-00000015 " ] || fail "after the fresh start: $(listing)"
[ "$(ls "$ckpts/off-chain" | wc -l)" -eq 6 ] || fail "off-chain holds $(ls "$ckpts/off-chain" | tr '\n' ' ')"
$mpirun -np 2 "$bin" "${args[@]}" model.hidden=32 model.mlp=96 checkpoint.keep=2 2>"$work/fresh2.err" ||
  { cat "$work/fresh2.err"; fail "the relaunch of the fresh run failed"; }
grep -q "resumed from $ckpts/step-00000015 at step 15" "$work/fresh2.err" || fail "the fresh run did not resume step 15"
[ "$(listing)" = "step-00000015 step-00000020 " ] || fail "retention kept $(listing)"
"$bin" ckpt verify "$run" >/dev/null
"$bin" ckpt list "$run" | grep -q "off-chain/ holds 6 checkpoint(s) set aside" || fail "ckpt list does not mention off-chain/"
echo "PASS: resume follows latest and the chain; changed models refused by key; fresh starts set the old run aside"
