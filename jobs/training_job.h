// What the training subcommands (`pretrain`, `finetune`, `braintune`) do before building
// their task: the session's spec from the command line and the config, and the session
// itself (distributed/training_session.h), opened on the run directory.
#pragma once

#include <memory>
#include <string>

#include "distributed/training_session.h"
#include "jobs/config_job.h"

namespace neuroscale::jobs {

// The spec of a training job that brings its own data (brain-tuning, language models): the
// run directory, resume choice and tracing of the job's command line, and the train,
// checkpoint and seed sections of a config that has them.
template <class Config>
distributed::TrainingSpec own_data_spec(const std::string& activity, const ConfigJob& job,
                                        const Config& config) {
  const ConfigCommandLine& line = job.line();
  distributed::TrainingSpec spec;
  spec.activity = activity;
  spec.run_dir = line.run_dir;
  spec.resume = line.resume;
  spec.trace = line.trace;
  spec.train = config.train;
  spec.checkpoint = config.checkpoint;
  spec.seed = config.seed;
  return spec;
}

// The same for a config that also has a neural corpus' data section.
template <class Config>
distributed::TrainingSpec training_spec(const std::string& activity, const ConfigJob& job,
                                        const Config& config, std::int64_t patch_size) {
  auto spec = own_data_spec(activity, job, config);
  spec.data = config.data;
  spec.patch_size = patch_size;
  return spec;
}

// Opens the run directory of `spec` (when set; the job's resolved config and the
// environment are recorded once the session knows the directory's checkpoints fit this
// run), then the session, with the engine's version for the checkpoints.
std::unique_ptr<distributed::TrainingSession> open_training_session(ConfigJob& job,
                                                                    distributed::TrainingSpec spec);

}  // namespace neuroscale::jobs
