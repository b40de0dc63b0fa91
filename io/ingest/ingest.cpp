#include "io/ingest/ingest.h"

#include <cmath>
#include <map>

#include "core/check.h"
#include "core/interrupt.h"
#include "core/text.h"
#include "io/ingest/b2t24_source.h"
#include "io/ingest/b2t25_source.h"
#include "io/ingest/nwb_source.h"
#include "io/mpi/mpi_check.h"

namespace neuroscale::io {

const std::vector<std::string>& source_formats() {
  static const std::vector<std::string> kFormats = {"b2t25", "b2t24", "nwb"};
  return kFormats;
}

std::unique_ptr<CorpusSource> make_source(const std::string& format,
                                          const std::vector<std::string>& inputs,
                                          const SourceOptions& options) {
  NS_CHECK_AS(UsageError, options.lexicon.empty() || format == "b2t24",
              "--lexicon gives phoneme labels to b2t24 sentences; format ", format,
              " has none to give");
  if (format == "b2t25") return std::make_unique<B2t25Source>(inputs);
  if (format == "b2t24") {
    return std::make_unique<B2t24Source>(inputs, options.features, options.first_column,
                                         options.end_column, options.lexicon);
  }
  if (format == "nwb") return std::make_unique<NwbSource>(inputs, options.task, options.window_s);
  NS_THROW(UsageError, "unknown ingest format '", format, "'",
           did_you_mean(format, source_formats()), " (known: ", join(source_formats(), ", "), ")");
}

std::string default_normalization(const std::string& format) {
  // B2T'25 features arrive z-scored already (its README; BIT's prepare_data asserts it).
  if (format == "b2t25") return "none";
  return format == "b2t24" ? "per_block" : "per_day";
}

namespace {

// "tx1+spikePow" and "0:128" into source options; UsageError for malformed text.
SourceOptions source_options(const IngestOptions& options) {
  SourceOptions out;
  out.features.clear();
  std::string rest = options.features;
  for (std::size_t start = 0;;) {
    const auto plus = rest.find('+', start);
    out.features.push_back(rest.substr(start, plus - start));
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  if (!options.columns.empty()) {
    const auto colon = options.columns.find(':');
    try {
      NS_CHECK_AS(UsageError, colon != std::string::npos, "");
      std::size_t used = 0;
      out.first_column = std::stoi(options.columns.substr(0, colon), &used);
      NS_CHECK_AS(UsageError, used == colon, "");
      const std::string end = options.columns.substr(colon + 1);
      out.end_column = std::stoi(end, &used);
      NS_CHECK_AS(UsageError,
                  used == end.size() && out.first_column >= 0 && out.end_column > out.first_column,
                  "");
    } catch (const std::exception&) {
      NS_THROW(UsageError, "ingest: --columns '", options.columns, "' is not A:B with 0 <= A < B");
    }
  }
  out.task = options.task;
  out.window_s = options.window_s;
  out.lexicon = options.lexicon;
  return out;
}

}  // namespace

namespace {

// Running per-channel sums of one normalisation group.
struct Moments {
  std::vector<double> sum, sum_sq;
  std::int64_t rows = 0;
  void add(const std::vector<float>& x, std::size_t channels) {
    if (sum.empty()) sum.assign(channels, 0.0), sum_sq.assign(channels, 0.0);
    for (std::size_t i = 0; i < x.size(); ++i) {
      sum[i % channels] += x[i];
      sum_sq[i % channels] += static_cast<double>(x[i]) * x[i];
    }
    rows += static_cast<std::int64_t>(x.size() / channels);
  }
};

void check_finite(const std::vector<float>& x, std::size_t channels, const std::string& where) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      NS_THROW(DataError, where, ": feature at bin ", i / channels, ", channel ", i % channels,
               " is ", x[i]);
    }
  }
}

}  // namespace

void ingest_corpus(const IngestOptions& options, MPI_Comm comm,
                   const std::function<void(std::size_t, std::size_t)>& progress) {
  NS_CHECK_AS(UsageError, !options.inputs.empty(), "ingest: no --input given");
  const std::string mode =
      options.normalization.empty() ? default_normalization(options.format) : options.normalization;
  NS_CHECK_AS(UsageError, mode == "none" || mode == "per_day" || mode == "per_block",
              "ingest: unknown normalization '", mode, "' (expected none, per_day or per_block)");
  NS_CHECK_AS(UsageError, options.dtype == "float32" || options.dtype == "float16",
              "ingest: unknown dtype '", options.dtype, "' (expected float32 or float16)");
  int rank = 0, size = 1;
  NS_MPI_CHECK(MPI_Comm_rank(comm, &rank));
  NS_MPI_CHECK(MPI_Comm_size(comm, &size));

  // ---- plan (every rank scans the same inputs to the same index)
  auto source = make_source(options.format, options.inputs, source_options(options));
  CorpusContent content;
  source->scan(content);
  CorpusIndex& index = content.index;
  index.normalization = mode;
  index.feature_dtype = options.dtype;
  index.assign_norm_groups();
  content.provenance = "format: " + options.format + "\ninputs: [" + join(options.inputs, ", ") +
                       "]\nnormalization: " + mode + "\ndtype: " + options.dtype + "\n";
  if (options.format == "b2t24") {
    content.provenance +=
        "features: " + options.features + "\ncolumns: \"" + options.columns + "\"\n";
  }

  CorpusWriter writer(options.output, comm, content, options.overwrite);
  const std::size_t sessions = index.sessions.size();
  std::size_t local_done = 0;
  for (std::size_t s = static_cast<std::size_t>(rank); s < sessions;
       s += static_cast<std::size_t>(size)) {
    const auto channels =
        static_cast<std::size_t>(index.subjects[index.sessions[s].subject].n_channels);
    std::vector<std::size_t> trials;
    for (std::size_t t = 0; t < index.trial_count(); ++t) {
      if (index.trial_session[t] == static_cast<std::int32_t>(s)) trials.push_back(t);
    }
    // Pass 1: statistics per group from training trials (all trials if a group has none).
    std::map<std::int32_t, Moments> train, all;
    // Reads one trial, naming it in any error.
    auto read = [&](std::size_t t) {
      try {
        return source->read_features(t);
      } catch (const Error& e) {
        NS_THROW(DataError, source->locate(t), ": ", e.what());
      }
    };
    for (std::size_t t : trials) {
      throw_if_interrupted("ingest");
      std::vector<float> x = read(t);
      check_finite(x, channels, source->locate(t));
      const std::int32_t g = index.trial_norm_group[t];
      all[g].add(x, channels);
      if (index.trial_split[t] == static_cast<std::int8_t>(Split::kTrain))
        train[g].add(x, channels);
    }
    std::map<std::int32_t, std::pair<std::vector<float>, std::vector<float>>> stats;
    for (auto& [g, moments] : all) {
      const Moments& m = train.count(g) ? train[g] : moments;
      auto& [mean, std] = stats[g];
      mean.resize(channels);
      std.resize(channels);
      for (std::size_t c = 0; c < channels; ++c) {
        const double mu = m.sum[c] / static_cast<double>(m.rows);
        const double sd =
            std::sqrt(std::max(0.0, m.sum_sq[c] / static_cast<double>(m.rows) - mu * mu));
        mean[c] = static_cast<float>(mu);
        std[c] = static_cast<float>(sd > 1e-6 ? sd : 1.0);
      }
      writer.write_norm_stats(static_cast<std::size_t>(g), mean, std);
    }
    // Pass 2: normalise and write.
    for (std::size_t t : trials) {
      throw_if_interrupted("ingest");
      std::vector<float> x = read(t);
      if (mode != "none") {
        const auto& [mean, std] = stats[index.trial_norm_group[t]];
        for (std::size_t i = 0; i < x.size(); ++i)
          x[i] = (x[i] - mean[i % channels]) / std[i % channels];
      }
      writer.write_trial(t, x);
    }
    ++local_done;
    if (rank == 0 && progress)
      progress(std::min(sessions, local_done * static_cast<std::size_t>(size)), sessions);
  }
  writer.commit();
}

}  // namespace neuroscale::io
