// Command-line parsing for `neuroscale` subcommands: --flag, --option VALUE (or
// --option=VALUE), positional arguments, and trailing `key.sub=value` config overrides.
// Options and positionals may come in any order; `--` ends the options (for a positional
// that starts with '-'). Unknown options are UsageErrors with the nearest valid option
// suggested. (Why not CLI11: docs/architecture.md, "Libraries".)
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace neuroscale::jobs {

class ArgParser {
 public:
  // `program` is how the user invoked it ("neuroscale synth").
  ArgParser(std::string program, std::string summary);

  void flag(const std::string& name, bool* out, const std::string& help);
  void option(const std::string& name, std::string* out, const std::string& value_name,
              const std::string& help, bool required = false);
  // Numeric options: the value must be a whole number (or a finite number) to the last
  // character; anything else is a UsageError naming the option.
  void option(const std::string& name, std::int64_t* out, const std::string& value_name,
              const std::string& help, bool required = false);
  void option(const std::string& name, double* out, const std::string& value_name,
              const std::string& help, bool required = false);
  // An option taking one or more values: "--input a b c" (values up to the next option)
  // or repeated "--input a --input b".
  void option_list(const std::string& name, std::vector<std::string>* out,
                   const std::string& value_name, const std::string& help, bool required = false);
  void positional(const std::string& name, std::string* out, const std::string& help,
                  bool required = true);
  // The arguments after the single positionals, one or more ("RUN_DIR..."); not combinable
  // with overrides.
  void positional_list(const std::string& name, std::vector<std::string>* out,
                       const std::string& help);
  // Accept `key.sub=value` arguments (collected in order) after the options.
  void overrides(std::vector<std::string>* out);
  // Free text appended to --help (examples, notes).
  void epilog(const std::string& text) { epilog_ = text; }

  // Parses `args` (without the program and subcommand names). Returns false after printing
  // help to `out` for --help/-h; throws UsageError for anything invalid.
  bool parse(const std::vector<std::string>& args, std::ostream& out);
  std::string help() const;

 private:
  struct Option {
    std::string name, value_name, help;
    bool* flag = nullptr;
    std::string* value = nullptr;
    std::vector<std::string>* values = nullptr;
    bool required = false, seen = false;
    std::function<bool(const std::string&)> assign;  ///< numeric options: false if invalid
  };
  struct Positional {
    std::string name, help;
    std::string* value;
    bool required;
  };
  Option* find(const std::string& name);
  [[noreturn]] void fail(const std::string& message) const;

  std::string program_, summary_, epilog_;
  std::vector<Option> options_;
  std::vector<Positional> positionals_;
  std::vector<std::string>* overrides_ = nullptr;
  std::vector<std::string>* rest_ = nullptr;
  std::string rest_name_, rest_help_;
};

}  // namespace neuroscale::jobs
