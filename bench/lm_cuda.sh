#!/usr/bin/env bash
# The causal LM on a CUDA GPU (bench/lm_cuda_check.cpp) and transformers' GPU generation rate
# at the same shape (bench/lm_cuda_peer.py). Needs only a PyTorch 2.x with CUDA (its LibTorch
# builds the check from the core sources it uses, in C++20 as LibTorch 2.x asks), g++ and a
# GPU; exits 77 without one.
# usage: bench/lm_cuda.sh [PYTHON] [OUT_DIR]
set -euo pipefail
python=${1:-python3}
out=${2:-$(mktemp -d)}
cd "$(dirname "$0")/.."
torch=$("$python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
abi=$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
flags=(-O2 -std=c++20 -D_GLIBCXX_USE_CXX11_ABI="$abi" -I. -isystem "$torch/include"
       -isystem "$torch/include/torch/csrc/api/include")
sources=(core/llm/causal_lm.cpp core/llm/causal_lm_options.cpp core/llm/generation.cpp core/model/lora.cpp
         core/model/affine.cpp core/model/few_rows_kernel.cpp core/model/rotary.cpp
         core/model/dropout.cpp core/text.cpp bench/lm_cuda_check.cpp)
mkdir -p "$out/obj"
pids=()
for source in "${sources[@]}"; do
  g++ "${flags[@]}" -c "$source" -o "$out/obj/$(basename "$source" .cpp).o" & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
g++ -o "$out/lm_cuda_check" "$out"/obj/*.o -L"$torch/lib" -Wl,--no-as-needed -ltorch -ltorch_cuda -ltorch_cpu \
    -lc10_cuda -lc10 -Wl,--as-needed -Wl,-rpath,"$torch/lib"
status=0
"$out/lm_cuda_check" || status=$?
[ "$status" -eq 77 ] && exit 77
"$python" bench/lm_cuda_peer.py
exit "$status"
