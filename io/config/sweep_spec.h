// Sweep specs (configs/sweeps/*.yaml): a grid of config overrides, and of node counts, run
// as the elements of Slurm job arrays. Format (docs/slurm.md):
//   name: participants            # sweep name: its directory and the array job names
//   command: pretrain             # pretrain | finetune | braintune | evaluate
//   config: configs/pretrain/tiny.yaml
//   set: {train.max_steps: 30}    # overrides for every element
//   grid:                         # every combination is one element, in this key order
//     data.subjects: [[human-a], [human-a, monkey-a]]
//     seed: [1, 2, 3]
//   nodes: [1, 2]                 # a grid axis too (default [1])
//   tasks_per_node: 4             # one task per GPU
//   cpus_per_task: 8
//   gpus_per_node: 4              # 0: CPU-only
//   time: "02:00:00"
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace neuroscale::io {

struct SweepSpec {
  std::string source;  ///< the spec's file, for messages
  std::string name;
  std::string command;
  std::string config;
  std::vector<std::string> set;  ///< "key=value" overrides for every element
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;  ///< key -> YAML values
  std::vector<int> nodes = {1};
  int tasks_per_node = 1;
  int cpus_per_task = 1;
  int gpus_per_node = 0;
  std::string time = "01:00:00";
};

struct SweepElement {
  int index = 0;
  std::string name;  ///< "003_seed-2_subjects-human-a", unique by its index prefix
  int nodes = 1;
  std::vector<std::string> overrides;  ///< set, then this element's grid values
};

// Parses and validates `path`. Throws ConfigError naming the file and key: unknown keys (with
// a suggestion), a command that is not one of the four, empty axes, counts out of range,
// or more elements than a Slurm array holds by default (1000).
SweepSpec read_sweep_spec(const std::string& path);

// The elements in grid order (the last axis varies fastest, nodes first of all).
std::vector<SweepElement> expand_sweep(const SweepSpec& spec);

// The plan file the Slurm scripts read: "#"-comment header lines with the spec's settings
// (key<TAB>value), then one line per element: index, name, nodes, overrides (tab-separated).
std::string sweep_plan(const SweepSpec& spec, const std::vector<SweepElement>& elements);

}  // namespace neuroscale::io
