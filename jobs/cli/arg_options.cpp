// ArgParser's declarations: flags, options (text and numeric), positionals, overrides.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "jobs/cli/arg_parser.h"

namespace neuroscale::jobs {

ArgParser::ArgParser(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

void ArgParser::flag(const std::string& name, bool* out, const std::string& help) {
  options_.push_back({name, "", help, out, nullptr, nullptr, false, false, {}});
}

void ArgParser::option(const std::string& name, std::string* out, const std::string& value_name,
                       const std::string& help, bool required) {
  options_.push_back({name, value_name, help, nullptr, out, nullptr, required, false, {}});
}

void ArgParser::option(const std::string& name, std::int64_t* out, const std::string& value_name,
                       const std::string& help, bool required) {
  options_.push_back({name, value_name, help, nullptr, nullptr, nullptr, required, false,
                      [out](const std::string& text) {
                        std::int64_t value = 0;
                        const auto* end = text.data() + text.size();
                        const auto [last, error] = std::from_chars(text.data(), end, value);
                        if (error != std::errc() || last != end) return false;
                        *out = value;
                        return true;
                      }});
}

void ArgParser::option(const std::string& name, double* out, const std::string& value_name,
                       const std::string& help, bool required) {
  options_.push_back({name, value_name, help, nullptr, nullptr, nullptr, required, false,
                      [out](const std::string& text) {
                        char* end = nullptr;
                        errno = 0;
                        const double value = std::strtod(text.c_str(), &end);
                        if (errno != 0 || end != text.c_str() + text.size() ||
                            !std::isfinite(value)) {
                          return false;
                        }
                        *out = value;
                        return true;
                      }});
}

void ArgParser::option_list(const std::string& name, std::vector<std::string>* out,
                            const std::string& value_name, const std::string& help, bool required) {
  options_.push_back({name, value_name + "...", help, nullptr, nullptr, out, required, false, {}});
}

void ArgParser::positional(const std::string& name, std::string* out, const std::string& help,
                           bool required) {
  positionals_.push_back({name, help, out, required});
}

void ArgParser::overrides(std::vector<std::string>* out) { overrides_ = out; }

void ArgParser::positional_list(const std::string& name, std::vector<std::string>* out,
                                const std::string& help) {
  rest_ = out;
  rest_name_ = name;
  rest_help_ = help;
}

}  // namespace neuroscale::jobs
