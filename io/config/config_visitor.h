// The one description of a configuration schema. Each options struct has a function
//   void describe(ConfigVisitor& v, XxxOptions& o);
// naming its keys, documentation and valid ranges. The same description is read from YAML
// (with errors naming file, line and key path), written back as the resolved config, and
// listed as the key reference. Modules never see YAML: they receive filled options structs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neuroscale::io {

// Documentation and constraints of one key. Built fluently:
//   Field("peak learning rate").greater_than(0)
//   Field("loss on masked bins").one_of({"mse", "poisson"})
struct Field {
  explicit Field(std::string doc_) : doc(std::move(doc_)) {}
  Field& at_least(double v) {
    min = v;
    return *this;
  }
  Field& greater_than(double v) {
    min = v;
    min_exclusive = true;
    return *this;
  }
  Field& at_most(double v) {
    max = v;
    return *this;
  }
  Field& less_than(double v) {
    max = v;
    max_exclusive = true;
    return *this;
  }
  Field& range(double lo, double hi) {
    min = lo;
    max = hi;
    return *this;
  }
  Field& one_of(std::vector<std::string> values) {
    choices = std::move(values);
    return *this;
  }
  Field& non_empty() {
    require_non_empty = true;
    return *this;
  }

  // "", or what the value must be: "> 0", "in [0, 1]", "one of: mse, poisson".
  std::string describe_constraint() const;
  // Empty when `value` satisfies the numeric constraint, else the constraint text.
  std::string violation(double value) const;

  std::string doc;
  std::optional<double> min, max;
  bool min_exclusive = false, max_exclusive = false;
  std::vector<std::string> choices;
  bool require_non_empty = false;
};

class ConfigVisitor {
 public:
  virtual ~ConfigVisitor() = default;

  virtual void value(std::string_view key, bool& v, const Field& field) = 0;
  virtual void value(std::string_view key, std::int64_t& v, const Field& field) = 0;
  virtual void value(std::string_view key, int& v, const Field& field) = 0;
  virtual void value(std::string_view key, double& v, const Field& field) = 0;
  virtual void value(std::string_view key, std::string& v, const Field& field) = 0;
  virtual void value(std::string_view key, std::vector<std::int64_t>& v, const Field& field) = 0;
  virtual void value(std::string_view key, std::vector<double>& v, const Field& field) = 0;
  virtual void value(std::string_view key, std::vector<std::string>& v, const Field& field) = 0;

  // A nested mapping: `body` describes its keys with this visitor scoped to the section.
  virtual void section(std::string_view key, const std::string& doc,
                       const std::function<void(ConfigVisitor&)>& body) = 0;

  // A list of mappings. `count` is the current length; readers call `resize` with the length
  // found in the file; `item(v, i)` describes element i.
  virtual void sequence(std::string_view key, const std::string& doc, std::size_t count,
                        const std::function<void(std::size_t)>& resize,
                        const std::function<void(ConfigVisitor&, std::size_t)>& item) = 0;
};

// Describes a std::vector<T> of mappings, T described by `describe_item(v, T&)`.
template <class T, class Describe>
void list(ConfigVisitor& v, std::string_view key, const std::string& doc, std::vector<T>& items,
          Describe describe_item) {
  v.sequence(
      key, doc, items.size(), [&](std::size_t n) { items.resize(n); },
      [&](ConfigVisitor& sub, std::size_t i) { describe_item(sub, items[i]); });
}

// Type-erased "describe this options object".
using Describer = std::function<void(ConfigVisitor&)>;

// One documented key of a schema, as listed for the key reference and for suggestions.
struct KeyInfo {
  std::string path;   // "optim.lr", "subjects[].channels"
  std::string type;   // "float", "int", "bool", "string", "list of int", ...
  std::string value;  // the value in the described object (the default, for a fresh one)
  std::string doc;
  std::string constraint;
};

// Every key of the schema, in declaration order. List items are described once from a
// default-constructed element and appear as "name[].key".
std::vector<KeyInfo> list_keys(const Describer& describe);

// The described object as YAML (what a run directory's config.yaml holds).
std::string to_yaml(const Describer& describe);

}  // namespace neuroscale::io
