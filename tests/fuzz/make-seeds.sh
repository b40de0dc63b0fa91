#!/usr/bin/env bash
# Writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<harness>/) from real
# files: a tiny 2-rank pretraining run's shard, manifest, training state and metrics, the
# project's configs and sweep specs, the test suite's ARPA model and lexicon, and corpus
# index tables encoded in corpus_index_fuzz.cpp's layout. The crafted regression cases
# (regression-*) in those folders are kept. Run from the repository root after a build:
#   tests/fuzz/make-seeds.sh build/bin/neuroscale
set -euo pipefail
bin=${1:?usage: tests/fuzz/make-seeds.sh NEUROSCALE}
out=tests/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
for h in safetensors manifest training_state config arpa lexicon sweep_spec metrics_log corpus_index tokenizer_json \
         hf_config; do
  mkdir -p "$out/$h"
  find "$out/$h" -maxdepth 1 -type f ! -name 'regression-*' -delete
done

# A small model, so its shard is a seed a fuzzer can work with.
"$bin" synth --config configs/synth/tiny.yaml --output "$work/corpus.h5" --lexicon "$work/lexicon.txt" >/dev/null 2>&1
mpirun -np 2 "$bin" pretrain --config configs/pretrain/tiny.yaml data.corpus="$work/corpus.h5" train.max_steps=6 \
  train.log_every=2 checkpoint.every_steps=3 model.hidden=8 model.heads=2 model.mlp=8 model.layers=1 \
  --run-dir "$work/run" >/dev/null 2>&1
ckpt=$work/run/checkpoints/step-00000006
# The shard's metadata and first three tensors (a whole shard would make a slow seed).
/usr/bin/python3 - "$ckpt/shard-00001.safetensors" "$out/safetensors/shard.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
kept, blob = {"__metadata__": header.get("__metadata__", {})}, b""
for name in [k for k in header if k != "__metadata__"][:3]:
    begin, end = header[name]["data_offsets"]
    kept[name] = dict(header[name], data_offsets=[len(blob), len(blob) + end - begin])
    blob += data[begin:end]
text = json.dumps(kept, separators=(",", ":")).encode()
text += b" " * ((8 - len(text) % 8) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + blob)
PY
cp "$ckpt/manifest.yaml" "$out/manifest/manifest.yaml"
cp "$ckpt/state-00000.txt" "$out/training_state/state-00000.txt"
cp "$ckpt/state-00001.txt" "$out/training_state/state-00001.txt"
cp "$work/run/metrics.jsonl" "$out/metrics_log/metrics.jsonl"
head -c 4000 "$work/lexicon.txt" > "$out/lexicon/lexicon.txt"
for f in configs/synth/tiny.yaml configs/pretrain/tiny.yaml configs/finetune/tiny.yaml configs/braintune/tiny.yaml; do
  cp "$f" "$out/config/$(echo "$f" | tr / _)"
done
{ cat configs/pretrain/tiny.yaml; printf -- '--- overrides\nmodel.hidden=32\ndata.subjects=[a, b]\n'; } \
  > "$out/config/overrides.yaml"
for f in configs/sweeps/*.yaml; do cp "$f" "$out/sweep_spec/$(basename "$f")"; done
# The ARPA model of the test suite (tests/io/lm_files_test.cpp).
printf '# written by hand\n\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-99\t<s>\t-0.5\n-1.0\t</s>\n-0.7\thello\t-0.3\n-0.9\tworld\t-0.2\n\n\\2-grams:\n-0.1\t<s> hello\n-0.2\thello world\n\n\\end\\\n' \
  > "$out/arpa/small.arpa"
# Valid index tables: 2 subjects, 2 sessions, 5 trials with contiguous rows (per_day).
/usr/bin/python3 - "$out/corpus_index/valid.bin" <<'PY'
import struct, sys
b = struct.pack("<BBBBB", 1, 1, 5, 1, 2)            # subjects-1, sessions-1, trials, per_day, groups
b += struct.pack("<hh", 96, 128)                     # channels
b += struct.pack("<bh", 0, 0) + struct.pack("<bh", 1, 0)
rows = {0: 0, 1: 0}
labels = text = 0
for t, (session, split, bins, nl, nt) in enumerate([(0, 0, 50, 3, 10), (1, 0, 40, 0, 0), (0, 1, 30, 2, 5),
                                                     (1, 2, 20, 1, 4), (0, 0, 25, 0, 0)]):
    b += struct.pack("<bbhiihihbb", session, split, bins, rows[session], labels, nl, text, nt, 0, session)
    rows[session] += bins; labels += nl; text += nt
b += struct.pack("<bb", 0, -1) + struct.pack("<bb", 1, -1)
open(sys.argv[1], "wb").write(b)
PY
# A tiny language model's tokenizer.json and config.json (lm train on the corpus' sentences).
"$bin" synth --config configs/synth/tiny.yaml --output "$work/lm-corpus.h5" --sentences "$work/s" >/dev/null 2>&1
"$bin" lm train --config configs/lm/tiny.yaml --run-dir "$work/lm" data.text="$work/s.train.txt" \
  data.vocab_size=280 train.max_steps=2 schedule.warmup_steps=1 >/dev/null 2>&1
cp "$work/lm/hf/tokenizer.json" "$out/tokenizer_json/trained.json"
cp "$work/lm/hf/config.json" "$out/hf_config/llama.json"
# transformers 5 writes rope_parameters and layer_types.
printf '{"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","vocab_size":256,"hidden_size":64,"intermediate_size":96,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"hidden_act":"silu","rms_norm_eps":1e-06,"rope_parameters":{"rope_theta":1000000.0,"rope_type":"default"},"layer_types":["full_attention","full_attention"],"use_sliding_window":false,"sliding_window":null,"max_position_embeddings":128,"tie_word_embeddings":true,"bos_token_id":1,"eos_token_id":[0,2],"pad_token_id":null}\n' \
  > "$out/hf_config/qwen2.json"
du -sh "$out"
