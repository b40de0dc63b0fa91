#include "io/config/config_document.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <regex>

#include "core/check.h"
#include "core/text.h"
#include "io/fs/files.h"

namespace neuroscale::io {

struct ConfigDocument::Impl {
  YAML::Node root;
  std::string source;
  // Overrides in the order given; display path ("subjects[0].channels") -> the override.
  std::vector<std::string> pending;
  std::map<std::string, std::string> overrides;

  // "file.yaml:12" or "command-line override 'a.b=1' (applied to file.yaml)".
  std::string origin(const std::string& path, const YAML::Node& node) const {
    for (std::string prefix = path;;) {
      auto it = overrides.find(prefix);
      if (it != overrides.end()) {
        return "command-line override '" + it->second + "' (applied to " + source + ")";
      }
      auto cut = prefix.find_last_of(".[");
      if (cut == std::string::npos) break;
      prefix.resize(cut);
    }
    if (node.IsDefined() && node.Mark().line >= 0) {
      return source + ":" + std::to_string(node.Mark().line + 1);
    }
    return source;
  }
};

namespace {

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "an undefined value";
  }
}

bool parse_bool(const std::string& text, bool& out) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower == "true" || lower == "yes" || lower == "on") return out = true, true;
  if (lower == "false" || lower == "no" || lower == "off") return out = false, true;
  return false;
}

bool parse_int(const std::string& text, std::int64_t& out) {
  const char* begin = text.data();
  if (!text.empty() && text[0] == '+') ++begin;
  auto result = std::from_chars(begin, text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size() && !text.empty();
}

bool parse_double(const std::string& text, double& out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size() && std::isfinite(out);
}

// Reads one YAML mapping into the described object; `finish` rejects unknown keys.
class YamlReader final : public ConfigVisitor {
 public:
  YamlReader(const ConfigDocument::Impl& doc, YAML::Node node, std::string path,
             const std::vector<KeyInfo>& schema)
      : doc_(doc), node_(std::move(node)), path_(std::move(path)), schema_(schema) {}

  void value(std::string_view key, bool& v, const Field& f) override {
    read_scalar(key, "a boolean (true/false)",
                [&](const std::string& s) { return parse_bool(s, v); });
  }
  void value(std::string_view key, std::int64_t& v, const Field& f) override {
    if (read_scalar(key, "an integer", [&](const std::string& s) { return parse_int(s, v); })) {
      check_range(key, static_cast<double>(v), std::to_string(v), f);
    }
  }
  void value(std::string_view key, int& v, const Field& f) override {
    std::int64_t wide = v;
    if (read_scalar(key, "an integer", [&](const std::string& s) {
          return parse_int(s, wide) && wide >= INT32_MIN && wide <= INT32_MAX;
        })) {
      check_range(key, static_cast<double>(wide), std::to_string(wide), f);
      v = static_cast<int>(wide);
    }
  }
  void value(std::string_view key, double& v, const Field& f) override {
    if (read_scalar(key, "a number", [&](const std::string& s) { return parse_double(s, v); })) {
      check_range(key, v, child(key).Scalar(), f);
    }
  }
  void value(std::string_view key, std::string& v, const Field& f) override {
    if (!read_scalar(key, "a string", [&](const std::string& s) { return v = s, true; })) return;
    if (!f.choices.empty() && std::find(f.choices.begin(), f.choices.end(), v) == f.choices.end()) {
      fail(key, "'" + path(key) + "' = '" + v + "' is not valid (expected " +
                    f.describe_constraint() + ")" + did_you_mean(v, f.choices));
    }
    if (f.require_non_empty && v.empty()) fail(key, "'" + path(key) + "' must not be empty");
  }
  void value(std::string_view key, std::vector<std::int64_t>& v, const Field& f) override {
    read_list<std::int64_t>(key, v, "a list of integers", parse_int, f);
  }
  void value(std::string_view key, std::vector<double>& v, const Field& f) override {
    read_list<double>(key, v, "a list of numbers", parse_double, f);
  }
  void value(std::string_view key, std::vector<std::string>& v, const Field& f) override {
    read_list<std::string>(
        key, v, "a list of strings",
        [](const std::string& s, std::string& out) { return out = s, true; }, f);
  }

  void section(std::string_view key, const std::string&,
               const std::function<void(ConfigVisitor&)>& body) override {
    YAML::Node node = child(key);
    if (!node.IsDefined()) {
      declared_.emplace_back(key);
      return;  // absent section: keep defaults
    }
    declare(key);
    if (!node.IsMap())
      fail(key, "'" + path(key) + "' expects a mapping of keys, got " + describe_node(node));
    YamlReader sub(doc_, node, path(key), schema_);
    body(sub);
    sub.finish();
  }

  void sequence(std::string_view key, const std::string&, std::size_t,
                const std::function<void(std::size_t)>& resize,
                const std::function<void(ConfigVisitor&, std::size_t)>& item) override {
    YAML::Node node = child(key);
    if (!node.IsDefined()) {
      declared_.emplace_back(key);
      return;
    }
    declare(key);
    if (!node.IsSequence())
      fail(key, "'" + path(key) + "' expects a list of mappings, got " + describe_node(node));
    resize(node.size());
    for (std::size_t i = 0; i < node.size(); ++i) {
      std::string item_path = path(key) + "[" + std::to_string(i) + "]";
      YAML::Node element = node[i];
      if (!element.IsMap()) {
        throw_at(item_path, element,
                 "'" + item_path + "' expects a mapping of keys, got " + describe_node(element));
      }
      YamlReader sub(doc_, element, item_path, schema_);
      item(sub, i);
      sub.finish();
    }
  }

  // Rejects keys present in the document but not declared by the schema.
  void finish() const {
    if (!node_.IsMap()) return;
    for (const auto& entry : node_) {
      std::string key = entry.first.Scalar();
      if (std::find(declared_.begin(), declared_.end(), key) != declared_.end()) continue;
      std::string full = path(key);
      throw_at(full, entry.first, "unknown key '" + full + "'" + suggestion(key));
    }
  }

 private:
  YAML::Node child(std::string_view key) const {
    if (!node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    return node_[std::string(key)];
  }
  std::string path(std::string_view key) const { return join_path(path_, key); }
  void declare(std::string_view key) { declared_.emplace_back(key); }

  [[noreturn]] void throw_at(const std::string& full_path, const YAML::Node& node,
                             const std::string& message) const {
    NS_THROW(ConfigError, doc_.origin(full_path, node), ": ", message);
  }
  [[noreturn]] void fail(std::string_view key, const std::string& message) const {
    throw_at(path(key), child(key), message);
  }

  // Nearest sibling key, else the nearest key anywhere in the schema (as a full path).
  std::string suggestion(const std::string& key) const {
    std::string sibling = nearest(key, declared_);
    if (!sibling.empty()) return " (did you mean '" + path(sibling) + "'?)";
    std::vector<std::string> leaves, paths;
    for (const auto& info : schema_) {
      auto cut = info.path.find_last_of('.');
      leaves.push_back(cut == std::string::npos ? info.path : info.path.substr(cut + 1));
      paths.push_back(info.path);
    }
    std::string leaf = nearest(key, leaves);
    if (leaf.empty()) return " (valid keys here: " + join(declared_, ", ") + ")";
    auto at = std::find(leaves.begin(), leaves.end(), leaf) - leaves.begin();
    return " (did you mean '" + paths[at] + "'?)";
  }

  template <class Parse>
  bool read_scalar(std::string_view key, const char* expected, Parse parse) {
    declare(key);
    YAML::Node node = child(key);
    if (!node.IsDefined()) return false;
    if (!node.IsScalar() || !parse(node.Scalar())) {
      fail(key, "'" + path(key) + "' expects " + expected + ", got " + describe_node(node));
    }
    return true;
  }

  template <class T, class Parse>
  void read_list(std::string_view key, std::vector<T>& out, const char* expected, Parse parse,
                 const Field& f) {
    declare(key);
    YAML::Node node = child(key);
    if (!node.IsDefined()) return;
    if (!node.IsSequence())
      fail(key, "'" + path(key) + "' expects " + expected + ", got " + describe_node(node));
    std::vector<T> values;
    for (std::size_t i = 0; i < node.size(); ++i) {
      T parsed{};
      if (!node[i].IsScalar() || !parse(node[i].Scalar(), parsed)) {
        fail(key, "'" + path(key) + "[" + std::to_string(i) + "]' expects " + expected + ", got " +
                      describe_node(node[i]));
      }
      if constexpr (!std::is_same_v<T, std::string>) {
        check_range(key, static_cast<double>(parsed), node[i].Scalar(), f);
      }
      values.push_back(parsed);
    }
    if (f.require_non_empty && values.empty()) fail(key, "'" + path(key) + "' must not be empty");
    out = std::move(values);
  }

  void check_range(std::string_view key, double value, const std::string& text,
                   const Field& f) const {
    std::string expected = f.violation(value);
    if (!expected.empty()) {
      fail(key, "'" + path(key) + "' = " + text + " is out of range (expected " + expected + ")");
    }
  }

  const ConfigDocument::Impl& doc_;
  YAML::Node node_;
  std::string path_;
  const std::vector<KeyInfo>& schema_;
  std::vector<std::string> declared_;
};

}  // namespace

ConfigDocument::ConfigDocument(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConfigDocument ConfigDocument::from_string(const std::string& text, const std::string& source) {
  auto impl = std::make_shared<Impl>();
  impl->source = source;
  try {
    impl->root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    NS_THROW(ConfigError, source, ":", e.mark.line + 1, ":", e.mark.column + 1,
             ": YAML syntax error: ", e.msg);
  }
  if (impl->root.IsNull()) impl->root = YAML::Node(YAML::NodeType::Map);
  if (!impl->root.IsMap()) {
    NS_THROW(ConfigError, source, ": expected a mapping of keys at the top level, got ",
             describe_node(impl->root));
  }
  return ConfigDocument(std::move(impl));
}

ConfigDocument ConfigDocument::from_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) NS_THROW(ConfigError, "cannot read config file '", path, "': ", std::strerror(errno));
  return from_string(*text, path);
}

ConfigDocument ConfigDocument::empty(const std::string& source) { return from_string("", source); }

const std::string& ConfigDocument::source() const { return impl_->source; }

bool is_override(const std::string& arg) {
  static const std::regex kPattern("^[A-Za-z_][A-Za-z0-9_.\\-]*=.*$");
  return std::regex_match(arg, kPattern);
}

std::string ConfigDocument::top_level_scalar(const std::string& key,
                                             const std::string& fallback) const {
  const YAML::Node& root = impl_->root;  // const: looking a key up must not insert it
  if (!root.IsMap()) return fallback;
  const YAML::Node value = root[key];
  return value && value.IsScalar() ? value.Scalar() : fallback;
}

void ConfigDocument::apply_overrides(const std::vector<std::string>& overrides) {
  for (const std::string& text : overrides) {
    NS_CHECK_AS(ConfigError, is_override(text), "command-line override '", text,
                "': expected key.sub=value (key of letters, digits, '_', '-' and '.')");
    impl_->pending.push_back(text);
  }
}

namespace {

// Applies `texts` to `root`, recording each override's display path in `origins`.
void apply_to(YAML::Node root, const std::vector<std::string>& texts,
              std::map<std::string, std::string>& origins) {
  for (const std::string& text : texts) {
    const std::string where = "command-line override '" + text + "'";
    auto eq = text.find('=');
    std::string key = text.substr(0, eq);
    std::vector<std::string> segments;
    for (std::size_t start = 0;;) {
      auto dot = key.find('.', start);
      segments.push_back(key.substr(start, dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const auto& s : segments)
      NS_CHECK_AS(ConfigError, !s.empty(), where, ": empty key segment");

    YAML::Node value;
    try {
      value = YAML::Load(text.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      NS_THROW(ConfigError, where, ": value is not valid YAML: ", e.msg);
    }

    // Walk to the parent of the last segment, creating mappings as needed.
    YAML::Node node = root;
    std::string display;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const std::string& seg = segments[i];
      bool last = i + 1 == segments.size();
      std::int64_t index = -1;
      if (node.IsSequence()) {
        NS_CHECK_AS(
            ConfigError,
            parse_int(seg, index) && index >= 0 && index < static_cast<std::int64_t>(node.size()),
            where, ": '", display, "' is a list of ", node.size(), " elements; '", seg,
            "' is not a valid index");
        display += "[" + seg + "]";
        if (last) {
          node[static_cast<std::size_t>(index)] = value;
        } else {
          node.reset(node[static_cast<std::size_t>(index)]);
        }
        continue;
      }
      if (node.IsNull()) node = YAML::Node(YAML::NodeType::Map);
      NS_CHECK_AS(ConfigError, node.IsMap(), where, ": '", display,
                  "' is not a section, so it has no key '", seg, "'");
      display = join_path(display, seg);
      if (last) {
        node[seg] = value;
      } else {
        if (!node[seg].IsDefined() || node[seg].IsNull())
          node[seg] = YAML::Node(YAML::NodeType::Map);
        YAML::Node next = node[seg];
        node.reset(next);
      }
    }
    origins[display] = text;
  }
}

}  // namespace

void ConfigDocument::read_into(const Describer& describe) const {
  std::vector<KeyInfo> schema = list_keys(describe);
  {
    YamlReader reader(*impl_, impl_->root, "", schema);
    describe(reader);
    reader.finish();
  }
  if (impl_->pending.empty()) return;
  // Second pass: the resolved values (file + defaults) with the overrides applied on top.
  // Errors can only come from overrides now; origin() names them.
  Impl resolved;
  resolved.source = impl_->source;
  resolved.root = YAML::Load(to_yaml(describe));
  apply_to(resolved.root, impl_->pending, resolved.overrides);
  YamlReader reader(resolved, resolved.root, "", schema);
  describe(reader);
  reader.finish();
}

}  // namespace neuroscale::io
