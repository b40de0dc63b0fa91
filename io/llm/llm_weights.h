// A Hugging Face causal-LM directory's weights (model.safetensors, or the shards a
// model.safetensors.index.json lists) loaded into the engine's decoder (core/llm), memory-
// mapped: a parameter whose dtype and device match the file's is a view of the mapped
// pages (ranks on one node share them), any other is converted once.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/llm/causal_lm.h"

namespace neuroscale::io {

struct LlmWeightsOptions {
  // Keys outside it are skipped (Aero-1-Audio keeps its LLM under "language_model.");
  // stripped from the keys inside it. Empty: every key belongs to the model.
  std::string prefix;
  // The parameters' dtype: float32 or bfloat16 (kUndefined: the file's, per tensor).
  at::ScalarType dtype = at::kFloat;
  at::Device device = at::kCPU;
};

struct LlmWeightsSummary {
  std::vector<std::string> files;  ///< the safetensors files read
  std::size_t tensors_loaded = 0;
  std::int64_t values_loaded = 0;
  std::size_t tensors_mapped = 0;    ///< of those, views of the mapping (no copy)
  std::vector<std::string> ignored;  ///< keys outside the prefix, and a tied head's copy
  std::uint64_t bytes = 0;           ///< the files' sizes together
};

// The safetensors files of `directory`: model.safetensors, else the shards of
// model.safetensors.index.json (each listed once, in index order). Throws DataError naming
// the directory when there is neither, or the index is malformed or names a missing file.
std::vector<std::string> llm_weight_files(const std::string& directory);

// Sets every base parameter of `model` (adapters keep theirs) from the files of
// `directory`. Everything is checked before any parameter is set: a parameter missing from
// the files, a key of the files (inside the prefix) the model does not have, or a shape
// that differs throws DataError naming the file, the key and both shapes.
LlmWeightsSummary load_llm_weights(const std::string& directory, llm::CausalLmImpl& model,
                                   const LlmWeightsOptions& options = {});

}  // namespace neuroscale::io
