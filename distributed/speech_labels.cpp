#include "distributed/speech_labels.h"

#include <algorithm>

#include "core/check.h"
#include "core/progress.h"
#include "core/random.h"
#include "distributed/gather.h"
#include "distributed/story_features.h"

namespace neuroscale::distributed {
namespace {

// Which frames of utterance `u` k-means is fitted on: each with probability `p`, from the
// seed and the utterance alone (the same on every rank).
std::vector<bool> fit_frames(std::uint64_t seed, std::size_t u, std::int64_t frames, double p) {
  Rng rng(seed, {0x6c6162656c73ULL, static_cast<std::uint64_t>(u)});
  std::vector<bool> keep(static_cast<std::size_t>(frames));
  for (std::int64_t t = 0; t < frames; ++t) keep[static_cast<std::size_t>(t)] = rng.uniform() < p;
  return keep;
}

}  // namespace

io::SpeechLabels make_speech_labels(const io::SpeechReader& reader, const FrameFeatures& extract,
                                    const SpeechLabelOptions& o, Communicator& comm, Logger& log) {
  const auto& index = reader.index();
  const std::size_t n = index.utterances.size();
  const int rank = comm.rank(), ranks = comm.size();
  const at::Device cpu(at::kCPU);
  io::SpeechLabels labels;
  labels.corpus = index.path;
  labels.features = o.features;
  labels.window = o.window;
  labels.hop = o.hop;
  labels.clusters = o.kmeans.clusters();

  // ---- every utterance's frames and the fitting sample's rows, known on every rank
  std::int64_t total = 0, fit_total = 0;
  for (const auto& utterance : index.utterances) {
    labels.offset.push_back(total);
    labels.frames.push_back(labels.frames_of(utterance.samples));
    total += labels.frames.back();
    if (utterance.split == o.fit_split) fit_total += labels.frames.back();
  }
  NS_CHECK_AS(ConfigError, fit_total >= o.kmeans.clusters(), "speech labels: the '", o.fit_split,
              "' split of '", index.path, "' has ", fit_total, " frames, fewer than the ",
              o.kmeans.clusters(), " clusters");
  const double p =
      std::min(1.0, static_cast<double>(o.fit_frames) / static_cast<double>(fit_total));
  std::vector<std::vector<bool>> keep(n);
  std::vector<std::int64_t> fit_row(n, 0);
  std::int64_t fit_rows = 0;
  for (std::size_t u = 0; u < n; ++u) {
    if (index.utterances[u].split != o.fit_split) continue;
    keep[u] = fit_frames(o.kmeans.seed(), u, labels.frames[u], p);
    fit_row[u] = fit_rows;
    fit_rows += std::count(keep[u].begin(), keep[u].end(), true);
  }
  NS_CHECK_AS(ConfigError, fit_rows >= o.kmeans.clusters(), "speech labels: ", fit_rows,
              " fitting frames drawn, fewer than the ", o.kmeans.clusters(),
              " clusters (raise --fit-frames)");

  // ---- this rank's block of utterances: features, kept for labelling
  const std::size_t begin = n * static_cast<std::size_t>(rank) / static_cast<std::size_t>(ranks);
  const std::size_t end = n * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(ranks);
  std::vector<at::Tensor> features(end - begin);
  at::Tensor fit;  // [fit_rows, dim], this rank's rows filled
  {
    Progress progress(log, "features",
                      static_cast<std::int64_t>(std::max<std::size_t>(end - begin, 1)),
                      "utterances", ProgressOptions{stderr_is_terminal(), 30.0});
    for (std::size_t u = begin; u < end; ++u) {
      at::Tensor f = extract(reader.audio(u));
      NS_CHECK(f.dim() == 2 && f.size(0) == labels.frames[u],
               "speech labels: features of utterance ", u, " have shape ", f.sizes(),
               ", expected [", labels.frames[u], ", dim]");
      if (!fit.defined()) fit = at::zeros({fit_rows, f.size(1)}, at::kFloat);
      if (!keep[u].empty()) {
        std::vector<std::int64_t> rows;
        for (std::int64_t t = 0; t < labels.frames[u]; ++t) {
          if (keep[u][static_cast<std::size_t>(t)]) rows.push_back(t);
        }
        const auto count = static_cast<std::int64_t>(rows.size());
        fit.slice(0, fit_row[u], fit_row[u] + count)
            .copy_(f.index_select(0, at::tensor(rows, at::kLong)));
      }
      features[u - begin] = std::move(f);
      progress.advance();
    }
  }
  // A rank without utterances still learns the width from the others.
  std::vector<std::int64_t> dims = allgather_numbers(comm, cpu, {fit.defined() ? fit.size(1) : 0});
  const std::int64_t dim = *std::max_element(dims.begin(), dims.end());
  if (!fit.defined()) fit = at::zeros({fit_rows, dim}, at::kFloat);
  sum_over_ranks(comm, cpu, fit);

  // ---- the same k-means on every rank
  log.info("k-means: ", o.kmeans.clusters(), " clusters of ", fit_rows, " frames (", dim,
           " values each) from the ", o.fit_split, " split");
  const auto result = speech::kmeans(fit, o.kmeans, [&](std::int64_t iteration, double inertia) {
    log.debug("k-means iteration ", iteration, ": inertia ", inertia);
  });
  log.info("k-means: inertia ", result.inertia, " after ", result.iterations, " iteration(s)");
  labels.dim = dim;
  labels.inertia = result.inertia;
  const at::Tensor centroids = result.centroids.contiguous();
  labels.centroids.assign(centroids.data_ptr<float>(),
                          centroids.data_ptr<float>() + centroids.numel());

  // ---- this rank's labels, summed over the ranks
  at::Tensor all = at::zeros({total}, at::kLong);
  for (std::size_t u = begin; u < end; ++u) {
    if (labels.frames[u] == 0) continue;
    all.slice(0, labels.offset[u], labels.offset[u] + labels.frames[u])
        .copy_(speech::nearest_centroid(features[u - begin], centroids));
  }
  sum_over_ranks(comm, cpu, all);
  const at::Tensor narrow = all.to(at::kShort).contiguous();
  labels.labels.assign(narrow.data_ptr<std::int16_t>(), narrow.data_ptr<std::int16_t>() + total);
  return labels;
}

}  // namespace neuroscale::distributed
