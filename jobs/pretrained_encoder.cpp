#include "jobs/pretrained_encoder.h"

#include <algorithm>

#include "core/check.h"
#include "core/text.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"

namespace neuroscale::jobs {

namespace {

// "read_in.<subject>.<rest>" -> "<subject>"; "" for any other parameter.
std::string read_in_subject(const std::string& name) {
  constexpr std::size_t kStart = sizeof("read_in.") - 1;
  if (!starts_with(name, "read_in.")) return "";
  return name.substr(kStart, name.find('.', kStart) - kStart);
}

std::string joined(const std::set<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::set<std::string> load_pretrained_encoder(model::BitEncoder& encoder, const std::string& path,
                                              const std::vector<std::string>& new_read_ins,
                                              Logger& log) {
  std::set<std::string> subjects;
  for (const auto& item : encoder->named_parameters(true)) {
    if (const auto subject = read_in_subject(item.key()); !subject.empty())
      subjects.insert(subject);
  }
  const std::set<std::string> renewed(new_read_ins.begin(), new_read_ins.end());
  for (const auto& subject : renewed) {
    NS_CHECK_AS(ConfigError, subjects.count(subject), "init.new_read_ins: '", subject,
                "' is not a subject of this model (its subjects: ", joined(subjects), ")");
  }
  const auto [checkpoint, manifest] = io::newest_verified_checkpoint(
      io::locate_checkpoints(path), [&](const std::string& skipped, const std::string& reason) {
        log.warn("skipping ", skipped, ": ", reason);
      });
  const std::string prefix = std::string(io::kModelPrefix) + "encoder.";
  NS_CHECK_AS(ConfigError,
              std::any_of(manifest.tensors.begin(), manifest.tensors.end(),
                          [&](const auto& tensor) { return starts_with(tensor.name, prefix); }),
              "init.checkpoint '", checkpoint,
              "' holds no BIT encoder (no 'model.encoder.*' tensors): is it a pretraining or "
              "fine-tuning checkpoint?");
  const auto is_read_in = [](const std::string& name) { return starts_with(name, "read_in."); };
  io::ModuleLoad how;
  how.prefix = prefix;
  how.may_be_missing = is_read_in;  // a subject the pretraining did not see gets a new read-in
  how.skip = [&](const std::string& name) { return renewed.count(read_in_subject(name)) > 0; };
  how.label = "init.checkpoint '" + checkpoint + "'";
  how.noun = "encoder parameter";
  how.config_error = true;
  how.hint = [&](const std::string& name, bool missing) -> std::string {
    if (missing) return ": its model differs from this config's";
    return is_read_in(name) ? " (the subject's channel count differs)"
                            : " (model.* must match the pretraining config)";
  };
  const auto encoder_loaded = io::load_module(*encoder, checkpoint, manifest, how);
  std::set<std::string> loaded;
  std::set<std::string> reused_subjects, new_subjects;
  for (const auto& item : encoder->named_parameters(true)) {
    const std::string& name = item.key();
    if (encoder_loaded.count(name)) loaded.insert("encoder." + name);
    if (!is_read_in(name)) continue;
    (encoder_loaded.count(name) ? reused_subjects : new_subjects).insert(read_in_subject(name));
  }
  const std::string reused = joined(reused_subjects), fresh = joined(new_subjects);
  log.info("encoder initialised from ", checkpoint, " (step ", manifest.step,
           "): read-ins reused for ", reused.empty() ? "no subject" : reused,
           new_subjects.empty() ? "" : "; new read-ins for " + fresh);
  return loaded;
}

distributed::OptimizationSpec finetune_optimization(const FinetuneConfig& config,
                                                    std::set<std::string> pretrained) {
  distributed::OptimizationSpec optimization;
  optimization.optimizer = config.optimizer;
  optimization.schedule = config.schedule;
  if (!pretrained.empty()) {
    optimization.lr_scale = [pretrained = std::move(pretrained),
                             body = config.body_lr_scale](const std::string& name) {
      return pretrained.count(name) ? body : 1.0;
    };
  }
  return optimization;
}

}  // namespace neuroscale::jobs
