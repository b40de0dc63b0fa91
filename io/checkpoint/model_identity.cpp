#include "io/checkpoint/model_identity.h"

#include <yaml-cpp/yaml.h>

#include <map>

#include "io/hash/xxhash64.h"

namespace neuroscale::io {
namespace {

// Key path -> value text of every scalar or sequence under `node`, in document order.
void flatten(const YAML::Node& node, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (node.IsMap()) {
    for (const auto& item : node) {
      const auto key = item.first.IsScalar() ? item.first.Scalar()
                                             : YAML::Dump(item.first);  // YAML allows any key
      flatten(item.second, prefix.empty() ? key : prefix + "." + key, out);
    }
    return;
  }
  YAML::Emitter text;
  text << YAML::Flow << node;
  out.emplace_back(prefix, text.c_str());
}

bool parse(const std::string& text, std::vector<std::pair<std::string, std::string>>& out) {
  try {
    const auto root = YAML::Load(text);
    if (!root.IsMap()) return false;
    flatten(root, "", out);
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

}  // namespace

std::string model_identity(const std::string& kind,
                           const std::vector<std::pair<std::string, std::string>>& fields,
                           const std::string& model_yaml) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  if (!kind.empty()) out << YAML::Key << "task" << YAML::Value << kind;
  for (const auto& [key, value] : fields) out << YAML::Key << key << YAML::Value << value;
  // The config's own keys at the top, so a difference reads as the key path a user sets.
  const auto model = YAML::Load(model_yaml);
  if (model.IsMap()) {
    for (const auto& item : model) out << YAML::Key << item.first << YAML::Value << item.second;
  } else {
    out << YAML::Key << "model" << YAML::Value << model;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string model_hash(const std::string& identity) {
  XxHash64 hash;
  hash.update(identity.data(), identity.size());
  return to_hex(hash.digest());
}

std::vector<std::string> identity_differences(const std::string& saved, const std::string& current,
                                              std::size_t limit) {
  if (saved == current) return {};
  std::vector<std::pair<std::string, std::string>> old_keys, new_keys;
  if (!parse(saved, old_keys) || !parse(current, new_keys)) {
    return {
        "the model identity (the checkpoint predates per-key identities: its config hash differs)"};
  }
  const std::map<std::string, std::string> old_map(old_keys.begin(), old_keys.end());
  const std::map<std::string, std::string> new_map(new_keys.begin(), new_keys.end());
  std::vector<std::string> lines;
  std::size_t total = 0;
  const auto add = [&](const std::string& key, const std::string& before,
                       const std::string& after) {
    if (++total <= limit) lines.push_back(key + ": " + before + " -> " + after);
  };
  for (const auto& [key, value] : old_keys) {
    const auto found = new_map.find(key);
    if (found == new_map.end()) {
      add(key, value, "(absent)");
    } else if (found->second != value) {
      add(key, value, found->second);
    }
  }
  for (const auto& [key, value] : new_keys) {
    if (!old_map.count(key)) add(key, "(absent)", value);
  }
  if (total > limit) lines.push_back("... and " + std::to_string(total - limit) + " more");
  if (lines.empty()) lines.push_back("the identity text (same keys and values, different layout)");
  return lines;
}

ModelIdentity::ModelIdentity(const std::string& kind,
                             const std::vector<std::pair<std::string, std::string>>& fields,
                             const std::string& model_yaml)
    : text(model_identity(kind, fields, model_yaml)), hash(model_hash(text)) {}

}  // namespace neuroscale::io
