#include "jobs/training_job.h"

namespace neuroscale::jobs {

std::unique_ptr<distributed::TrainingSession> open_training_session(
    ConfigJob& job, distributed::TrainingSpec spec) {
  Runtime& runtime = job.runtime();
  auto& mpi = runtime.mpi();
  if (!spec.run_dir.empty()) {
    runtime.open_run_directory(spec.run_dir, "");
    spec.record_run = [&runtime, resolved = job.resolved_config()] {
      runtime.record_run(resolved);
    };
  }
  const auto version = version_text();
  spec.code_version = version.substr(0, version.find('\n'));
  return std::make_unique<distributed::TrainingSession>(mpi, runtime.logger(), std::move(spec));
}

}  // namespace neuroscale::jobs
