#!/usr/bin/env bash
# Memory of N ranks on one node holding the same LLM weights (bench_lm_memory): the ~100M
# random Qwen2 model of bench/lm_generate.sh (400 MB in float32), loaded memory-mapped
# (float32, the file's dtype) and as private copies (bfloat16: converted on load), on 1, 2
# and 4 ranks. The summed Pss against N times the weight bytes shows whether the ranks share
# the weights' pages.
# usage: bench/lm_memory.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
bin=$(bench_binary "$build" bench_lm_memory)
python=$(bench_python "$build" torch transformers)
dir=$build/bench-lm/100m
[ -f "$dir/prompts.json" ] || HF_HUB_OFFLINE=1 "$python" "$here/lm_generate_peer.py" make "$dir" 100m
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for dtype in float32 bfloat16; do
  for n in 1 2 4; do
    mpirun --oversubscribe -np "$n" "$bin" "$dir" "$dtype"
  done
done
