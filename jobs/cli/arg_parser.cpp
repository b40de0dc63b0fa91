#include "jobs/cli/arg_parser.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ostream>

#include "core/check.h"
#include "core/text.h"
#include "io/config/config_document.h"

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

ArgParser::Option* ArgParser::find(const std::string& name) {
  for (auto& option : options_) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

void ArgParser::fail(const std::string& message) const {
  NS_THROW(UsageError, program_, ": ", message, " (see '", program_, " --help')");
}

bool ArgParser::parse(const std::vector<std::string>& args, std::ostream& out) {
  std::size_t next_positional = 0;
  bool options_ended = false;  // after "--", every argument is a positional or an override
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!options_ended && arg == "--") {
      options_ended = true;
      continue;
    }
    if (!options_ended && (arg == "--help" || arg == "-h")) {
      out << help();
      return false;
    }
    if (!options_ended && arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string name = arg, value;
      bool inline_value = false;
      if (auto eq = arg.find('='); eq != std::string::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        inline_value = true;
      }
      Option* option = find(name);
      if (option == nullptr) {
        std::vector<std::string> names;
        for (const auto& o : options_) names.push_back(o.name);
        names.push_back("--help");
        fail("unknown option '" + name + "'" + did_you_mean(name, names));
      }
      if (option->seen && option->values == nullptr) fail("option '" + name + "' given twice");
      option->seen = true;
      if (option->values != nullptr) {
        if (inline_value) option->values->push_back(value);
        while (i + 1 < args.size() && args[i + 1].rfind("-", 0) != 0 &&
               !io::is_override(args[i + 1])) {
          option->values->push_back(args[++i]);
        }
        if (option->values->empty())
          fail("option '" + name + "' needs at least one value (" + option->value_name + ")");
        continue;
      }
      if (option->flag != nullptr) {
        if (inline_value) fail("option '" + name + "' takes no value");
        *option->flag = true;
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) {
          fail("option '" + name + "' needs a value (" + option->value_name + ")");
        }
        value = args[++i];
      }
      if (value.empty())
        fail("option '" + name + "' needs a non-empty value (" + option->value_name + ")");
      if (option->assign) {
        if (!option->assign(value)) {
          fail("option '" + name + "' expects a number (" + option->value_name + "), got '" +
               value + "'");
        }
      } else {
        *option->value = value;
      }
      continue;
    }
    if (!options_ended && arg.size() > 1 && arg[0] == '-' && arg != "-") {
      fail("unknown option '" + arg +
           "' (a positional argument that starts with '-' goes after '--')");
    }
    if (next_positional < positionals_.size()) {
      *positionals_[next_positional++].value = arg;
      continue;
    }
    if (rest_ != nullptr) {
      rest_->push_back(arg);
      continue;
    }
    if (overrides_ != nullptr && io::is_override(arg)) {
      overrides_->push_back(arg);
      continue;
    }
    fail("unexpected argument '" + arg + "'" +
         (overrides_ != nullptr ? " (config overrides are written key.sub=value)" : ""));
  }
  for (std::size_t p = next_positional; p < positionals_.size(); ++p) {
    if (positionals_[p].required) fail("missing argument " + positionals_[p].name);
  }
  if (rest_ != nullptr && rest_->empty()) fail("missing argument " + rest_name_ + "...");
  for (const auto& option : options_) {
    if (option.required && !option.seen) {
      fail("missing required option " + option.name + " " + option.value_name);
    }
  }
  return true;
}

}  // namespace neuroscale::jobs
