#include "io/run/tensorboard_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/hash/crc32c.h"
#include "tensorboard_event.pb.h"

namespace neuroscale::io {
namespace {

void put_little_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

tensorboard::Event event_at(double wall_time, std::int64_t step) {
  tensorboard::Event event;
  event.set_wall_time(wall_time);
  event.set_step(step);
  return event;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string tensorboard_tag(const std::string& metric) {
  if (metric.rfind("val_", 0) == 0) return "val/" + metric.substr(4);
  if (metric == "lr" || metric == "grad_norm" || metric == "skipped_steps")
    return "optim/" + metric;
  if (ends_with(metric, "_per_s")) return "throughput/" + metric;
  if (metric == "data_wait_s" || metric == "comm_exposed_s" || metric == "checkpoint_s" ||
      metric == "step_s") {
    return "time/" + metric;
  }
  return "train/" + metric;
}

std::string tfrecord_frame(const std::string& payload) {
  std::string frame;
  put_little_endian(frame, payload.size(), 8);
  put_little_endian(frame, masked_crc32c(frame.data(), 8), 4);
  frame += payload;
  put_little_endian(frame, masked_crc32c(payload.data(), payload.size()), 4);
  return frame;
}

std::string event_file_version(double wall_time) {
  auto event = event_at(wall_time, 0);
  event.set_file_version("brain.Event:2");
  return event.SerializeAsString();
}

std::string event_session_start(double wall_time, std::int64_t step) {
  auto event = event_at(wall_time, step);
  event.mutable_session_log()->set_status(tensorboard::SessionLog::START);
  return event.SerializeAsString();
}

std::string event_scalars(double wall_time, std::int64_t step,
                          const std::vector<std::pair<std::string, float>>& values) {
  auto event = event_at(wall_time, step);
  auto* summary = event.mutable_summary();
  for (const auto& [tag, value] : values) {
    auto* item = summary->add_value();
    item->set_tag(tag);
    item->set_simple_value(value);
  }
  return event.SerializeAsString();
}

TensorBoardWriter::TensorBoardWriter(const std::string& directory, std::int64_t first_step) {
  create_directories(directory);
  char host[256] = {0};
  if (::gethostname(host, sizeof(host) - 1) != 0) std::strcpy(host, "localhost");
  const std::string base = directory + "/events.out.tfevents." +
                           std::to_string(std::time(nullptr)) + "." + host + "." +
                           std::to_string(::getpid());
  // Two writers of one process within a second (tests) get ".1", ".2", ... appended.
  for (int attempt = 0; fd_ < 0; ++attempt) {
    path_ = attempt == 0 ? base : base + "." + std::to_string(attempt);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    NS_CHECK_AS(DataError, fd_ >= 0 || (errno == EEXIST && attempt < 1000), "cannot create '",
                path_, "': ", std::strerror(errno));
  }
  const double wall_time = now_seconds();
  write_record(event_file_version(wall_time));
  write_record(event_session_start(wall_time, first_step));
}

TensorBoardWriter::~TensorBoardWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void TensorBoardWriter::write_scalars(std::int64_t step,
                                      const std::map<std::string, double>& values) {
  std::vector<std::pair<std::string, float>> tagged;
  tagged.reserve(values.size());
  for (const auto& [key, value] : values)
    tagged.emplace_back(tensorboard_tag(key), static_cast<float>(value));
  write_record(event_scalars(now_seconds(), step, tagged));
}

void TensorBoardWriter::write_record(const std::string& payload) {
  const std::string frame = tfrecord_frame(payload);
  std::size_t done = 0;
  while (done < frame.size()) {
    const ssize_t n = ::write(fd_, frame.data() + done, frame.size() - done);
    if (n < 0 && errno == EINTR) continue;
    NS_CHECK_AS(DataError, n > 0, "cannot write '", path_, "': ", std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace neuroscale::io
