// Fuzz harness: pronunciation lexicons (CMU-dict format). A bad file is a DataError.
#include "core/error.h"
#include "io/lm/lexicon_reader.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = neuroscale::fuzz::input_file(data, size, "lexicon.txt");
  try {
    neuroscale::io::read_lexicon(path);
  } catch (const neuroscale::DataError&) {
  }
  return 0;
}
