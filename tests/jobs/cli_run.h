// Running the `neuroscale` executable from a test case: its exit code, stdout and stderr.
// Shared by the end-to-end CLI tests (tests/jobs/*_test.cpp).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
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

}  // namespace neuroscale::cli_test
