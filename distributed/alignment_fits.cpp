#include "distributed/alignment_fits.h"

#include <algorithm>

#include "core/check.h"
#include "core/encoding/encoding_model.h"
#include "core/encoding/scores.h"
#include "core/progress.h"
#include "distributed/story_features.h"

namespace neuroscale::distributed {
namespace {

// The stories of `stories` that `who` heard.
std::vector<std::string> heard(const io::FmriParticipant& who,
                               const std::vector<std::string>& stories) {
  std::vector<std::string> result;
  for (const auto& s : stories) {
    if (who.has_story(s)) result.push_back(s);
  }
  return result;
}

}  // namespace

AlignmentFits fit_alignment(const io::FmriReader& reader,
                            const std::map<std::string, at::Tensor>& features,
                            const AlignmentFitOptions& options, Communicator& comm,
                            const at::Device& device, Logger& log) {
  const auto& index = reader.index();
  const int rank = comm.rank(), ranks = comm.size();
  const auto layers = options.layers;
  const auto skip = options.test_skip_rows;
  const auto pairs = static_cast<std::int64_t>(options.participants.size()) * layers;
  AlignmentFits fits;
  fits.r = at::zeros({pairs, index.voxels}, at::kDouble);
  fits.alpha = at::zeros({pairs, index.voxels}, at::kDouble);
  fits.ceilings.resize(options.participants.size());
  Progress progress(log, "ridge fits",
                    std::max<std::int64_t>((pairs + ranks - 1 - rank) / ranks, 1), "fits",
                    ProgressOptions{stderr_is_terminal(), 30.0});
  for (std::size_t p = 0; p < options.participants.size(); ++p) {
    const auto& who = index.participant(options.participants[p]);
    const auto heard_train = heard(who, options.train_stories),
               heard_test = heard(who, options.test_stories);
    NS_CHECK_AS(ConfigError, !heard_train.empty() && !heard_test.empty(), "participant '", who.name,
                "' has no responses to the selected ", heard_train.empty() ? "training" : "test",
                " stories");
    std::vector<at::Tensor> repeats;
    for (const auto& s : heard_test) {
      repeats.push_back(who.has_repeats(s) ? reader.repeats(who.name, s).slice(1, skip)
                                           : at::Tensor());
    }
    encoding::NoiseCeilingOptions ceiling;
    ceiling.zscore_repeats(options.zscore_repeats);
    fits.ceilings[p] = encoding::test_noise_ceiling(repeats, ceiling);
    for (std::int64_t l = 0; l < layers; ++l) {
      const auto pair = static_cast<std::int64_t>(p) * layers + l;
      if (pair % ranks != rank) continue;
      std::vector<at::Tensor> x_train, y_train, x_test, y_test;
      for (const auto& s : heard_train) {
        x_train.push_back(features.at(s)[l]);
        y_train.push_back(reader.responses(who.name, s));
      }
      for (const auto& s : heard_test) {
        x_test.push_back(features.at(s)[l].slice(0, skip));
        y_test.push_back(reader.responses(who.name, s).slice(0, skip));
      }
      const auto scores =
          encoding::fit_and_score(x_train, y_train, x_test, y_test, options.delays, options.ridge);
      fits.r[pair].copy_(scores.r);
      fits.alpha[pair].copy_(scores.alphas);
      progress.advance();
    }
  }
  sum_over_ranks(comm, device, fits.r);
  sum_over_ranks(comm, device, fits.alpha);
  return fits;
}

void add_alignment_scores(const AlignmentFits& fits, const io::FmriIndex& index,
                          const std::vector<std::string>& participants,
                          const std::vector<std::int64_t>& layers, double min_cc_max,
                          std::int64_t train_stories, const std::string& voxel_suffix,
                          io::AlignmentResults& results, Logger& log) {
  for (std::size_t p = 0; p < participants.size(); ++p) {
    const auto& who = index.participant(participants[p]);
    const auto& ceiling = fits.ceilings[p];
    if (ceiling.defined() && voxel_suffix.empty())
      results.per_voxel.emplace_back("cc_max/" + who.name, ceiling.to(at::kFloat));
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const auto pair = static_cast<std::int64_t>(p * layers.size() + l);
      const auto summary = encoding::score_alignment(fits.r[pair], ceiling, min_cc_max);
      const std::string layer = layers[l] < 0 ? "ground_truth" : std::to_string(layers[l]);
      results.scores.push_back({who.name, who.role, layer, summary.mean_r, summary.mean_cc_norm,
                                summary.normalised_voxels, summary.voxels,
                                fits.alpha[pair].median().item<double>(), train_stories});
      const std::string key =
          who.name + (layers[l] < 0 ? "/ground_truth" : "/layer" + layer) + voxel_suffix;
      results.per_voxel.emplace_back("r/" + key, fits.r[pair].to(at::kFloat));
      results.per_voxel.emplace_back("alpha/" + key, fits.alpha[pair].to(at::kFloat));
      log.info(who.name, " (", who.role, ") layer ", layer, ": mean r ", summary.mean_r,
               ", mean normalised r ", summary.mean_cc_norm, " over ", summary.normalised_voxels,
               " voxels (encoding models fit on ", train_stories, " stories)");
    }
  }
}

}  // namespace neuroscale::distributed
