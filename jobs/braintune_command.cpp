// `neuroscale braintune`: multi-participant brain-tuning of a wav2vec2/HuBERT backbone with
// LoRA adapters and one projection head shared by all participants, on an fMRI corpus,
// data-parallel like pretraining (stimulus rows sharded across ranks).
#include <torch/torch.h>

#include <iostream>

#include "core/check.h"
#include "core/task/brain_tuning.h"
#include "core/text.h"
#include "distributed/fmri_source.h"
#include "io/config/config_document.h"
#include "io/schema/braintune_schema.h"
#include "jobs/brain_model.h"
#include "jobs/corpus_names.h"
#include "jobs/runtime.h"
#include "jobs/training_run.h"

namespace neuroscale::jobs {
namespace {

// The plan's stories: each named story with the selected participants that heard it.
std::vector<io::TrStory> plan_stories(const io::FmriIndex& index, const std::vector<std::string>& stories,
                                      const std::vector<std::string>& participants) {
  std::vector<io::TrStory> plan;
  for (const auto& name : stories) {
    io::TrStory story{name, index.story(name).rows(), {}};
    for (std::size_t p = 0; p < participants.size(); ++p) {
      if (index.participant(participants[p]).has_story(name)) story.participants.push_back(static_cast<std::int32_t>(p));
    }
    plan.push_back(std::move(story));
  }
  return plan;
}

// Batches of the training and validation plans, read by FmriSources.
class BrainTuningData : public TrainingData {
 public:
  BrainTuningData(const io::FmriReader& reader, std::vector<std::string> participants, io::TrBatchPlan train,
                  std::optional<io::TrBatchPlan> val, double window_s)
      : reader_(reader), participants_(std::move(participants)), train_(std::move(train)), val_(std::move(val)),
        window_s_(window_s) {}

  std::unique_ptr<distributed::ResumableSource> train(io::SamplerPosition start, int rank, int world_size,
                                                      int accumulate) override {
    return std::make_unique<distributed::FmriSource>(reader_, train_, participants_, start, rank, world_size,
                                                     accumulate, distributed::FmriSourceOptions{window_s_, true});
  }

  distributed::ValidationSource validation(int rank, int world_size) override {
    if (!val_) return {};
    return [this, rank, world_size] {
      return std::make_unique<distributed::FmriSource>(reader_, *val_, participants_, io::SamplerPosition{}, rank,
                                                       world_size, 1, distributed::FmriSourceOptions{window_s_, false});
    };
  }

 private:
  const io::FmriReader& reader_;
  std::vector<std::string> participants_;
  io::TrBatchPlan train_;
  std::optional<io::TrBatchPlan> val_;
  double window_s_;
};

}  // namespace

int run_braintune(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line
  ConfigCommandLine line;
  CommonOptions common;
  ArgParser parser("neuroscale braintune",
                   "Brain-tune a wav2vec2/HuBERT speech model on the fMRI responses of several\n"
                   "participants: LoRA adapters on the attention projections of the frozen backbone,\n"
                   "mean pooling, and one linear head to the shared voxel space. Each step trains one\n"
                   "participant's L2 loss on one batch of a story's response rows (10 s of audio per\n"
                   "row); a story's participants are trained one after the other on the same audio.\n"
                   "Metrics (loss, loss_<participant>, spatial_r, val_*) go to the log and, with\n"
                   "--run-dir, to RUN_DIR/metrics.jsonl; checkpoints (adapters, head, optimiser and a\n"
                   "reference to the base weights) to RUN_DIR/checkpoints.\n"
                   "SIGTERM or SIGUSR1: every rank saves a checkpoint and the job exits 75 (requeue me).");
  add_config_options(parser, line, "configs/braintune/*.yaml", false, true);
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale braintune --config configs/braintune/tiny.yaml data.corpus=fmri.h5\n"
      "  mpirun -np 2 neuroscale braintune --config configs/braintune/paper.yaml --run-dir runs/bt \\\n"
      "      model.base_weights=hubert-base-ls960/model.safetensors data.participants=[UTS03,UTS02,UTS01]\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);

  io::BraintuneConfig config;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, config); };
  if (!read_config(line, describe, [&](const std::string& source) { io::validate(config, source); })) return 0;

  // ---- data: participants, stories and the global batch order
  io::FmriReader reader(config.data.corpus);
  const auto& index = reader.index();
  const auto participants = select_names(config.data.participants, index.participants_with_role("train"),
                                          "data.participants", [&](const std::string& n) { index.participant(n); });
  NS_CHECK_AS(ConfigError, !participants.empty(), "data.participants: corpus '", config.data.corpus,
              "' has no participant with role 'train'; name the participants to tune on");
  auto train_stories = select_names(config.data.train_stories, index.stories_in_split("train"),
                                     "data.train_stories", [&](const std::string& n) { index.story(n); });
  if (config.data.max_train_stories > 0 &&
      static_cast<std::int64_t>(train_stories.size()) > config.data.max_train_stories) {
    train_stories.resize(static_cast<std::size_t>(config.data.max_train_stories));
  }
  const auto val_stories = select_names(config.data.val_stories, index.stories_in_split("val"), "data.val_stories",
                                         [&](const std::string& n) { index.story(n); });
  io::TrPlanOptions plan_options;
  plan_options.batch_rows = config.batch_rows;
  plan_options.shuffle = config.data.shuffle;
  plan_options.seed = static_cast<std::uint64_t>(config.seed);
  io::TrBatchPlan train_plan(plan_stories(index, train_stories, participants), plan_options);
  std::optional<io::TrBatchPlan> val_plan;
  if (!val_stories.empty()) {
    plan_options.shuffle = false;
    val_plan.emplace(plan_stories(index, val_stories, participants), plan_options);
  }

  // ---- the run: its length follows the data (epochs x global batches per epoch)
  // The resolved config (RUN_DIR/config.yaml) records the real step count, so a report can
  // tell a finished run from an interrupted one.
  const std::int64_t epoch_steps = train_plan.batches_per_epoch();
  if (config.train.max_steps == 0) config.train.max_steps = config.epochs * epoch_steps;
  if (config.train.eval_steps == 0 && val_plan) config.train.eval_steps = static_cast<int>(val_plan->batches_per_epoch());
  TrainingSpec spec;
  spec.activity = "brain-tuning";
  spec.run_dir = line.run_dir;
  spec.resume = line.resume;
  spec.trace = line.trace;
  spec.resolved_config = io::to_yaml(describe);
  spec.train = config.train;
  spec.checkpoint = config.checkpoint;
  spec.seed = config.seed;
  TrainingRun run(runtime, spec);
  const auto ranks = static_cast<std::int64_t>(run.world_size()) * config.train.accumulate;
  run.log().info("brain-tuning ", join(participants, ", "), " on ", train_stories.size(), " stories (",
                 train_plan.rows_per_epoch(), " rows per epoch, ", epoch_steps, " steps of ", config.batch_rows,
                 " rows = micro-batches of ", (config.batch_rows + ranks - 1) / ranks, " on ", run.world_size(),
                 " rank(s) x ", config.train.accumulate, "), ", spec.train.max_steps, " steps",
                 val_plan ? ", validating on " + join(val_stories, ", ") : std::string(", no validation"));

  // ---- model: backbone (base weights, frozen), adapters and the shared head
  auto model = build_brain_model(config.model, config.seed, index.voxels, participants, run.log());
  auto& task = *model.task;
  task.module().to(run.device());

  // ---- optimisation and training
  OptimizationSpec optimization;
  optimization.optimizer = config.optimizer;
  optimization.schedule = config.schedule;
  if (config.warmup_fraction > 0) {
    optimization.schedule.warmup_steps(
        static_cast<std::int64_t>(config.warmup_fraction * static_cast<double>(spec.train.max_steps)));
  }
  optimization.base_weights = model.base_reference;
  optimization.model_identity = model.identity;
  BrainTuningData data(reader, participants, std::move(train_plan), std::move(val_plan), config.data.window_s);
  run.train(task, optimization, &data);
  return 0;
}

}  // namespace neuroscale::jobs
