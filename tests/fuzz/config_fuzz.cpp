// Fuzz harness: YAML configs and command-line overrides. The input is a config file; the
// lines after a line "--- overrides" are key=value overrides. It is read into the schema of
// a command (synth, pretrain, finetune or braintune, chosen by the input's size). A bad
// config is a ConfigError.
#include "core/error.h"
#include "io/config/config_document.h"
#include "io/synth/synth_options.h"
#include "jobs/schema/braintune_schema.h"
#include "jobs/schema/finetune_schema.h"
#include "jobs/schema/pretrain_schema.h"
#include "tests/fuzz/fuzz_input.h"

#include <sstream>

namespace {

template <class Config>
void read_as(const neuroscale::io::ConfigDocument& document) {
  Config config;
  try {
    // describe() of io's or jobs' schemas, found by the config's type.
    document.read_into([&](neuroscale::io::ConfigVisitor& v) { describe(v, config); });
  } catch (const neuroscale::ConfigError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size), overrides_text;
  const auto split = text.find("\n--- overrides\n");
  if (split != std::string::npos) {
    overrides_text = text.substr(split + 15);
    text.resize(split + 1);
  }
  std::vector<std::string> overrides;
  std::istringstream lines(overrides_text);
  for (std::string line; std::getline(lines, line);) overrides.push_back(line);
  const auto path = neuroscale::fuzz::input_file(reinterpret_cast<const std::uint8_t*>(text.data()),
                                                 text.size(), "config.yaml");
  try {
    auto document = neuroscale::io::ConfigDocument::from_file(path);
    document.apply_overrides(overrides);
    switch (size % 4) {  // one schema per input (by its size): four times the executions
      case 0:
        read_as<neuroscale::io::SynthOptions>(document);
        break;
      case 1:
        read_as<neuroscale::jobs::PretrainConfig>(document);
        break;
      case 2:
        read_as<neuroscale::jobs::FinetuneConfig>(document);
        break;
      default:
        read_as<neuroscale::jobs::BraintuneConfig>(document);
        break;
    }
  } catch (const neuroscale::ConfigError&) {
  }
  return 0;
}
