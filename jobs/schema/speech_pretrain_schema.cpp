#include "jobs/schema/speech_pretrain_schema.h"

#include "core/check.h"
#include "jobs/schema/model_sections.h"
#include "jobs/schema/training_sections.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

SpeechPretrainConfig::SpeechPretrainConfig() {
  // A small backbone that trains on a CPU in hours: the base's convolutions (50 frames a
  // second), 4 layers of width 256.
  model.backbone(model::Wav2Vec2Options::base()
                     .conv_dim(256)
                     .hidden(256)
                     .layers(4)
                     .heads(4)
                     .intermediate(1024)
                     .pos_conv_kernel(64)
                     .pos_conv_groups(16));
  model.clusters(0);  // from the labels
  train.max_steps = 2000;
  train.micro_batch = 8;
  train.eval_steps = 8;
  optimizer.name("adamw").weight_decay(0.01);
  schedule.kind(optim::ScheduleKind::kWarmupCosine).lr(5e-4).warmup_steps(200).min_lr_ratio(0.05);
}

void describe(ConfigVisitor& v, model::HubertOptions& o) {
  describe(v, o.backbone());
  v.value("clusters", o.clusters(),
          Field("clusters of the frame labels (0: those of data.labels; the run's config.yaml "
                "records them)")
              .range(0, 32767));
  v.value(
      "final_dim", o.final_dim(),
      Field("width of the projection and the cluster embeddings (final_dim)").range(1, 1 << 14));
  v.value("temperature", o.temperature(),
          Field("logits are cosine similarities divided by this (logit_temp)").greater_than(0));
}

void describe(ConfigVisitor& v, SpeechPretrainConfig& o) {
  v.section("data", "the speech corpus and its frame labels", [&](ConfigVisitor& s) {
    s.value(
        "corpus", o.data.corpus,
        Field("speech corpus (neuroscale synth --kind speech; docs/speech-format.md)").non_empty());
    s.value("labels", o.data.labels,
            Field("its frame labels (neuroscale speech labels); their clusters set the head's")
                .non_empty());
    s.value("max_frames", o.data.options.max_frames,
            Field("longest crop in encoder frames (50 a second); a batch is cropped to its "
                  "shortest utterance or this")
                .range(2, 1 << 20));
    s.value("min_frames", o.data.options.min_frames,
            Field("utterances with fewer frames are left out").range(2, 1 << 20));
    s.value("normalize_audio", o.data.options.normalize_audio,
            Field("normalise each crop to zero mean and unit variance (written as do_normalize)"));
  });
  v.value("seed", o.seed, Field("seed of initialisation, masks, crops and shuffling").at_least(0));
  v.section("train", "the training loop (micro_batch: utterances)",
            [&](ConfigVisitor& s) { describe(s, o.train); });
  v.section("checkpoint", "checkpoints under RUN_DIR/checkpoints (needs --run-dir)",
            [&](ConfigVisitor& s) { describe(s, o.checkpoint); });
  v.section("model", "the backbone and the prediction head",
            [&](ConfigVisitor& s) { describe(s, o.model); });
  v.section("masking", "HuBERT's span masking of encoder frames", [&](ConfigVisitor& s) {
    s.value("ratio", o.masking.ratio(),
            Field("fraction of each utterance's frames masked (fairseq's mask_prob 0.8 with "
                  "span 10 masks about 0.55)")
                .range(0.01, 0.99));
    s.value("span", o.masking.span(), Field("frames per masked span (mask_length)").range(1, 1000));
  });
  v.section("optimizer", "the optimiser", [&](ConfigVisitor& s) { describe(s, o.optimizer); });
  v.section("schedule", "the learning-rate schedule (total_steps = train.max_steps)",
            [&](ConfigVisitor& s) { describe(s, o.schedule); });
}

void validate(const SpeechPretrainConfig& o, const std::string& source) {
  const auto& b = o.model.backbone();
  NS_CHECK_AS(ConfigError, o.model.clusters() != 1, source,
              ": 'model.clusters' is 1 (expected 0, from the labels, or at least 2)");
  NS_CHECK_AS(ConfigError, b.hidden() % b.heads() == 0, source, ": 'model.hidden' (", b.hidden(),
              ") must be a multiple of 'model.heads' (", b.heads(), ")");
  NS_CHECK_AS(ConfigError, b.hidden() % b.pos_conv_groups() == 0, source, ": 'model.hidden' (",
              b.hidden(), ") must be a multiple of 'model.pos_conv_groups' (", b.pos_conv_groups(),
              ")");
  NS_CHECK_AS(ConfigError, o.data.options.min_frames <= o.data.options.max_frames, source,
              ": 'data.min_frames' (", o.data.options.min_frames, ") exceeds 'data.max_frames' (",
              o.data.options.max_frames, ")");
  NS_CHECK_AS(ConfigError, o.masking.span() <= o.data.options.min_frames, source,
              ": 'masking.span' (", o.masking.span(), ") exceeds 'data.min_frames' (",
              o.data.options.min_frames, ")");
  NS_CHECK_AS(ConfigError, o.schedule.warmup_steps() <= o.train.max_steps, source,
              ": 'schedule.warmup_steps' (", o.schedule.warmup_steps(),
              ") exceeds 'train.max_steps' (", o.train.max_steps, ")");
}

}  // namespace neuroscale::jobs
