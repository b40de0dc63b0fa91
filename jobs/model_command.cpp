// `neuroscale model summary`: build the model a config describes and print its parameter
// counts, per module and in total (docs/model.md derives the default's count by hand).
#include <iostream>

#include "core/check.h"
#include "core/model/summary.h"
#include "core/text.h"
#include "io/config/config_document.h"
#include "io/corpus/corpus_reader.h"
#include "jobs/runtime.h"
#include "jobs/schema/model_sections.h"

namespace neuroscale::jobs {
namespace {

// "name:channels" -> SubjectSpec; UsageError naming the argument otherwise.
model::SubjectSpec parse_subject(const std::string& text) {
  const auto colon = text.rfind(':');
  std::int64_t channels = 0;
  try {
    if (colon != std::string::npos) channels = std::stoll(text.substr(colon + 1));
  } catch (const std::exception&) {
    channels = 0;
  }
  NS_CHECK_AS(UsageError, colon != std::string::npos && colon > 0 && channels > 0,
              "neuroscale model: --subject '", text, "' must be NAME:CHANNELS, e.g. t15:512");
  return {text.substr(0, colon), channels};
}

}  // namespace

int run_model(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line
  std::string action, config_path, corpus_path, depth_text = "3";
  std::vector<std::string> subject_args, overrides;
  CommonOptions common;
  ArgParser parser("neuroscale model",
                   "Describe the BIT model a config builds.\n\n"
                   "actions:\n"
                   "  summary    parameter counts per module and in total");
  parser.positional("ACTION", &action, "what to do: summary");
  parser.option(
      "--config", &config_path, "FILE",
      "YAML with model/augment/masking/optimizer/schedule sections (default: BIT defaults)");
  parser.option("--corpus", &corpus_path, "FILE",
                "take the subjects (names, channels) from this corpus");
  parser.option_list("--subject", &subject_args, "NAME:CHANNELS",
                     "a subject and its channel count (default: t15:512, the B2T'25 layout)");
  parser.option("--depth", &depth_text, "N", "module nesting levels to list (default 3)");
  add_common_options(parser, common);
  parser.overrides(&overrides);
  parser.epilog(
      "examples:\n"
      "  neuroscale model summary\n"
      "  neuroscale model summary --config configs/model/small.yaml --subject t15:512 --subject "
      "m1:96\n"
      "  neuroscale model summary --corpus corpus.h5 model.layers=12\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  const std::vector<std::string> actions = {"summary"};
  NS_CHECK_AS(UsageError, action == "summary", "neuroscale model: unknown action '", action, "'",
              did_you_mean(action, actions), " (expected: ", join(actions, ", "), ")");
  int depth = 0;
  try {
    depth = std::stoi(depth_text);
  } catch (const std::exception&) {
  }
  NS_CHECK_AS(UsageError, depth >= 1 && depth <= 16,
              "neuroscale model: --depth must be 1..16, got '", depth_text, "'");
  NS_CHECK_AS(UsageError, corpus_path.empty() || subject_args.empty(),
              "neuroscale model: give --corpus or --subject, not both");

  // ---- config
  io::ConfigDocument document = config_path.empty()
                                    ? io::ConfigDocument::empty("built-in model defaults")
                                    : io::ConfigDocument::from_file(config_path);
  document.apply_overrides(overrides);
  task::MaskedModelingOptions options;
  optim::OptimizerOptions optimizer;
  optim::LrScheduleOptions schedule;
  io::Describer describe = [&](io::ConfigVisitor& v) {
    jobs::describe(v, options);
    v.section("optimizer", "the optimiser",
              [&](io::ConfigVisitor& s) { jobs::describe(s, optimizer); });
    v.section("schedule", "the learning-rate schedule",
              [&](io::ConfigVisitor& s) { jobs::describe(s, schedule); });
  };
  document.read_into(describe);
  jobs::validate(options, document.source());

  // ---- subjects
  std::vector<model::SubjectSpec> subjects;
  if (!corpus_path.empty()) {
    io::CorpusReader reader(corpus_path, MPI_COMM_NULL);
    for (const auto& s : reader.index().subjects) subjects.push_back({s.name, s.n_channels});
  } else {
    for (const auto& text : subject_args) subjects.push_back(parse_subject(text));
    if (subjects.empty()) subjects.push_back({"t15", 512});
  }
  options.model().encoder().subjects(subjects);

  // ---- model
  model::MaskedModel model(options.model());
  std::cout << model::format_summary(model::summarize(*model, depth));
  return 0;
}

}  // namespace neuroscale::jobs
