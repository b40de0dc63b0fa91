#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/check.h"
#include "io/config/config_document.h"
#include "io/synth/synth_options.h"

namespace neuroscale::io {
namespace {

// A schema shaped like the training configs: a nested section, a list of mappings, enums.
struct Optim {
  double lr = 5e-4;
  double weight_decay = 1e-5;
  std::string schedule = "cosine";
};
struct Item {
  std::string name = "a";
  int channels = 96;
};
struct TestConfig {
  std::int64_t steps = 100;
  bool bf16 = false;
  std::vector<std::int64_t> ranks = {1, 2};
  Optim optim;
  std::vector<Item> items = {{"a", 96}};
};

void describe(ConfigVisitor& v, TestConfig& c) {
  v.value("steps", c.steps, Field("training steps").at_least(1));
  v.value("bf16", c.bf16, Field("bf16 autocast"));
  v.value("ranks", c.ranks, Field("rank counts").at_least(1));
  v.section("optim", "optimiser", [&](ConfigVisitor& o) {
    o.value("lr", c.optim.lr, Field("peak learning rate").greater_than(0));
    o.value("weight_decay", c.optim.weight_decay, Field("AdamW weight decay").at_least(0));
    o.value("schedule", c.optim.schedule, Field("schedule").one_of({"cosine", "constant"}));
  });
  list(v, "items", "items", c.items, [](ConfigVisitor& s, Item& item) {
    s.value("name", item.name, Field("name").non_empty());
    s.value("channels", item.channels, Field("channels").range(1, 512));
  });
}

TestConfig load(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  auto doc = ConfigDocument::from_string(yaml, "configs/test.yaml");
  doc.apply_overrides(overrides);
  TestConfig config;
  doc.read_into([&](ConfigVisitor& v) { describe(v, config); });
  return config;
}

std::string error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    load(yaml, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Config, ReadsValuesAndKeepsDefaults) {
  TestConfig c =
      load("steps: 20\noptim:\n  lr: 1e-3\nitems:\n  - {name: t15, channels: 512}\n  - name: m1\n");
  EXPECT_EQ(c.steps, 20);
  EXPECT_DOUBLE_EQ(c.optim.lr, 1e-3);
  EXPECT_DOUBLE_EQ(c.optim.weight_decay, 1e-5);  // default kept
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].channels, 512);
  EXPECT_EQ(c.items[1].name, "m1");
  EXPECT_EQ(c.items[1].channels, 96);  // element default
  EXPECT_FALSE(c.bf16);
}

TEST(Config, MisspelledKeyNamesPathFileLineAndNearestKey) {
  EXPECT_EQ(error_of("steps: 20\noptim:\n  lrr: 0.1\n"),
            "configs/test.yaml:3: unknown key 'optim.lrr' (did you mean 'optim.lr'?)");
  EXPECT_EQ(
      error_of("items:\n  - name: x\n    chanels: 3\n"),
      "configs/test.yaml:3: unknown key 'items[0].chanels' (did you mean 'items[0].channels'?)");
}

TEST(Config, MisplacedKeySuggestsItsFullPath) {
  EXPECT_EQ(error_of("weight_decay: 0.1\n"),
            "configs/test.yaml:1: unknown key 'weight_decay' (did you mean 'optim.weight_decay'?)");
}

TEST(Config, MisspelledOverrideNamesTheOverride) {
  EXPECT_EQ(error_of("steps: 20\n", {"optim.lrr=0.1"}),
            "command-line override 'optim.lrr=0.1' (applied to configs/test.yaml): unknown key "
            "'optim.lrr' (did you mean 'optim.lr'?)");
}

TEST(Config, WrongTypeAndOutOfRangeAreReportedTheSameWay) {
  EXPECT_EQ(error_of("steps: many\n"),
            "configs/test.yaml:1: 'steps' expects an integer, got 'many'");
  EXPECT_EQ(error_of("steps: 2.5\n"), "configs/test.yaml:1: 'steps' expects an integer, got '2.5'");
  EXPECT_EQ(error_of("optim:\n  lr: -1\n"),
            "configs/test.yaml:2: 'optim.lr' = -1 is out of range (expected > 0)");
  EXPECT_EQ(error_of("bf16: maybe\n"),
            "configs/test.yaml:1: 'bf16' expects a boolean (true/false), got 'maybe'");
  EXPECT_EQ(error_of("optim: 3\n"),
            "configs/test.yaml:1: 'optim' expects a mapping of keys, got '3'");
  EXPECT_EQ(error_of("ranks: [1, 0]\n"),
            "configs/test.yaml:1: 'ranks' = 0 is out of range (expected >= 1)");
  EXPECT_EQ(
      error_of("optim:\n  schedule: cosin\n"),
      "configs/test.yaml:2: 'optim.schedule' = 'cosin' is not valid (expected one of: cosine, "
      "constant) (did you mean 'cosine'?)");
  EXPECT_EQ(error_of("", {"optim.lr=0"}),
            "command-line override 'optim.lr=0' (applied to configs/test.yaml): 'optim.lr' = 0 is "
            "out of range (expected > 0)");
  EXPECT_EQ(error_of("", {"steps=abc"}),
            "command-line override 'steps=abc' (applied to configs/test.yaml): 'steps' expects an "
            "integer, got 'abc'");
}

TEST(Config, OverridesReplaceCreateAndIndexLists) {
  TestConfig c =
      load("steps: 20\nitems:\n  - name: x\n",
           {"steps=30", "optim.lr=2e-4", "items.0.channels=128", "ranks=[4, 8]", "bf16=true"});
  EXPECT_EQ(c.steps, 30);
  EXPECT_DOUBLE_EQ(c.optim.lr, 2e-4);
  EXPECT_EQ(c.items[0].channels, 128);
  EXPECT_EQ(c.ranks, (std::vector<std::int64_t>{4, 8}));
  EXPECT_TRUE(c.bf16);
  EXPECT_THROW(load("", {"items.3.channels=1"}), ConfigError);
  EXPECT_THROW(load("", {"steps.sub=1"}), ConfigError);
  EXPECT_THROW(load("", {"=1"}), ConfigError);
}

TEST(Config, SyntaxErrorAndMissingFileNameTheFile) {
  EXPECT_NE(error_of("steps: [1, 2\n").find("configs/test.yaml:"), std::string::npos);
  EXPECT_NE(error_of("steps: [1, 2\n").find("YAML syntax error"), std::string::npos);
  try {
    ConfigDocument::from_file("/nonexistent/pretrain.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot read config file '/nonexistent/pretrain.yaml': No such file or directory");
  }
  EXPECT_EQ(error_of("- 1\n- 2\n"),
            "configs/test.yaml: expected a mapping of keys at the top level, got a list");
}

TEST(Config, ResolvedYamlRoundTripsAndListsKeys) {
  TestConfig c =
      load("steps: 7\noptim: {lr: 0.00025, schedule: constant}\nitems: [{name: t, channels: 3}]\n");
  Describer d = [&](ConfigVisitor& v) { describe(v, c); };
  const std::string yaml = to_yaml(d);
  TestConfig again = load(yaml);
  EXPECT_EQ(again.steps, 7);
  EXPECT_DOUBLE_EQ(again.optim.lr, 0.00025);
  EXPECT_EQ(again.optim.schedule, "constant");
  EXPECT_EQ(again.items[0].channels, 3);
  EXPECT_EQ(to_yaml([&](ConfigVisitor& v) { describe(v, again); }), yaml);

  auto keys = list_keys(d);
  std::vector<std::string> paths;
  for (const auto& k : keys) paths.push_back(k.path);
  EXPECT_EQ(paths,
            (std::vector<std::string>{"steps", "bf16", "ranks", "optim.lr", "optim.weight_decay",
                                      "optim.schedule", "items[].name", "items[].channels"}));
  EXPECT_EQ(keys[3].constraint, "> 0");
  EXPECT_EQ(c.items.size(), 1u);  // listing does not disturb the object
}

TEST(Config, ShippedSynthConfigsAreValid) {
  for (const char* name : {"tiny", "small", "paper"}) {
    const std::string path =
        std::string(NEUROSCALE_SOURCE_DIR) + "/configs/synth/" + name + ".yaml";
    SynthOptions options;
    auto doc = ConfigDocument::from_file(path);
    EXPECT_NO_THROW(doc.read_into([&](ConfigVisitor& v) { describe(v, options); })) << path;
    EXPECT_NO_THROW(validate(options, path));
    EXPECT_GE(options.subjects.size(), 2u) << path;
  }
}

}  // namespace
}  // namespace neuroscale::io

namespace neuroscale::io {
namespace {

// The key reference in docs/configuration.md lists every synth key the schema declares.
TEST(Config, DocumentationListsEverySynthKey) {
  std::ifstream in(std::string(NEUROSCALE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream text;
  text << in.rdbuf();
  SynthOptions options;
  for (const auto& key : list_keys([&](ConfigVisitor& v) { describe(v, options); })) {
    EXPECT_NE(text.str().find("| `" + key.path + "` |"), std::string::npos)
        << key.path << " is missing from docs/configuration.md";
  }
}

}  // namespace
}  // namespace neuroscale::io
