#include "jobs/schema/alignment_schema.h"

#include "core/check.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

void describe(ConfigVisitor& v, AlignmentConfig& o) {
  v.value("task", o.task,
          Field("what to evaluate (this schema: brain-alignment)").one_of({"brain-alignment"}));
  v.value("checkpoint", o.checkpoint,
          Field("brain-tuning run directory or checkpoint (its newest verified one); empty: the "
                "untuned model "
                "described by `model`"));
  v.value("seed", o.seed,
          Field("seed of an untuned random backbone (as braintune's seed)").at_least(0));
  v.value("device", o.device, Field("where to run the speech model").one_of({"cpu", "cuda"}));
  v.section("model",
            "the untuned model (ignored with a checkpoint, whose run's config.yaml describes it)",
            [&](ConfigVisitor& s) { describe(s, o.model); });
  v.section("data", "participants and stories", [&](ConfigVisitor& s) {
    s.value("corpus", o.corpus, Field("fMRI corpus file (.h5; docs/fmri-format.md)").non_empty());
    s.value("participants", o.participants,
            Field("participants to score (empty: all, trained and held out)"));
    s.value("train_stories", o.train_stories,
            Field("stories the ridge models fit (empty: the train split)"));
    s.value("test_stories", o.test_stories,
            Field("held-out stories they are scored on (empty: the test split)"));
    s.value("max_train_stories", o.max_train_stories,
            Field("fit on the first N training stories only (0: all), for data-efficiency curves")
                .at_least(0));
    s.value("encoding_stories", o.encoding_stories,
            Field("also fit on the first N of the training stories, for each N (features "
                  "extracted once; alignment.tsv's train_stories column tells the fits apart)"));
    s.value("test_skip_rows", o.test_skip_rows,
            Field("rows dropped at the start of each test story (the reference: 40)").at_least(0));
  });
  v.section("features", "layer features of causal sliding windows", [&](ConfigVisitor& s) {
    s.value("source", o.feature_source,
            Field("model: the speech model's layers; ground_truth: a synthetic corpus' hidden "
                  "features (already "
                  "haemodynamic responses at the TR times: use ridge.delays [0] for the "
                  "generator's own model)")
                .one_of({"model", "ground_truth"}));
    s.value("layers", o.features.layers(),
            Field("hidden-state indices (0: the embedding; L: layer L's output)"));
    s.value("context_s", o.features.windows().context_seconds(),
            Field("seconds of look-back per window (the reference: 16)").range(0, 600));
    s.value("stride_s", o.features.windows().stride_seconds(),
            Field("seconds between windows (the reference: 0.1)").range(0.001, 60));
    s.value("min_samples", o.features.windows().min_input_length(),
            Field("shortest window in samples (the backbone's receptive field: 400)").at_least(1));
    s.value("batch", o.features.batch(), Field("windows per forward pass").range(1, 1 << 16));
    s.value("pool_frames", o.features.pool_frames(),
            Field("a window's feature is the mean of its last N frames (1: the last frame, the "
                  "reference; 50 x stride_s: all the audio between window ends)")
                .range(1, 1 << 16));
  });
  v.section("ridge", "bootstrap ridge regression, one alpha per voxel", [&](ConfigVisitor& s) {
    s.value("alphas", o.ridge.alphas(),
            Field("candidate ridge parameters (the reference: logspace(1, 4, 15))"));
    s.value("bootstraps", o.ridge.bootstraps(),
            Field("held-out resamplings scoring the alphas").range(1, 10000));
    s.value("chunk_length", o.ridge.chunk_length(),
            Field("consecutive TRs per held-out chunk").range(1, 1e6));
    s.value("heldout_chunks", o.ridge.heldout_chunks(),
            Field("chunks held out per resampling (0: a quarter of the rows)").at_least(0));
    s.value("delays", o.delays, Field("FIR delays in TRs (the reference: [1, 2, 3, 4])"));
    s.value("voxel_chunk", o.ridge.voxel_chunk(),
            Field("voxels regressed at once (memory bound)").range(1, 1e9));
    std::int64_t seed = static_cast<std::int64_t>(o.ridge.seed());
    s.value("seed", seed, Field("seed of the held-out chunk draws").at_least(0));
    o.ridge.seed(static_cast<std::uint64_t>(seed));
  });
  v.section("noise_ceiling", "normalisation by the repeats of test stories", [&](ConfigVisitor& s) {
    s.value("min_cc_max", o.min_cc_max,
            Field("voxels with a lower ceiling get no normalised score").range(0, 1));
    s.value("zscore_repeats", o.zscore_repeats, Field("z-score each repeat before the ceiling"));
  });
}

void validate(const AlignmentConfig& o, const std::string& source) {
  NS_CHECK_AS(ConfigError, !o.features.layers().empty(), source, ": 'features.layers' is empty");
  NS_CHECK_AS(ConfigError, !o.delays.empty(), source, ": 'ridge.delays' is empty");
  for (const std::int64_t n : o.encoding_stories) {
    NS_CHECK_AS(ConfigError, n >= 1, source, ": 'data.encoding_stories' entry ", n,
                " (expected a number of training stories >= 1)");
    NS_CHECK_AS(ConfigError, o.max_train_stories == 0 || n <= o.max_train_stories, source,
                ": 'data.encoding_stories' entry ", n, " exceeds 'data.max_train_stories' (",
                o.max_train_stories, ")");
  }
  NS_CHECK_AS(ConfigError, !o.ridge.alphas().empty(), source, ": 'ridge.alphas' is empty");
  for (const double alpha : o.ridge.alphas()) {
    NS_CHECK_AS(ConfigError, alpha > 0, source, ": 'ridge.alphas' must be > 0, has ", alpha);
  }
  if (o.checkpoint.empty()) {
    try {
      o.model.options.backbone().validate();
    } catch (const ConfigError& e) {
      throw ConfigError(source + ": model: " + e.what());
    }
  }
}

}  // namespace neuroscale::jobs
