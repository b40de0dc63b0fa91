// What both kinds of `neuroscale evaluate` (phonemes: CTC decoding; llm: end-to-end
// generation) share: this rank's share of the split's trials in micro-batches, and rank 0's
// gathering of every rank's prediction lines.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/log.h"
#include "distributed/communicator.h"
#include "io/corpus/corpus_reader.h"
#include "io/data/loader.h"
#include "io/run/results.h"
#include "jobs/schema/evaluate_schema.h"

namespace neuroscale::jobs {

class EvaluationTrials {
 public:
  // The trials of config.split (and config.subjects) of `reader`'s corpus, padded to
  // `patch_size` bins, shared among `ranks`.
  EvaluationTrials(const EvaluateConfig& config, const io::CorpusReader& reader,
                   std::int64_t patch_size, int rank, int ranks);
  // Steps every rank takes (some may have no batch in the last one).
  std::int64_t steps() const { return steps_; }
  // This rank's next micro-batch (none in a last step with fewer batches than ranks).
  std::optional<Batch> next() { return loader_->next(); }

 private:
  std::unique_ptr<io::GlobalSampler> sampler_;
  std::unique_ptr<io::Loader> loader_;
  std::int64_t steps_ = 0;
};

// Every rank's prediction lines (io::prediction_line), gathered on every rank and parsed.
std::vector<io::TrialPrediction> gather_predictions(distributed::Communicator& comm,
                                                    const at::Device& device,
                                                    const std::string& mine);

// Every rank's lines of `mine` (newline-terminated), gathered on every rank in rank order.
std::vector<std::string> gather_lines(distributed::Communicator& comm, const at::Device& device,
                                      const std::string& mine);

// Each sentence's decoding latency: the wall time of its micro-batch from features to text.
class SentenceLatencies {
 public:
  void add(double seconds, std::int64_t sentences);
  // Every rank's latencies gathered (collective): their mean and 95th percentile (nearest
  // rank), in seconds; NaN without any.
  std::pair<double, double> gather(distributed::Communicator& comm, const at::Device& device) const;

 private:
  std::string lines_;  // one latency per sentence
};

// Logs the totals' PER and WER ("n/a" without references) and where the results are.
void log_evaluation(Logger& log, const io::EvaluationTotals& totals, const std::string& run_dir);

}  // namespace neuroscale::jobs
