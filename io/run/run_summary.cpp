#include "io/run/run_summary.h"

#include <dirent.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "core/check.h"
#include "core/text.h"
#include "io/fs/files.h"
#include "io/run/metrics_log.h"

namespace neuroscale::io {
namespace {

bool is_run(const std::string& dir) {
  return is_regular_file(dir + "/config.yaml") || is_regular_file(dir + "/metrics.jsonl");
}

std::vector<std::string> subdirectories(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* handle = ::opendir(dir.c_str())) {
    while (const dirent* entry = ::readdir(handle)) {
      const std::string name = entry->d_name;
      if (name != "." && name != ".." && name != "checkpoints" && name != "logs" &&
          is_directory(dir + "/" + name)) {
        names.push_back(name);
      }
    }
    ::closedir(handle);
  }
  std::sort(names.begin(), names.end());
  return names;
}

void collect_runs(const std::string& dir, int depth, std::vector<std::string>& runs) {
  if (is_run(dir)) {
    runs.push_back(dir);
    return;
  }
  if (depth == 0) return;
  for (const auto& name : subdirectories(dir)) collect_runs(dir + "/" + name, depth - 1, runs);
}

// Leaves of a YAML mapping as "a.b" -> scalar text (sequences in flow style).
void flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (node.IsMap()) {
    for (const auto& item : node) {
      const auto key = item.first.IsScalar() ? item.first.Scalar()
                                             : YAML::Dump(item.first);  // YAML allows any key
      flatten(item.second, prefix.empty() ? key : prefix + "." + key, out);
    }
  } else if (node.IsScalar()) {
    out[prefix] = node.Scalar();
  } else {
    YAML::Emitter emitter;
    emitter << YAML::Flow << node;
    out[prefix] = emitter.c_str();
  }
}

// "NAME=value" lines and "key: value" lines of environment.txt.
std::map<std::string, std::string> read_environment(const std::string& path) {
  std::map<std::string, std::string> values;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto equals = line.find('='), colon = line.find(": ");
    if (equals != std::string::npos && line.find(' ') > equals)
      values[line.substr(0, equals)] = line.substr(equals + 1);
    else if (colon != std::string::npos)
      values[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return values;
}

std::int64_t to_int(const std::string& text, const std::string& what, const std::string& path) {
  try {
    std::size_t used = 0;
    const auto value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  NS_THROW(DataError, "'", path, "': ", what, " '", text, "' is not an integer");
}

// A CSV cell: empty for a value that is not finite.
std::string number(double value) { return format_number(value, 7, ""); }

// Rates and per-step times: averaged over the log intervals, reported as mean_<key>.
const std::set<std::string>& throughput_keys() {
  static const std::set<std::string> kKeys = {"samples_per_s",  "tokens_per_s", "bins_per_s",
                                              "flops_per_s",    "step_s",       "data_wait_s",
                                              "comm_exposed_s", "checkpoint_s"};
  return kKeys;
}

// Counts of what a log interval covered, not results.
bool is_count(const std::string& key) {
  return key.size() >= 8 && key.compare(key.size() - 8, 8, "elements") == 0;
}

// The numbers of an evaluate run's evaluation.json (null: NaN; strings left out); empty
// when there is none.
std::map<std::string, double> read_evaluation(const std::string& path) {
  std::map<std::string, double> values;
  if (!is_regular_file(path)) return values;
  std::ifstream in(path);
  NS_CHECK_AS(DataError, in.good(), "cannot read '", path, "'");
  nlohmann::json node;
  try {
    node = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& error) {  // a syntax error, or a number out of range
    NS_THROW(DataError, "'", path, "' is not valid JSON: ", error.what());
  }
  NS_CHECK_AS(DataError, node.is_object(), "'", path, "' is not a JSON object");
  for (const auto& [key, value] : node.items()) {
    if (value.is_null())
      values[key] = std::nan("");
    else if (value.is_number())
      values[key] = value.get<double>();
  }
  return values;
}

}  // namespace

std::vector<std::string> find_runs(const std::vector<std::string>& paths) {
  std::vector<std::string> runs;
  for (auto path : paths) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    NS_CHECK_AS(DataError, is_directory(path), "'", path, "' is not a directory");
    const auto before = runs.size();
    collect_runs(path, 4, runs);
    NS_CHECK_AS(DataError, runs.size() > before, "'", path,
                "' holds no run directory (a directory with config.yaml or metrics.jsonl)");
  }
  return runs;
}

RunSummary summarize_run(const std::string& dir) {
  RunSummary run;
  run.path = dir;
  const std::string config_path = dir + "/config.yaml";
  if (is_regular_file(config_path)) {
    try {
      flatten(YAML::LoadFile(config_path), "", run.config);
    } catch (const YAML::Exception& error) {
      NS_THROW(DataError, "'", config_path, "' is not valid YAML: ", error.what());
    }
    if (run.config.count("train.max_steps")) {
      run.max_steps = to_int(run.config["train.max_steps"], "train.max_steps", config_path);
    }
  }
  const std::string env_path = dir + "/environment.txt";
  auto env = read_environment(env_path);
  if (env.count("world_size")) run.world_size = to_int(env["world_size"], "world_size", env_path);
  run.nodes = env["SLURM_JOB_NUM_NODES"];
  run.job_id = env.count("SLURM_ARRAY_JOB_ID")
                   ? env["SLURM_ARRAY_JOB_ID"] + "_" + env["SLURM_ARRAY_TASK_ID"]
                   : env["SLURM_JOB_ID"];
  if (env.count("SLURM_RESTART_COUNT"))
    run.restarts = to_int(env["SLURM_RESTART_COUNT"], "SLURM_RESTART_COUNT", env_path);
  std::istringstream command_line(env["command"]);
  std::string program;
  command_line >> program >> run.command;  // "<path>/neuroscale pretrain --config ..."
  run.evaluation = read_evaluation(dir + "/evaluation.json");

  run.records = read_metrics_log(dir + "/metrics.jsonl");
  const auto& records = run.records;
  if (records.empty()) {
    run.status = "no-metrics";
    return run;
  }
  std::map<std::string, std::pair<double, int>> sums;
  std::int64_t previous = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& record = records[i];
    for (const auto& [key, value] : record.values) {
      if (std::isnan(value) || is_count(key)) continue;
      if (throughput_keys().count(key)) {
        // The first interval holds the warm-up (allocation, first batches): left out when
        // there is more than one.
        if (i > 0 || records.size() == 1) sums[key].first += value, sums[key].second += 1;
        continue;
      }
      run.final[key] = value;
      if (key.rfind("val_", 0) == 0 && key.find("loss") != std::string::npos) {
        run.best[key] = run.best.count(key) ? std::min(run.best[key], value) : value;
      }
    }
    const auto step_s = record.values.find("step_s");
    if (step_s != record.values.end() && std::isfinite(step_s->second)) {
      run.train_time_s += step_s->second * static_cast<double>(record.step - previous);
    }
    previous = record.step;
  }
  for (const auto& [key, sum] : sums) run.throughput[key] = sum.first / sum.second;
  run.step = records.back().step;
  run.status = run.max_steps > 0 && run.step >= run.max_steps ? "finished" : "incomplete";
  return run;
}

std::string report_csv(const std::vector<RunSummary>& runs) {
  std::set<std::string> config_keys, final_keys, best_keys, rate_keys;
  for (const auto& run : runs) {
    for (const auto& [key, value] : run.config) config_keys.insert(key);
    for (const auto& item : run.final) final_keys.insert(item.first);
    for (const auto& item : run.best) best_keys.insert(item.first);
    for (const auto& item : run.throughput) rate_keys.insert(item.first);
  }
  std::vector<std::string> varying;  // config keys whose value is not the same in every run
  for (const auto& key : config_keys) {
    const auto first = runs.front().config.find(key);
    for (const auto& run : runs) {
      const auto it = run.config.find(key);
      if ((it == run.config.end()) != (first == runs.front().config.end()) ||
          (it != run.config.end() && it->second != first->second)) {
        varying.push_back(key);
        break;
      }
    }
  }
  std::ostringstream out;
  out << "run,status,step,max_steps,world_size,nodes,job_id,restarts,train_time_s";
  for (const auto& key : rate_keys) out << ",mean_" << key;
  for (const auto& key : varying) out << "," << csv_quote("config." + key);
  for (const auto& key : final_keys) out << ",final_" << key;
  for (const auto& key : best_keys) out << ",best_" << key;
  out << "\n";
  const auto value_or_empty = [](const std::map<std::string, double>& values,
                                 const std::string& key) {
    const auto it = values.find(key);
    return it == values.end() ? std::string() : number(it->second);
  };
  for (const auto& run : runs) {
    out << csv_quote(run.path) << "," << run.status << "," << run.step << "," << run.max_steps
        << "," << run.world_size << "," << csv_quote(run.nodes) << "," << csv_quote(run.job_id)
        << "," << run.restarts << "," << number(run.train_time_s);
    for (const auto& key : rate_keys) out << "," << value_or_empty(run.throughput, key);
    for (const auto& key : varying) {
      const auto it = run.config.find(key);
      out << "," << (it == run.config.end() ? "" : csv_quote(it->second));
    }
    for (const auto& key : final_keys) out << "," << value_or_empty(run.final, key);
    for (const auto& key : best_keys) out << "," << value_or_empty(run.best, key);
    out << "\n";
  }
  return out.str();
}

}  // namespace neuroscale::io
