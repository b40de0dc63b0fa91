#include "jobs/config_job.h"

#include <iostream>

#include "core/check.h"
#include "distributed/accelerator.h"

namespace neuroscale::jobs {

ConfigJob::ConfigJob(Runtime& runtime, Kind kind, const std::string& program,
                     const std::string& summary, const std::string& configs)
    : runtime_(runtime), parser_(program, summary) {
  const bool training = kind == Kind::kTraining;
  add_config_options(parser_, line_, configs, !training, training);
  add_common_options(parser_, common_);
}

ConfigJob::~ConfigJob() = default;

bool ConfigJob::parse(const std::vector<std::string>& args, io::Describer describe,
                      const std::function<void(const std::string& source)>& validate) {
  if (!parser_.parse(args, std::cout)) return false;
  runtime_.configure(common_);
  describe_ = std::move(describe);
  return read_config(line_, describe_, validate);
}

std::string ConfigJob::resolved_config() const {
  NS_CHECK(describe_ != nullptr, "ConfigJob::resolved_config before parse");
  return io::to_yaml(describe_);
}

void ConfigJob::open(const std::string& device) {
  auto& mpi = runtime_.mpi();
  runtime_.open_run_directory(line_.run_dir, resolved_config());
  device_ = distributed::job_device(device, mpi.local_rank());
  comm_ = distributed::make_communicator(mpi, device_, {});
}

distributed::Communicator& ConfigJob::comm() {
  NS_CHECK(comm_ != nullptr, "ConfigJob::comm before open");
  return *comm_;
}

}  // namespace neuroscale::jobs
