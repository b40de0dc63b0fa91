// Fuzz harness: a Hugging Face causal LM's config.json (io/llm/hf_config.h). A bad or
// unsupported file is a DataError naming the field.
#include "core/error.h"
#include "io/llm/hf_config.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = neuroscale::fuzz::input_file(data, size, "config.json");
  try {
    neuroscale::io::read_hf_config(path);
  } catch (const neuroscale::DataError&) {
  }
  return 0;
}
