// `neuroscale speech pretrain`: HuBERT's masked prediction of frame labels (core/task/
// hubert_task.h) with a wav2vec2/HuBERT backbone trained from scratch on a speech corpus, on
// the data-parallel engine with its checkpoints, resume, metrics and TensorBoard.
#include <torch/torch.h>

#include "core/check.h"
#include "core/task/hubert_task.h"
#include "distributed/speech_data.h"
#include "io/checkpoint/model_identity.h"
#include "io/config/config_document.h"
#include "io/speech/speech_labels.h"
#include "io/speech/speech_reader.h"
#include "jobs/config_job.h"
#include "jobs/schema/speech_pretrain_schema.h"
#include "jobs/speech/speech_actions.h"
#include "jobs/training_job.h"

namespace neuroscale::jobs {

int speech_pretrain(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line and config
  ConfigJob job(
      runtime, ConfigJob::Kind::kTraining, "neuroscale speech pretrain",
      "Pretrain a wav2vec2/HuBERT speech backbone from scratch by HuBERT's masked\n"
      "prediction: spans of each utterance's encoder frames are replaced by a learned\n"
      "embedding, and the model predicts the cluster label (neuroscale speech labels) of\n"
      "every masked frame. Data-parallel over the ranks of mpirun or srun; the same\n"
      "global batches for any number of ranks. Metrics: loss (cross-entropy per masked\n"
      "frame), accuracy_masked, accuracy_unmasked; checkpoints under RUN_DIR/checkpoints.\n"
      "SIGTERM or SIGUSR1: every rank saves a checkpoint and the job exits 75.",
      "configs/speech/*.yaml");
  job.parser().epilog(
      "examples:\n"
      "  neuroscale speech pretrain --config configs/speech/hubert-tiny.yaml --run-dir runs/hubert "
      "\\\n"
      "      data.corpus=speech.h5 data.labels=labels-mfcc.h5\n"
      "  mpirun -np 2 neuroscale speech pretrain --config configs/speech/hubert-small.yaml "
      "--run-dir runs/hubert \\\n"
      "      data.corpus=speech.h5 data.labels=labels-mfcc.h5\n");
  SpeechPretrainConfig config;
  if (!job.parse(args, config)) return 0;

  // ---- data: the corpus and its labels (checked to belong together)
  io::SpeechReader reader(config.data.corpus);
  const io::SpeechLabels labels = io::read_speech_labels(config.data.labels);
  NS_CHECK_AS(ConfigError,
              config.model.clusters() == 0 || config.model.clusters() == labels.clusters,
              "model.clusters (", config.model.clusters(), ") differs from the ", labels.clusters,
              " clusters of data.labels '", config.data.labels, "'");
  config.model.clusters(labels.clusters);  // the run's config.yaml records them
  const auto backbone = config.model.backbone();
  NS_CHECK_AS(DataError,
              labels.window == backbone.receptive_field() && labels.hop == backbone.total_stride(),
              "speech labels '", config.data.labels, "' have frames of ", labels.window,
              " samples every ", labels.hop, "; the backbone's frames are ",
              backbone.receptive_field(), " samples every ", backbone.total_stride());
  config.data.options.batch_utterances = config.train.micro_batch;
  config.data.options.seed = config.seed;
  distributed::SpeechTrainingData data(reader, labels, config.data.options);

  // ---- the run
  const auto spec = own_data_spec("speech pretraining", job, config);
  const auto run = open_training_session(job, spec);
  run->log().info("HuBERT pretraining on '", config.data.corpus, "': ", data.train_utterances(),
                  " train utterances (", reader.index().hours("train"), " h), ", labels.clusters,
                  " clusters of ", labels.features.substr(0, labels.features.find(':')), " from '",
                  config.data.labels, "', ", data.batches_per_epoch(), " global batches per epoch");

  // ---- model: fresh, the same initialisation on every rank
  torch::manual_seed(static_cast<std::uint64_t>(config.seed));
  model::HubertPretraining model(config.model);
  task::HubertTask task(model, config.masking, static_cast<std::uint64_t>(config.seed));
  task.module().to(run->device());
  std::int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  run->log().info("model: ", backbone.layers(), " layers, hidden ", backbone.hidden(), ", ",
                  parameters, " parameters");

  distributed::OptimizationSpec optimization;
  optimization.optimizer = config.optimizer;
  optimization.schedule = config.schedule;
  optimization.model_identity = io::ModelIdentity(
      "hubert", {{"clusters", std::to_string(labels.clusters)}, {"features", labels.features}},
      io::to_yaml([&](io::ConfigVisitor& v) { describe(v, config.model); }));
  run->train(task, optimization, &data);
  return 0;
}

}  // namespace neuroscale::jobs
