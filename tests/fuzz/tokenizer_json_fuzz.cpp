// Fuzz harness: Hugging Face tokenizer.json (io/llm/tokenizer.h). A bad file is a DataError;
// a tokenizer that loads encodes a fixed text through the regexes and merges it declares
// (a DataError when its vocabulary cannot spell it) and decodes what it encoded.
#include <string>

#include "core/error.h"
#include "io/llm/tokenizer.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto tokenizer = neuroscale::io::BpeTokenizer::from_json(text, "'tokenizer.json'");
    const auto ids = tokenizer.encode(
        "Hello, world!  123 d\xC3\xA9j\xC3\xA0 vu \xF0\x9F\x98\x80\n<|endoftext|> x", true);
    tokenizer.decode(ids);
  } catch (const neuroscale::DataError&) {
  }
  return 0;
}
