#!/usr/bin/env bash
# The brain-tuning step (wav2vec2 + LoRA forward, backward into the adapters and the head,
# AdamW) in neuroscale and in the reference's stack (Hugging Face transformers + PEFT on
# PyTorch eager), side by side with the same threads and the same PyTorch (the build's
# NEUROSCALE_PYTHON, whose LibTorch the build links), for the base model and the tiny test
# size: step times, the speed-up and the fraction of the GEMM peak. The two alternate for
# ROUNDS rounds (each the median of 5 steps) and the best round of each is compared. The
# peer's packages go into BUILD_DIR/bench-python on first use (PyPI, pinned), on top of
# that PyTorch.
# usage: bench/speech_step.sh [BUILD_DIR] [THREADS] [ROUNDS]   (THREADS defaults to nproc)
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_speech_step)
packages=$build/bench-python
python=$(bench_python "$build" torch)
export PYTHONPATH=$packages${PYTHONPATH:+:$PYTHONPATH}
if ! "$python" -c 'import transformers, peft' 2>/dev/null; then
  echo "bench/speech_step.sh: installing transformers and peft into $packages" >&2
  # Without their dependencies: they would install a second torch.
  "$python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$packages" \
    "transformers==4.57.1" "tokenizers==0.22.1" "huggingface-hub==0.36.0" "safetensors==0.6.2" \
    "regex==2025.9.18" "peft==0.17.1" "accelerate==1.10.1" "psutil==7.1.0" "tqdm==4.67.1" "packaging==25.0"
fi
for size in tiny base; do
  ours() { "$bin" --size "$size" --threads "$threads"; }
  peer() {
    "$python" "$here/speech_step_pytorch.py" --size "$size" --threads "$threads" \
      --model-gflop "$(field model_gflop "$1")" --peak-gflops "$(field gemm_peak_gflops "$1")"
  }
  alternate "$rounds" step_ms min
  a=$best_ours b=$best_peer
  echo "$a"
  echo "$b"
  echo "$size (best of $rounds rounds): neuroscale $(speedup step_ms min "$a" "$b")x the step rate of transformers+PEFT;" \
    "$(percent peak_fraction "$a")% of GEMM peak (peer $(percent peak_fraction "$b")%)"
done
