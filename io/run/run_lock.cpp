#include "io/run/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <thread>

#include "core/check.h"

namespace neuroscale::io {
namespace {

std::string read_holder(int fd) {
  std::string text;
  char buffer[512];
  ssize_t n = 0;
  off_t offset = 0;
  while ((n = ::pread(fd, buffer, sizeof(buffer), offset)) > 0 && text.size() < 4096) {
    text.append(buffer, static_cast<std::size_t>(n));
    offset += n;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? "a job that has not written its name yet" : text;
}

bool locks_unsupported(int error) {
  return error == ENOLCK || error == ENOSYS || error == EOPNOTSUPP || error == EINVAL;
}

}  // namespace

std::string run_lock_holder(const std::string& host, long pid, const std::string& slurm_job) {
  char started[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  std::strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return "host=" + host + " pid=" + std::to_string(pid) +
         " slurm_job=" + (slurm_job.empty() ? "none" : slurm_job) + " started=" + started;
}

RunLock::RunLock(const std::string& run_dir, const RunLockOptions& options)
    : path_(run_dir + "/job.lock") {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  NS_CHECK_AS(DataError, fd_ >= 0, "cannot open the run directory's lock file '", path_,
              "': ", std::strerror(errno));
  const auto deadline = std::chrono::steady_clock::now() + options.same_job_wait;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EINTR) continue;
    if (locks_unsupported(error)) {
      unsupported_ = "the file system of '" + path_ + "' does not support locks (" +
                     std::strerror(error) +
                     "): a second job on this run directory would not be detected";
      break;
    }
    const std::string holder = read_holder(fd_);
    const bool same_job = !options.slurm_job.empty() &&
                          holder.find("slurm_job=" + options.slurm_job + " ") != std::string::npos;
    if (error == EWOULDBLOCK && same_job && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(
          std::chrono::seconds(1));  // our own job's earlier incarnation: its lease expires
      continue;
    }
    ::close(fd_);
    fd_ = -1;
    NS_CHECK_AS(
        BusyError, error != EWOULDBLOCK, "run directory '", run_dir, "' is in use by another job (",
        holder,
        "): one job per run directory. Wait for it to end or cancel it, or use another --run-dir");
    NS_THROW(DataError, "cannot lock '", path_, "': ", std::strerror(error));
  }
  const std::string text = options.holder + "\n";
  const bool written = ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, text.data(), text.size(), 0) ==
                                                       static_cast<ssize_t>(text.size());
  NS_CHECK_AS(DataError, written, "cannot write the run directory's lock file '", path_,
              "': ", std::strerror(errno));
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace neuroscale::io
