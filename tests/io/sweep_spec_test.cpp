#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "core/check.h"
#include "io/config/sweep_spec.h"

namespace neuroscale::io {
namespace {

std::string write_spec(const std::string& name, const std::string& text) {
  const std::string path =
      testing::TempDir() + "neuroscale_sweep_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

const char* kSpec =
    "name: scaling\n"
    "command: pretrain\n"
    "config: configs/pretrain/tiny.yaml\n"
    "set: {train.max_steps: 30}\n"
    "grid:\n"
    "  data.subjects: [[human-a], [human-a, monkey-a]]\n"
    "  seed: [1, 2, 3]\n"
    "nodes: [1, 2]\n"
    "tasks_per_node: 4\n"
    "gpus_per_node: 4\n";

TEST(SweepSpec, ExpandsTheGridWithTheLastAxisFastestAndNodesOutermost) {
  const auto spec = read_sweep_spec(write_spec("grid.yaml", kSpec));
  const auto elements = expand_sweep(spec);
  ASSERT_EQ(elements.size(), 12u);  // 2 node counts x 2 subject sets x 3 seeds
  EXPECT_EQ(elements[0].name, "000_nodes-1_subjects-human-a_seed-1");
  EXPECT_EQ(elements[0].overrides,
            (std::vector<std::string>{"train.max_steps=30", "data.subjects=[human-a]", "seed=1"}));
  EXPECT_EQ(elements[1].overrides.back(), "seed=2");
  EXPECT_EQ(elements[3].name, "003_nodes-1_subjects-human-a+monkey-a_seed-1");
  EXPECT_EQ(elements[3].overrides[1], "data.subjects=[human-a, monkey-a]");
  EXPECT_EQ(elements[6].nodes, 2);
  EXPECT_EQ(elements[11].name, "011_nodes-2_subjects-human-a+monkey-a_seed-3");
  for (std::size_t i = 0; i < elements.size(); ++i)
    EXPECT_EQ(elements[i].index, static_cast<int>(i));

  const std::string plan = sweep_plan(spec, elements);
  EXPECT_NE(plan.find("#command\tpretrain\n"), std::string::npos);
  EXPECT_NE(plan.find("#gpus_per_node\t4\n"), std::string::npos);
  EXPECT_NE(plan.find("\n4\t004_nodes-1_subjects-human-a+monkey-a_seed-2\t1\ttrain.max_steps=30\t"
                      "data.subjects=[human-a, monkey-a]\tseed=2\n"),
            std::string::npos)
      << plan;
}

TEST(SweepSpec, WithoutAGridIsOneElementPerNodeCount) {
  const auto spec =
      read_sweep_spec(write_spec("plain.yaml", "name: one\ncommand: pretrain\nconfig: c.yaml\n"));
  const auto elements = expand_sweep(spec);
  ASSERT_EQ(elements.size(), 1u);
  EXPECT_EQ(elements[0].name, "000");
  EXPECT_EQ(elements[0].nodes, 1);
  EXPECT_TRUE(elements[0].overrides.empty());
}

void expect_refused(const std::string& text, const std::string& fragment) {
  const auto path = write_spec("bad.yaml", text);
  try {
    read_sweep_spec(path);
    ADD_FAILURE() << "accepted: " << text;
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

TEST(SweepSpec, RefusesBadSpecsNamingTheFileAndKey) {
  const std::string head = "name: s\ncommand: pretrain\nconfig: c.yaml\n";
  expect_refused(head + "grdi: {seed: [1]}\n", "unknown key 'grdi' (did you mean 'grid'?)");
  expect_refused("name: s\ncommand: pretrian\nconfig: c.yaml\n",
                 "'command' is 'pretrian' (did you mean 'pretrain'?)");
  expect_refused("command: pretrain\nconfig: c.yaml\n", "'name' is required");
  expect_refused("name: a b\ncommand: pretrain\nconfig: c.yaml\n", "may hold only letters");
  expect_refused(head + "grid: {seed: []}\n", "'grid.seed' must be a non-empty list");
  expect_refused(head + "grid: {seed: 3}\n", "'grid.seed' must be a non-empty list");
  expect_refused(head + "grid: {Seed: [1]}\n", "'Seed' is not a config key");
  expect_refused(head + "set: {seed: 1}\ngrid: {seed: [1, 2]}\n",
                 "'seed' is in both 'set' and 'grid'");
  expect_refused(head + "nodes: [0]\n", "'nodes' is 0; expected 1 to");
  expect_refused(head + "tasks_per_node: four\n", "'tasks_per_node' must be an integer");
  expect_refused(head + "gpus_per_node: 65\n", "'gpus_per_node' is 65");
  std::string many = head + "grid:\n  seed: [";
  for (int i = 0; i < 1001; ++i) many += (i ? ", " : "") + std::to_string(i);
  expect_refused(many + "]\n", "the grid has 1001 elements");
  expect_refused("[1, 2]\n", "must be a mapping");
  expect_refused("name: [\n", "is not valid YAML");
}

}  // namespace
}  // namespace neuroscale::io
