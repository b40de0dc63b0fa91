#include "jobs/runtime.h"

#include <cstdlib>
#include <iostream>
#include <tuple>

#include "io/mpi/mpi_check.h"

namespace neuroscale::jobs {

distributed::MpiContext& Runtime::mpi() {
  if (!mpi_) mpi_ = std::make_unique<distributed::MpiContext>();
  return *mpi_;
}

void Runtime::configure(const CommonOptions& options) {
  verbose_ = options.verbose;
  LoggerOptions logging;
  logging.level = options.verbose ? LogLevel::kDebug : parse_log_level(options.log_level);
  logging.all_ranks = options.log_all_ranks;
  logger_ = std::make_unique<Logger>(process_, logging, std::cerr);
}

namespace {

// Rank 0's (code, text) on every rank of `comm`.
std::pair<int, std::string> share_from_rank0(MPI_Comm comm, int code, std::string text) {
  long long header[2] = {code, static_cast<long long>(text.size())};
  NS_MPI_CHECK(MPI_Bcast(header, 2, MPI_LONG_LONG, 0, comm));
  text.resize(static_cast<std::size_t>(header[1]));
  NS_MPI_CHECK(MPI_Bcast(text.data(), static_cast<int>(header[1]), MPI_CHAR, 0, comm));
  return {static_cast<int>(header[0]), text};
}

}  // namespace

void Runtime::open_run_directory(const std::string& path, const std::string& resolved_config) {
  io::RunDirectory dir(path);
  run_dir_ = dir.path();
  // One job per run directory: rank 0 holds the lock; every rank learns whether it got it.
  int code = 0;
  std::string text;
  if (process_.rank == 0) {
    try {
      io::RunLockOptions options;
      const char* job = std::getenv("SLURM_JOB_ID");
      options.slurm_job = job ? job : "";
      options.holder = io::run_lock_holder(process_.host, process_.pid, options.slurm_job);
      run_lock_ = std::make_unique<io::RunLock>(dir.path(), options);
      text = run_lock_->unsupported();
    } catch (const BusyError& error) {
      code = 1;
      text = error.what();
    } catch (const Error& error) {
      code = 2;
      text = error.what();
    }
  }
  if (mpi_active() && mpi().size() > 1)
    std::tie(code, text) = share_from_rank0(mpi().world(), code, text);
  if (code == 1) throw BusyError(text);
  if (code == 2) throw DataError(text);
  logger_->open_file(dir.log_path(process_.rank));
  if (!text.empty()) logger_->warn(text);
  logger_->info("run directory: ", dir.path());
  if (!resolved_config.empty()) record_run(resolved_config);
}

void Runtime::record_run(const std::string& resolved_config) {
  NS_CHECK(!run_dir_.empty(), "Runtime::record_run before open_run_directory");
  if (process_.rank != 0) return;
  io::RunDirectory dir(run_dir_);
  dir.write_file("config.yaml", resolved_config);
  std::string environment = "command:";
  for (const auto& arg : command_line_) environment += " " + arg;
  environment += "\nworld_size: " + std::to_string(process_.world_size) +
                 "\nhost (rank 0): " + process_.host + "\n" + version_text();
  const std::string launcher = launcher_environment();
  if (!launcher.empty()) environment += "launcher environment:\n" + launcher;
  dir.write_file("environment.txt", environment);
}

}  // namespace neuroscale::jobs
