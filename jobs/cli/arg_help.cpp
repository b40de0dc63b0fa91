// ArgParser's --help text: usage line, summary, arguments, options and the epilog.
#include <algorithm>
#include <sstream>

#include "jobs/cli/arg_parser.h"

namespace neuroscale::jobs {

std::string ArgParser::help() const {
  std::ostringstream out;
  out << "usage: " << program_;
  for (const auto& option : options_) {
    std::string text = option.name + (option.value_name.empty() ? "" : " " + option.value_name);
    out << " " << (option.required ? text : "[" + text + "]");
  }
  for (const auto& p : positionals_) out << " " << (p.required ? p.name : "[" + p.name + "]");
  if (rest_ != nullptr) out << " " << rest_name_ << "...";
  if (overrides_ != nullptr) out << " [key.sub=value ...]";
  out << "\n\n" << summary_ << "\n";
  if (!positionals_.empty() || rest_ != nullptr) {
    out << "\narguments:\n";
    for (const auto& p : positionals_)
      out << "  " << p.name << std::string(std::max<int>(2, 24 - int(p.name.size())), ' ') << p.help
          << "\n";
    if (rest_ != nullptr) {
      out << "  " << rest_name_ << "..."
          << std::string(std::max<int>(2, 21 - int(rest_name_.size())), ' ') << rest_help_ << "\n";
    }
  }
  out << "\noptions:\n";
  auto line = [&](const std::string& left, const std::string& text) {
    out << "  " << left << std::string(std::max<int>(2, 24 - int(left.size())), ' ') << text
        << "\n";
  };
  for (const auto& option : options_) {
    line(option.name + (option.value_name.empty() ? "" : " " + option.value_name),
         option.help + (option.required ? " (required)" : ""));
  }
  line("-h, --help", "show this help and exit");
  if (overrides_ != nullptr) {
    line("key.sub=value", "override a config value (after the options; see docs/configuration.md)");
  }
  if (!epilog_.empty()) out << "\n" << epilog_;
  return out.str();
}

}  // namespace neuroscale::jobs
