// Fuzz harness: ARPA n-gram language models. A bad file is a DataError.
#include "core/error.h"
#include "io/lm/arpa_reader.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = neuroscale::fuzz::input_file(data, size, "lm.arpa");
  try {
    neuroscale::io::read_arpa(path);
  } catch (const neuroscale::DataError&) {
  }
  return 0;
}
