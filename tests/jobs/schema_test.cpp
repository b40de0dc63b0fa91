#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/config/config_document.h"
#include "jobs/schema/evaluate_schema.h"
#include "jobs/schema/finetune_schema.h"
#include "jobs/schema/lm_schema.h"
#include "jobs/schema/pretrain_schema.h"

namespace neuroscale::jobs {
namespace {

using io::ConfigVisitor;

// The key reference in docs/configuration.md lists every pretrain key the schema declares
// (data, train, checkpoint, model, masking, optimiser, schedule).
// Every key `Config`'s schema has appears as a row of docs/configuration.md.
template <typename Config>
void expect_every_key_documented(std::size_t at_least) {
  std::ifstream in(std::string(NEUROSCALE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream text;
  text << in.rdbuf();
  Config config;
  const auto keys = io::list_keys([&](ConfigVisitor& v) { describe(v, config); });
  EXPECT_GT(keys.size(), at_least);
  for (const auto& key : keys) {
    EXPECT_NE(text.str().find("| `" + key.path + "` |"), std::string::npos)
        << key.path << " is missing from docs/configuration.md";
  }
}

TEST(Config, DocumentationListsEveryTrainingKey) {
  expect_every_key_documented<PretrainConfig>(25);
}

TEST(Config, DocumentationListsEveryLanguageModelKey) {
  expect_every_key_documented<LmTrainConfig>(35);
}

TEST(Config, DocumentationListsEveryFineTuningKey) {
  expect_every_key_documented<FinetuneConfig>(40);
}

TEST(Config, DocumentationListsEveryEvaluationKey) {
  expect_every_key_documented<EvaluateConfig>(20);
}

}  // namespace
}  // namespace neuroscale::jobs
