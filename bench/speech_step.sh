#!/usr/bin/env bash
# The brain-tuning step (wav2vec2 + LoRA forward, backward into the adapters and the head,
# AdamW) in neuroscale and in the reference's stack (Hugging Face transformers + PEFT on
# PyTorch eager), side by side with the same threads, the same BLAS and the same torch
# version (Debian's python3-torch beside LibTorch 1.13), for the base model and the tiny
# test size: step times, the speed-up and the fraction of the GEMM peak. The two alternate
# for ROUNDS rounds (each the median of 5 steps) and the best round of each is compared.
# The peer's packages go into BUILD_DIR/bench-pyenv on first use (PyPI), pinned to
# versions that run on Debian's torch.
# usage: bench/speech_step.sh [BUILD_DIR] [THREADS] [ROUNDS]   (THREADS defaults to nproc)
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/bench/bench_speech_step
env=$build/bench-pyenv
[ -x "$bin" ] || { echo "bench/speech_step.sh: build first ($bin missing)" >&2; exit 2; }
/usr/bin/python3 -c 'import torch' 2>/dev/null ||
  { echo "bench/speech_step.sh: /usr/bin/python3 lacks torch (apt-get install python3-torch)" >&2; exit 2; }
if ! "$env/bin/python3" -c 'import transformers, peft' 2>/dev/null; then
  echo "bench/speech_step.sh: installing transformers and peft into $env" >&2
  /usr/bin/python3 -m venv --system-site-packages "$env"
  "$env/bin/python3" -m pip install --quiet --disable-pip-version-check "transformers==4.44.2"
  # Without their dependencies: they would replace Debian's torch (1.13.0a0, a pre-release
  # to pip) with a new one.
  "$env/bin/python3" -m pip install --quiet --disable-pip-version-check --no-deps \
    "peft==0.12.0" "accelerate==0.33.0" "psutil==6.0.0"
fi
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }
best() { printf '%s\n' "$@" | awk '{ split($4, f, "="); print f[2], $0 }' | sort -g | head -1 | cut -d' ' -f2-; }
for size in tiny base; do
  ours=() peer=()
  for ((r = 0; r < rounds; r++)); do
    line=$("$bin" --size "$size" --threads "$threads")
    ours+=("$line")
    peer+=("$("$env/bin/python3" "$here/speech_step_pytorch.py" --size "$size" --threads "$threads" \
              --model-gflop "$(field model_gflop "$line")" --peak-gflops "$(field gemm_peak_gflops "$line")")")
  done
  a=$(best "${ours[@]}")
  b=$(best "${peer[@]}")
  echo "$a"
  echo "$b"
  awk -v a="$(field step_ms "$a")" -v b="$(field step_ms "$b")" -v f="$(field peak_fraction "$a")" \
      -v g="$(field peak_fraction "$b")" -v s="$size" -v r="$rounds" \
      'BEGIN { printf "%s (best of %d rounds): neuroscale %.2fx the step rate of transformers+PEFT; %.0f%% of GEMM peak (peer %.0f%%)\n",
               s, r, b / a, 100 * f, 100 * g }'
done
