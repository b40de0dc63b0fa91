// Running the `neuroscale` executable from a test case: its exit code, stdout and stderr.
// Shared by the end-to-end CLI tests (tests/jobs/*_test.cpp).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace neuroscale::cli_test {

struct Result {
  int code;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `neuroscale <arguments>` through the shell and waits for it.
inline Result run(const std::string& arguments) {
  // One output pair per test case: CTest runs cases in parallel processes.
  const std::string base = testing::TempDir() + "neuroscale_cli_" +
                           testing::UnitTest::GetInstance()->current_test_info()->name();
  const std::string command =
      std::string(NEUROSCALE_BINARY) + " " + arguments + " >" + base + ".out 2>" + base + ".err";
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(base + ".out"), slurp(base + ".err")};
}

inline int count_lines(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

// Copies the model of the Hugging Face directory `lm` to `out` with a tokenizer.json that has
// one more added token, id 5000: a tokenizer of another model than the weights' (for the
// refusals of a mismatched tokenizer).
inline void write_foreign_tokenizer_copy(const std::string& lm, const std::string& out) {
  std::system(("mkdir -p " + out + " && cp " + lm + "/config.json " + lm + "/model.safetensors " +
               out + "/")
                  .c_str());
  auto tokenizer = nlohmann::json::parse(slurp(lm + "/tokenizer.json"));
  tokenizer["added_tokens"].push_back({{"id", 5000},
                                       {"content", "<extra>"},
                                       {"single_word", false},
                                       {"lstrip", false},
                                       {"rstrip", false},
                                       {"normalized", false},
                                       {"special", true}});
  std::ofstream(out + "/tokenizer.json") << tokenizer.dump();
}

}  // namespace neuroscale::cli_test
