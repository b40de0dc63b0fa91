#include "jobs/evaluation_trials.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "distributed/corpus_data.h"
#include "distributed/gather.h"

namespace neuroscale::jobs {

EvaluationTrials::EvaluationTrials(const EvaluateConfig& config, const io::CorpusReader& reader,
                                   std::int64_t patch_size, int rank, int ranks) {
  const auto& index = reader.index();
  io::SamplerOptions sampler_options;
  sampler_options.split = io::split_from_string(config.split);
  sampler_options.batch_trials = config.micro_batch;
  sampler_options.subjects = distributed::subject_indices(index, config.subjects, config.corpus);
  sampler_options.tasks = distributed::checked_tasks(index, config.tasks, config.corpus);
  sampler_ = std::make_unique<io::GlobalSampler>(index, sampler_options);
  io::LoaderOptions loader_options;
  loader_options.pad_multiple = static_cast<int>(patch_size);
  loader_options.threads = config.loader_threads;
  loader_options.normalize = config.normalize;
  loader_ = std::make_unique<io::Loader>(reader, *sampler_, io::SamplerPosition{}, rank, ranks,
                                         loader_options);
  steps_ = sampler_->steps_per_epoch(ranks);
}

std::vector<std::string> gather_lines(distributed::Communicator& comm, const at::Device& device,
                                      const std::string& mine) {
  std::vector<std::string> lines;
  for (const auto& text : distributed::allgather_text(comm, device, mine)) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  return lines;
}

std::vector<io::TrialPrediction> gather_predictions(distributed::Communicator& comm,
                                                    const at::Device& device,
                                                    const std::string& mine) {
  std::vector<io::TrialPrediction> predictions;
  for (const auto& line : gather_lines(comm, device, mine))
    predictions.push_back(io::parse_prediction_line(line));
  return predictions;
}

void SentenceLatencies::add(double seconds, std::int64_t sentences) {
  for (std::int64_t i = 0; i < sentences; ++i) lines_ += std::to_string(seconds) + "\n";
}

std::pair<double, double> SentenceLatencies::gather(distributed::Communicator& comm,
                                                    const at::Device& device) const {
  std::vector<double> seconds;
  for (const auto& line : gather_lines(comm, device, lines_)) seconds.push_back(std::stod(line));
  if (seconds.empty()) return {NAN, NAN};
  std::sort(seconds.begin(), seconds.end());
  double sum = 0.0;
  for (const double s : seconds) sum += s;
  const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(seconds.size())));
  return {sum / static_cast<double>(seconds.size()), seconds[std::max<std::size_t>(rank, 1) - 1]};
}

void log_evaluation(Logger& log, const io::EvaluationTotals& totals, const std::string& run_dir) {
  const auto rate = [](std::int64_t edits, std::int64_t reference) {
    return reference > 0
               ? std::to_string(static_cast<double>(edits) / static_cast<double>(reference))
               : std::string("n/a");
  };
  log.info("evaluated ", totals.trials, " trials: PER ",
           rate(totals.phoneme_edits, totals.phonemes), ", WER ",
           totals.words > 0 ? rate(totals.word_edits, totals.words)
                            : "n/a (needs words: decode.method beam or llm, and sentences)",
           "; results in ", run_dir);
}

}  // namespace neuroscale::jobs
