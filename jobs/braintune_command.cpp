// `neuroscale braintune`: multi-participant brain-tuning of a wav2vec2/HuBERT backbone with
// LoRA adapters and one projection head shared by all participants, on an fMRI corpus,
// data-parallel like pretraining (stimulus rows sharded across ranks).
#include <torch/torch.h>

#include "core/check.h"
#include "core/task/brain_tuning.h"
#include "core/text.h"
#include "distributed/fmri_data.h"
#include "io/config/config_document.h"
#include "jobs/brain_model.h"
#include "jobs/config_job.h"
#include "jobs/corpus_names.h"
#include "jobs/schema/braintune_schema.h"
#include "jobs/training_job.h"

namespace neuroscale::jobs {

int run_braintune(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line and config
  ConfigJob job(
      runtime, ConfigJob::Kind::kTraining, "neuroscale braintune",
      "Brain-tune a wav2vec2/HuBERT speech model on the fMRI responses of several\n"
      "participants: LoRA adapters on the attention projections of the frozen backbone,\n"
      "mean pooling, and one linear head to the shared voxel space. Each step trains one\n"
      "participant's L2 loss on one batch of a story's response rows (10 s of audio per\n"
      "row); a story's participants are trained one after the other on the same audio.\n"
      "Metrics (loss, loss_<participant>, spatial_r, val_*) go to the log and, with\n"
      "--run-dir, to RUN_DIR/metrics.jsonl; checkpoints (adapters, head, optimiser and a\n"
      "reference to the base weights) to RUN_DIR/checkpoints.\n"
      "SIGTERM or SIGUSR1: every rank saves a checkpoint and the job exits 75 (requeue me).",
      "configs/braintune/*.yaml");
  job.parser().epilog(
      "examples:\n"
      "  neuroscale braintune --config configs/braintune/tiny.yaml data.corpus=fmri.h5\n"
      "  mpirun -np 2 neuroscale braintune --config configs/braintune/paper.yaml --run-dir runs/bt "
      "\\\n"
      "      model.base_weights=hubert-base-ls960/model.safetensors "
      "data.participants=[UTS03,UTS02,UTS01]\n");
  BraintuneConfig config;
  if (!job.parse(args, config)) return 0;

  // ---- data: participants, stories and the global batch order
  io::FmriReader reader(config.data.corpus);
  const auto& index = reader.index();
  const auto participants =
      select_names(config.data.participants, index.participants_with_role("train"),
                   "data.participants", [&](const std::string& n) { index.participant(n); });
  NS_CHECK_AS(ConfigError, !participants.empty(), "data.participants: corpus '", config.data.corpus,
              "' has no participant with role 'train'; name the participants to tune on");
  const auto train_stories = select_stories(index, config.data.train_stories, "train",
                                            "data.train_stories", config.data.max_train_stories);
  const auto val_stories =
      select_stories(index, config.data.val_stories, "val", "data.val_stories");
  io::TrPlanOptions plan_options;
  plan_options.batch_rows = config.batch_rows;
  plan_options.shuffle = config.data.shuffle;
  plan_options.seed = static_cast<std::uint64_t>(config.seed);
  io::TrBatchPlan train_plan(distributed::plan_stories(index, train_stories, participants),
                             plan_options);
  std::optional<io::TrBatchPlan> val_plan;
  if (!val_stories.empty()) {
    plan_options.shuffle = false;
    val_plan.emplace(distributed::plan_stories(index, val_stories, participants), plan_options);
  }

  // ---- the run: its length follows the data (epochs x global batches per epoch)
  // The resolved config (RUN_DIR/config.yaml) records the real step count, so a report can
  // tell a finished run from an interrupted one.
  const std::int64_t epoch_steps = train_plan.batches_per_epoch();
  if (config.train.max_steps == 0) config.train.max_steps = config.epochs * epoch_steps;
  if (config.train.eval_steps == 0 && val_plan)
    config.train.eval_steps = static_cast<int>(val_plan->batches_per_epoch());
  const auto spec = own_data_spec("brain-tuning", job, config);
  const auto run = open_training_session(job, spec);
  const auto ranks = static_cast<std::int64_t>(run->world_size()) * config.train.accumulate;
  run->log().info(
      "brain-tuning ", join(participants, ", "), " on ", train_stories.size(), " stories (",
      train_plan.rows_per_epoch(), " rows per epoch, ", epoch_steps, " steps of ",
      config.batch_rows, " rows = micro-batches of ", (config.batch_rows + ranks - 1) / ranks,
      " on ", run->world_size(), " rank(s) x ", config.train.accumulate, "), ",
      spec.train.max_steps, " steps",
      val_plan ? ", validating on " + join(val_stories, ", ") : std::string(", no validation"));

  // ---- model: backbone (base weights, frozen), adapters and the shared head
  auto model = build_brain_model(config.model, config.seed, index.voxels, participants, run->log());
  auto& task = *model.task;
  task.module().to(run->device());

  // ---- optimisation and training
  distributed::OptimizationSpec optimization;
  optimization.optimizer = config.optimizer;
  optimization.schedule = config.schedule;
  if (config.warmup_fraction > 0) {
    optimization.schedule.warmup_steps(static_cast<std::int64_t>(
        config.warmup_fraction * static_cast<double>(spec.train.max_steps)));
  }
  optimization.base_weights = model.base_reference;
  optimization.model_identity = model.identity;
  distributed::FmriTrainingData data(reader, participants, std::move(train_plan),
                                     std::move(val_plan), config.data.window_s);
  run->train(task, optimization, &data);
  return 0;
}

}  // namespace neuroscale::jobs
