#include "jobs/cli/arg_parser.h"

#include <algorithm>
#include <ostream>

#include "core/check.h"
#include "core/text.h"
#include "io/config/config_document.h"

namespace neuroscale::jobs {

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
