#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/config/config_document.h"
#include "jobs/schema/lm_schema.h"
#include "jobs/schema/pretrain_schema.h"

namespace neuroscale::jobs {
namespace {

using io::ConfigVisitor;

// The key reference in docs/configuration.md lists every pretrain key the schema declares
// (data, train, checkpoint, model, masking, optimiser, schedule).
TEST(Config, DocumentationListsEveryTrainingKey) {
  std::ifstream in(std::string(NEUROSCALE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream text;
  text << in.rdbuf();
  PretrainConfig config;
  const auto keys = io::list_keys([&](ConfigVisitor& v) { describe(v, config); });
  EXPECT_GT(keys.size(), 25u);
  for (const auto& key : keys) {
    EXPECT_NE(text.str().find("| `" + key.path + "` |"), std::string::npos)
        << key.path << " is missing from docs/configuration.md";
  }
}

TEST(Config, DocumentationListsEveryLanguageModelKey) {
  std::ifstream in(std::string(NEUROSCALE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream text;
  text << in.rdbuf();
  LmTrainConfig config;
  const auto keys = io::list_keys([&](ConfigVisitor& v) { describe(v, config); });
  EXPECT_GT(keys.size(), 35u);
  for (const auto& key : keys) {
    EXPECT_NE(text.str().find("| `" + key.path + "` |"), std::string::npos)
        << key.path << " is missing from docs/configuration.md";
  }
}

}  // namespace
}  // namespace neuroscale::jobs
