#include "jobs/phoneme_model.h"

#include "core/check.h"
#include "distributed/corpus_data.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"
#include "io/config/config_document.h"
#include "jobs/schema/finetune_schema.h"

namespace neuroscale::jobs {
FinetuneConfig finetune_run_config(const io::CheckpointLocation& location) {
  const auto slash = location.directory.find_last_of('/');
  const std::string run_dir =
      slash == std::string::npos ? "." : location.directory.substr(0, slash);
  FinetuneConfig config;
  io::ConfigDocument::from_file(run_dir + "/config.yaml").read_into([&](io::ConfigVisitor& v) {
    describe(v, config);
  });
  return config;
}

PhonemeModel load_phoneme_model(const std::string& path, const io::CorpusIndex& index,
                                const std::string& corpus, Logger& log) {
  const auto location = io::locate_checkpoints(path);
  const auto [checkpoint, manifest] = io::newest_verified_checkpoint(
      location, [&](const std::string& skipped, const std::string& reason) {
        log.warn("skipping ", skipped, ": ", reason);
      });
  auto trained = finetune_run_config(location);
  NS_CHECK_AS(ConfigError, trained.objective == "phonemes", "checkpoint '", checkpoint,
              "' is an end-to-end sentence model (its run's task is ", trained.objective,
              "): decode it with decode.method llm");
  const auto subjects = distributed::subject_specs(index);
  trained.task.model().encoder().subjects(subjects);
  const auto identity = distributed::neural_model_identity(
      "ctc_phoneme", subjects,
      io::to_yaml([&](io::ConfigVisitor& v) { describe(v, trained.task); }));
  NS_CHECK_AS(ConfigError, identity.matches(manifest.config_hash), "checkpoint '", checkpoint,
              "' does not fit: it was written for another model or subject table than its run's "
              "config.yaml and ",
              "corpus '", corpus,
              "' describe (a fine-tuning checkpoint of this corpus' subjects is needed)");
  PhonemeModel model;
  model.task = std::make_unique<task::CtcPhonemeTask>(trained.task);
  io::load_module(model.task->module(), checkpoint, manifest);
  model.checkpoint = checkpoint;
  model.step = manifest.step;
  model.patch_size = trained.task.model().encoder().patch_size();
  return model;
}

}  // namespace neuroscale::jobs
