#include "distributed/corpus_data.h"

#include <algorithm>
#include <set>

#include "core/check.h"
#include "distributed/loader_source.h"

namespace neuroscale::distributed {

CorpusTrainingData::CorpusTrainingData(const io::CorpusIndex& index, CorpusDataOptions data,
                                       io::SamplerOptions sampler, std::int64_t patch_size,
                                       Logger& log)
    : data_(std::move(data)) {
  sampler.split = io::Split::kTrain;
  sampler.bucket_batches = data_.bucket_batches;
  sampler.subjects = subject_indices(index, data_.subjects, data_.corpus);
  sampler.tasks = checked_tasks(index, data_.tasks, data_.corpus);
  train_sampler_ = std::make_unique<io::GlobalSampler>(index, sampler);
  std::int64_t trials = 0, bins = 0;
  for (const auto& subject : train_sampler_->trials_by_subject())
    for (const auto trial : subject) {
      ++trials;
      bins += index.trial_bins[static_cast<std::size_t>(trial)];
    }
  const double hours = static_cast<double>(bins) * index.bin_ms / 3.6e6;
  if (sampler.fraction < 1.0)
    log.info("training on ", trials, " trials (", hours, " h), a fraction ", sampler.fraction,
             " of each subject's");
  else
    log.info("training on ", trials, " trials (", hours, " h)");
  sampler.split = io::Split::kVal;
  sampler.fraction = 1.0;  // validation always sees every trial
  try {
    val_sampler_ = std::make_unique<io::GlobalSampler>(index, sampler);
  } catch (const ConfigError&) {
    log.warn("corpus '", data_.corpus, "' has no val trials",
             sampler.labeled_only ? " with labels" : "", ": validation is skipped");
  }
  loader_options_.prefetch = data_.prefetch;
  loader_options_.threads = data_.loader_threads;
  loader_options_.normalize = data_.normalize;
  loader_options_.pad_multiple = static_cast<int>(patch_size);
}

std::unique_ptr<ResumableSource> CorpusTrainingData::train(io::SamplerPosition start, int rank,
                                                           int world_size, int accumulate) {
  return std::make_unique<LoaderSource>(data_.corpus, *train_sampler_, start, rank, world_size,
                                        accumulate, loader_options_);
}

ValidationSource CorpusTrainingData::validation(int rank, int world_size) {
  if (!val_sampler_) return {};
  return [this, rank, world_size] {
    return std::make_unique<LoaderSource>(data_.corpus, *val_sampler_, io::SamplerPosition{}, rank,
                                          world_size, 1, loader_options_);
  };
}

std::vector<std::string> checked_tasks(const io::CorpusIndex& index,
                                       const std::vector<std::string>& names,
                                       const std::string& corpus) {
  std::set<std::string> present;
  for (const auto& session : index.sessions) present.insert(session.task);
  std::string listed;
  for (const auto& task : present) listed += (listed.empty() ? "" : ", ") + task;
  std::set<std::string> seen;
  for (const auto& name : names) {
    NS_CHECK_AS(ConfigError, present.count(name), "data.tasks: '", name,
                "' is not a task of the sessions of corpus '", corpus, "' (it has: ", listed, ")");
    NS_CHECK_AS(ConfigError, seen.insert(name).second, "data.tasks: '", name, "' is listed twice");
  }
  return names;
}

std::vector<std::int32_t> subject_indices(const io::CorpusIndex& index,
                                          const std::vector<std::string>& names,
                                          const std::string& corpus) {
  std::vector<std::int32_t> indices;
  for (const auto& name : names) {
    std::string known;
    std::int32_t found = -1;
    for (std::size_t i = 0; i < index.subjects.size(); ++i) {
      known += (i ? ", " : "") + index.subjects[i].name;
      if (index.subjects[i].name == name) found = static_cast<std::int32_t>(i);
    }
    NS_CHECK_AS(ConfigError, found >= 0, "data.subjects: '", name, "' is not a subject of corpus '",
                corpus, "' (it has: ", known, ")");
    NS_CHECK_AS(ConfigError, std::find(indices.begin(), indices.end(), found) == indices.end(),
                "data.subjects: '", name, "' is listed twice");
    indices.push_back(found);
  }
  return indices;
}

std::vector<model::SubjectSpec> subject_specs(const io::CorpusIndex& index) {
  std::vector<model::SubjectSpec> subjects;
  for (const auto& s : index.subjects) subjects.push_back({s.name, s.n_channels});
  return subjects;
}

io::ModelIdentity neural_model_identity(const std::string& kind,
                                        const std::vector<model::SubjectSpec>& subjects,
                                        const std::string& model_yaml) {
  std::string table;
  for (const auto& s : subjects)
    table += (table.empty() ? "" : ", ") + s.name + ":" + std::to_string(s.channels);
  return io::ModelIdentity(kind, {{"subjects", table}}, model_yaml);
}

}  // namespace neuroscale::distributed
