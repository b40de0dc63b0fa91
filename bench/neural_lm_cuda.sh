#!/usr/bin/env bash
# BIT's end-to-end model on a CUDA GPU (bench/neural_lm_cuda_check.cpp): the GPU against the
# CPU, bf16 autocast, and the training step rate at BIT's sizes. Needs only a PyTorch 2.x with
# CUDA (its LibTorch builds the check from the core sources it uses, in C++20), g++ and a GPU;
# exits 77 without one.
# usage: bench/neural_lm_cuda.sh [PYTHON] [OUT_DIR]
set -euo pipefail
python=${1:-python3}
out=${2:-$(mktemp -d)}
cd "$(dirname "$0")/.."
torch=$("$python" -c 'import os, torch; print(os.path.dirname(torch.__file__))')
abi=$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
flags=(-O2 -std=c++20 -D_GLIBCXX_USE_CXX11_ABI="$abi" -I. -isystem "$torch/include"
       -isystem "$torch/include/torch/csrc/api/include")
sources=(core/llm/causal_lm.cpp core/llm/causal_lm_options.cpp core/llm/generation.cpp
         core/llm/neural_lm.cpp core/model/lora.cpp core/model/affine.cpp
         core/model/few_rows_kernel.cpp core/model/rotary.cpp core/model/dropout.cpp
         core/model/bit_encoder.cpp core/model/transformer.cpp core/model/attention.cpp
         core/model/read_in_out.cpp core/model/qkv_heads.cpp core/model/linear.cpp
         core/model/patching.cpp core/autocast.cpp core/text.cpp bench/neural_lm_cuda_check.cpp)
mkdir -p "$out/obj"
pids=()
for source in "${sources[@]}"; do
  g++ "${flags[@]}" -c "$source" -o "$out/obj/$(basename "$source" .cpp).o" & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
g++ -o "$out/neural_lm_cuda_check" "$out"/obj/*.o -L"$torch/lib" -Wl,--no-as-needed -ltorch \
    -ltorch_cuda -ltorch_cpu -lc10_cuda -lc10 -Wl,--as-needed -Wl,-rpath,"$torch/lib"
exec "$out/neural_lm_cuda_check"
