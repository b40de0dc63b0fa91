// Encodes and decodes texts with the engine's tokenizer, for tests/io/tokenizer_reference.py
// to compare with `tokenizers` and tiktoken: usage `tokenizer_crosscheck_dump DIR NAME...`.
// Reads DIR/texts.json and DIR/<NAME>/tokenizer.json; writes DIR/<NAME>/ours.json with the
// ids of every text (without and with special tokens) and the decoding of the former.
#include <nlohmann/json.hpp>

#include <iostream>

#include "io/fs/files.h"
#include "io/llm/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: tokenizer_crosscheck_dump DIR NAME...\n";
    return 2;
  }
  const std::string root = argv[1];
  const auto texts = nlohmann::json::parse(neuroscale::io::read_file(root + "/texts.json").value());
  for (int i = 2; i < argc; ++i) {
    const std::string dir = root + "/" + argv[i];
    const auto tokenizer = neuroscale::io::BpeTokenizer::from_file(dir + "/tokenizer.json");
    nlohmann::json out = {{"ids", nlohmann::json::array()},
                          {"ids_special", nlohmann::json::array()},
                          {"decoded", nlohmann::json::array()}};
    for (const auto& text : texts) {
      const auto ids = tokenizer.encode(text.get<std::string>());
      out["ids"].push_back(ids);
      out["ids_special"].push_back(tokenizer.encode(text.get<std::string>(), true));
      out["decoded"].push_back(tokenizer.decode(ids));
    }
    neuroscale::io::write_file_atomically(dir + "/ours.json", out.dump());
  }
  return 0;
}
