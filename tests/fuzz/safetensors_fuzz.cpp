// Fuzz harness: safetensors files (checkpoint shards, Hugging Face weights). A bad file is a
// DataError; nothing else may escape, and no crafted header may reach an allocation.
#include "core/error.h"
#include "io/tensors/safetensors.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = neuroscale::fuzz::input_file(data, size, "input.safetensors");
  try {
    neuroscale::io::read_safetensors_header(path);
    neuroscale::io::read_safetensors(path);
  } catch (const neuroscale::DataError&) {
  }
  return 0;
}
