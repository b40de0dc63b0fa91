#include "io/config/sweep_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/check.h"
#include "core/text.h"

namespace neuroscale::io {
namespace {

constexpr int kMaxElements = 1000;  // Slurm's default MaxArraySize is 1001 (indices 0..1000)

// A value as it is written in an override: scalars as they are, lists in flow style.
std::string yaml_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter emitter;
  emitter << YAML::Flow << node;
  return emitter.c_str();
}

// A value as a file-name part: letters, digits, '.', '-' kept; lists joined by '+'.
std::string name_part(const YAML::Node& node) {
  std::string text;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) text += (i ? "+" : "") + name_part(node[i]);
    return text;
  }
  for (char c : yaml_text(node)) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-';
    text += plain ? c : '_';
  }
  return text;
}

int positive_int(const YAML::Node& node, const std::string& key, const std::string& source, int low,
                 int high) {
  int value = 0;
  try {
    value = node.as<int>();
  } catch (const YAML::Exception&) {
    NS_THROW(ConfigError, source, ": '", key, "' must be an integer, not '", yaml_text(node), "'");
  }
  NS_CHECK_AS(ConfigError, value >= low && value <= high, source, ": '", key, "' is ", value,
              "; expected ", low, " to ", high);
  return value;
}

bool looks_like_key(const std::string& key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  }
  return true;
}

// A mapping key as text; a key that is not a scalar (YAML allows lists and maps as keys) is
// a ConfigError naming where it is.
std::string key_text(const YAML::Node& key, const std::string& path, const char* where) {
  NS_CHECK_AS(ConfigError, key.IsScalar(), path, ": ", where,
              " has a key that is not a plain name");
  return key.Scalar();
}

}  // namespace

SweepSpec read_sweep_spec(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    NS_THROW(ConfigError, "sweep spec '", path, "' cannot be read");
  } catch (const YAML::Exception& error) {
    NS_THROW(ConfigError, "sweep spec '", path, "' is not valid YAML: ", error.what());
  }
  NS_CHECK_AS(ConfigError, root.IsMap(), "sweep spec '", path, "' must be a mapping of keys");
  SweepSpec spec;
  spec.source = path;
  const std::vector<std::string> known = {
      "name",  "command",        "config",        "set",           "grid",
      "nodes", "tasks_per_node", "cpus_per_task", "gpus_per_node", "time"};
  for (const auto& item : root) {
    const auto key = key_text(item.first, path, "the spec");
    NS_CHECK_AS(ConfigError, std::find(known.begin(), known.end(), key) != known.end(), path,
                ": unknown key '", key, "'", did_you_mean(key, known),
                " (expected: ", join(known, ", "), ")");
  }
  for (const char* required : {"name", "command", "config"}) {
    NS_CHECK_AS(ConfigError,
                root[required] && root[required].IsScalar() && !root[required].Scalar().empty(),
                path, ": '", required, "' is required");
  }
  spec.name = root["name"].Scalar();
  NS_CHECK_AS(ConfigError, name_part(root["name"]) == spec.name, path, ": 'name' (", spec.name,
              ") may hold only letters, digits, '.' and '-' (it names directories and jobs)");
  spec.command = root["command"].Scalar();
  const std::vector<std::string> commands = {"pretrain", "finetune", "braintune", "evaluate"};
  NS_CHECK_AS(ConfigError,
              std::find(commands.begin(), commands.end(), spec.command) != commands.end(), path,
              ": 'command' is '", spec.command, "'", did_you_mean(spec.command, commands),
              "; expected one of ", join(commands, ", "));
  spec.config = root["config"].Scalar();
  if (const auto set = root["set"]) {
    NS_CHECK_AS(ConfigError, set.IsMap(), path, ": 'set' must map config keys to values");
    for (const auto& item : set) {
      const auto key = key_text(item.first, path, "'set'");
      NS_CHECK_AS(ConfigError, looks_like_key(key), path, ": 'set' key '", key,
                  "' is not a config key (key.sub)");
      spec.set.push_back(key + "=" + yaml_text(item.second));
    }
  }
  std::int64_t elements = 1;
  if (const auto grid = root["grid"]) {
    NS_CHECK_AS(ConfigError, grid.IsMap(), path,
                ": 'grid' must map config keys to lists of values");
    for (const auto& item : grid) {
      const auto key = key_text(item.first, path, "'grid'");
      NS_CHECK_AS(ConfigError, looks_like_key(key), path, ": 'grid' key '", key,
                  "' is not a config key (key.sub)");
      NS_CHECK_AS(ConfigError, item.second.IsSequence() && item.second.size() > 0, path, ": 'grid.",
                  key, "' must be a non-empty list of values");
      for (const auto& fixed : spec.set) {
        NS_CHECK_AS(ConfigError, fixed.rfind(key + "=", 0) != 0, path, ": '", key,
                    "' is in both 'set' and 'grid'");
      }
      std::vector<std::string> values;
      for (const auto& value : item.second)
        values.push_back(yaml_text(value) + "\t" + name_part(value));
      spec.grid.emplace_back(key, values);
      elements *= static_cast<std::int64_t>(values.size());
    }
  }
  if (const auto nodes = root["nodes"]) {
    spec.nodes.clear();
    if (nodes.IsSequence()) {
      NS_CHECK_AS(ConfigError, nodes.size() > 0, path,
                  ": 'nodes' must be a non-empty list of node counts");
      for (const auto& n : nodes) spec.nodes.push_back(positive_int(n, "nodes", path, 1, 100000));
    } else {
      spec.nodes.push_back(positive_int(nodes, "nodes", path, 1, 100000));
    }
    elements *= static_cast<std::int64_t>(spec.nodes.size());
  }
  if (root["tasks_per_node"])
    spec.tasks_per_node = positive_int(root["tasks_per_node"], "tasks_per_node", path, 1, 1024);
  if (root["cpus_per_task"])
    spec.cpus_per_task = positive_int(root["cpus_per_task"], "cpus_per_task", path, 1, 4096);
  if (root["gpus_per_node"])
    spec.gpus_per_node = positive_int(root["gpus_per_node"], "gpus_per_node", path, 0, 64);
  if (root["time"]) spec.time = root["time"].Scalar();
  NS_CHECK_AS(ConfigError, elements <= kMaxElements, path, ": the grid has ", elements,
              " elements; a Slurm array holds at most ", kMaxElements,
              " by default: split the sweep");
  return spec;
}

std::vector<SweepElement> expand_sweep(const SweepSpec& spec) {
  std::size_t combinations = 1;
  for (const auto& axis : spec.grid) combinations *= axis.second.size();
  std::vector<SweepElement> elements;
  for (int nodes : spec.nodes) {
    for (std::size_t combination = 0; combination < combinations; ++combination) {
      SweepElement element;
      element.index = static_cast<int>(elements.size());
      element.nodes = nodes;
      element.overrides = spec.set;
      char index[16];
      std::snprintf(index, sizeof(index), "%03d", element.index);
      std::string name = index;
      if (spec.nodes.size() > 1) name += "_nodes-" + std::to_string(nodes);
      // Mixed-radix digits of `combination`, the last axis varying fastest.
      std::vector<std::size_t> digit(spec.grid.size());
      std::size_t rest = combination;
      for (std::size_t axis = spec.grid.size(); axis-- > 0;) {
        digit[axis] = rest % spec.grid[axis].second.size();
        rest /= spec.grid[axis].second.size();
      }
      for (std::size_t axis = 0; axis < spec.grid.size(); ++axis) {
        const auto& [key, values] = spec.grid[axis];
        const auto& value = values[digit[axis]];  // "<override text>\t<name part>"
        const auto tab = value.find('\t');
        element.overrides.push_back(key + "=" + value.substr(0, tab));
        name += "_" + key.substr(key.rfind('.') + 1) + "-" + value.substr(tab + 1);
      }
      element.name = name.substr(0, 120);
      elements.push_back(std::move(element));
    }
  }
  return elements;
}

std::string sweep_plan(const SweepSpec& spec, const std::vector<SweepElement>& elements) {
  std::ostringstream out;
  out << "# neuroscale sweep plan of " << spec.source << "\n"
      << "#name\t" << spec.name << "\n#command\t" << spec.command << "\n#config\t" << spec.config
      << "\n"
      << "#tasks_per_node\t" << spec.tasks_per_node << "\n#cpus_per_task\t" << spec.cpus_per_task
      << "\n"
      << "#gpus_per_node\t" << spec.gpus_per_node << "\n#time\t" << spec.time << "\n"
      << "#elements\t" << elements.size() << "\n";
  for (const auto& element : elements) {
    out << element.index << "\t" << element.name << "\t" << element.nodes;
    for (const auto& override_ : element.overrides) out << "\t" << override_;
    out << "\n";
  }
  return out.str();
}

}  // namespace neuroscale::io
