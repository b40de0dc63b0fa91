#include "io/config/config_visitor.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <sstream>

#include "core/text.h"

namespace neuroscale::io {
namespace {

std::string format_number(double v) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  return std::string(buffer, result.ptr);
}

template <class T>
std::string format_list(const std::vector<T>& values) {
  std::vector<std::string> parts;
  for (const auto& v : values) {
    if constexpr (std::is_same_v<T, double>) {
      parts.push_back(format_number(v));
    } else if constexpr (std::is_same_v<T, std::string>) {
      parts.push_back(v);
    } else {
      parts.push_back(std::to_string(v));
    }
  }
  std::string text =
      "[";  // appended, not "[" + ...: GCC 12 misreports that (-Wrestrict, PR 105329)
  text += join(parts, ", ");
  text += ']';
  return text;
}

// Collects KeyInfo for every key; list elements are described from a fresh element.
class KeyLister final : public ConfigVisitor {
 public:
  explicit KeyLister(std::string prefix, std::vector<KeyInfo>& out)
      : prefix_(std::move(prefix)), out_(out) {}

  void value(std::string_view key, bool& v, const Field& f) override {
    add(key, "bool", v ? "true" : "false", f);
  }
  void value(std::string_view key, std::int64_t& v, const Field& f) override {
    add(key, "int", std::to_string(v), f);
  }
  void value(std::string_view key, int& v, const Field& f) override {
    add(key, "int", std::to_string(v), f);
  }
  void value(std::string_view key, double& v, const Field& f) override {
    add(key, "float", format_number(v), f);
  }
  void value(std::string_view key, std::string& v, const Field& f) override {
    add(key, "string", v, f);
  }
  void value(std::string_view key, std::vector<std::int64_t>& v, const Field& f) override {
    add(key, "list of int", format_list(v), f);
  }
  void value(std::string_view key, std::vector<double>& v, const Field& f) override {
    add(key, "list of float", format_list(v), f);
  }
  void value(std::string_view key, std::vector<std::string>& v, const Field& f) override {
    add(key, "list of string", format_list(v), f);
  }
  void section(std::string_view key, const std::string& doc,
               const std::function<void(ConfigVisitor&)>& body) override {
    KeyLister sub(path(key), out_);
    body(sub);
  }
  void sequence(std::string_view key, const std::string& doc, std::size_t count,
                const std::function<void(std::size_t)>& resize,
                const std::function<void(ConfigVisitor&, std::size_t)>& item) override {
    // Describe a default element without disturbing the caller's elements.
    resize(count + 1);
    KeyLister sub(path(key) + "[]", out_);
    item(sub, count);
    resize(count);
  }

 private:
  std::string path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  void add(std::string_view key, std::string type, std::string value, const Field& f) {
    out_.push_back({path(key), std::move(type), std::move(value), f.doc, f.describe_constraint()});
  }

  std::string prefix_;
  std::vector<KeyInfo>& out_;
};

// Emits the described object as a YAML mapping.
class YamlWriter final : public ConfigVisitor {
 public:
  explicit YamlWriter(YAML::Emitter& out) : out_(out) {}

  void value(std::string_view key, bool& v, const Field&) override { emit(key, v); }
  void value(std::string_view key, std::int64_t& v, const Field&) override { emit(key, v); }
  void value(std::string_view key, int& v, const Field&) override { emit(key, v); }
  void value(std::string_view key, double& v, const Field&) override {
    emit(key, format_number(v));
  }
  void value(std::string_view key, std::string& v, const Field&) override {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::DoubleQuoted << v;
  }
  void value(std::string_view key, std::vector<std::int64_t>& v, const Field&) override {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << v;
  }
  void value(std::string_view key, std::vector<double>& v, const Field&) override {
    std::vector<std::string> text;
    for (double x : v) text.push_back(format_number(x));
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << text;
  }
  void value(std::string_view key, std::vector<std::string>& v, const Field&) override {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& s : v) out_ << YAML::DoubleQuoted << s;
    out_ << YAML::EndSeq;
  }
  void section(std::string_view key, const std::string&,
               const std::function<void(ConfigVisitor&)>& body) override {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::BeginMap;
    body(*this);
    out_ << YAML::EndMap;
  }
  void sequence(std::string_view key, const std::string&, std::size_t count,
                const std::function<void(std::size_t)>&,
                const std::function<void(ConfigVisitor&, std::size_t)>& item) override {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::BeginSeq;
    for (std::size_t i = 0; i < count; ++i) {
      out_ << YAML::BeginMap;
      item(*this, i);
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndSeq;
  }

 private:
  template <class T>
  void emit(std::string_view key, const T& v) {
    out_ << YAML::Key << std::string(key) << YAML::Value << v;
  }
  YAML::Emitter& out_;
};

}  // namespace

std::string Field::describe_constraint() const {
  if (!choices.empty()) return "one of: " + join(choices, ", ");
  std::string text;
  if (min && max) {
    text = std::string(min_exclusive ? "(" : "[") + format_number(*min) + ", " +
           format_number(*max) + (max_exclusive ? ")" : "]");
    return "in " + text;
  }
  if (min) return std::string(min_exclusive ? "> " : ">= ") + format_number(*min);
  if (max) return std::string(max_exclusive ? "< " : "<= ") + format_number(*max);
  if (require_non_empty) return "non-empty";
  return text;
}

std::string Field::violation(double value) const {
  bool below = min && (min_exclusive ? value <= *min : value < *min);
  bool above = max && (max_exclusive ? value >= *max : value > *max);
  return (below || above) ? describe_constraint() : std::string();
}

std::vector<KeyInfo> list_keys(const Describer& describe) {
  std::vector<KeyInfo> keys;
  KeyLister lister("", keys);
  describe(lister);
  return keys;
}

std::string to_yaml(const Describer& describe) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  YamlWriter writer(out);
  describe(writer);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace neuroscale::io
