#include "io/run/plot_data.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "core/check.h"
#include "core/json.h"
#include "io/run/report_table.h"

namespace neuroscale::io {
namespace {

double find_or_nan(const std::map<std::string, double>& values, const std::string& key) {
  const auto it = values.find(key);
  return it == values.end() ? std::nan("") : it->second;
}

// data.label_fraction of the run whose config.yaml is at `dir` or up to two levels above it
// (a checkpoint= of an evaluate run names a run directory or a checkpoint inside one); NaN
// when none has one.
double label_fraction_near(std::string dir) {
  for (int level = 0; level < 3 && !dir.empty(); ++level) {
    const std::string path = dir + "/config.yaml";
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) {
      try {
        const YAML::Node node = YAML::LoadFile(path);
        if (node["data"] && node["data"]["label_fraction"])
          return node["data"]["label_fraction"].as<double>();
      } catch (const YAML::Exception& error) {
        NS_THROW(DataError, "'", path, "': cannot read data.label_fraction: ", error.what());
      }
      return std::nan("");
    }
    const auto slash = dir.find_last_of('/');
    dir = slash == std::string::npos ? "" : dir.substr(0, slash);
  }
  return std::nan("");
}

double label_fraction(const RunSummary& run) {
  const auto own = run.config.find("data.label_fraction");
  if (own != run.config.end()) {
    try {
      return std::stod(own->second);
    } catch (const std::exception&) {
      NS_THROW(DataError, "'", run.path, "/config.yaml': data.label_fraction '", own->second,
               "' is not a number");
    }
  }
  const auto checkpoint = run.config.find("checkpoint");
  if (!run.evaluation.empty() && checkpoint != run.config.end() && !checkpoint->second.empty()) {
    return label_fraction_near(checkpoint->second);
  }
  return std::nan("");
}

}  // namespace

std::string plot_data_json(const std::vector<RunSummary>& runs) {
  const auto names = run_names(runs);
  auto entries = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    auto records = nlohmann::ordered_json::array();
    for (const auto& line : run.records) {
      nlohmann::ordered_json record;
      record["step"] = line.step;
      for (const auto& [key, value] : line.values) {
        if (std::isfinite(value)) record[key] = value;
      }
      records.push_back(std::move(record));
    }
    nlohmann::ordered_json entry;  // non-finite numbers are written as null
    entry["name"] = names[i];
    entry["path"] = run.path;
    entry["command"] = run.command;
    entry["status"] = run.status;
    entry["world_size"] = run.world_size;
    entry["samples_per_s"] = find_or_nan(run.throughput, "samples_per_s");
    entry["label_fraction"] = label_fraction(run);
    entry["eval_per"] = find_or_nan(run.evaluation, "per");
    entry["records"] = std::move(records);
    entries.push_back(std::move(entry));
  }
  return json_line(nlohmann::ordered_json{{"runs", std::move(entries)}}) + "\n";
}

}  // namespace neuroscale::io
