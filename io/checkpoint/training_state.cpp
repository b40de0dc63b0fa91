#include "io/checkpoint/training_state.h"

#include <boost/archive/text_oarchive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "core/check.h"
#include "io/fs/files.h"

namespace neuroscale::io {
namespace {

// Reads the text archive Boost.Serialization writes for TrainingState (library version >= 4,
// class versions 1 and 2), bounding every count and length by the bytes left in the file, so
// a damaged or crafted file cannot make the reader allocate more than the file could hold
// (Boost's own loader resizes to whatever count it reads). The layout, token by token:
//   <22> serialization::archive <library> <tracking> <class version>
//   step epoch cursor rank world_size  cpu_rng  cuda_rng           (bytes: count item_version b...)
//   version 2: lr loss_scale  metrics: <tracking> <version> count item_version, then per record
//     [<tracking> <version> of the first pair] step, map: [<tracking> <version> of the first
//     map] count item_version, per entry [<tracking> <version> of the first entry] length name
//     value
class ArchiveReader {
 public:
  ArchiveReader(std::string text, std::string path)
      : text_(std::move(text)), path_(std::move(path)) {}

  std::int64_t integer(std::int64_t lo, std::int64_t hi, const char* what) {
    skip_space();
    const auto start = at_;
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    std::int64_t value = 0;
    try {
      value = std::stoll(text_.substr(start, at_ - start));
    } catch (const std::exception&) {
      fail(std::string("expected ") + what + " at byte " + std::to_string(start));
    }
    if (value < lo || value > hi) {
      fail(std::string(what) + " " + std::to_string(value) + " at byte " + std::to_string(start) +
           " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return value;
  }
  // A count of items that each take at least `min_bytes` of the text left.
  std::size_t count(const char* what, std::size_t min_bytes) {
    const auto left =
        static_cast<std::int64_t>((text_.size() - std::min(at_, text_.size())) / min_bytes);
    return static_cast<std::size_t>(integer(0, left, what));
  }
  double real(const char* what) {
    skip_space();
    const auto start = at_;
    while (at_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
    const std::string token = text_.substr(start, at_ - start);
    std::size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(token, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != token.size())
      fail(std::string("expected ") + what + " at byte " + std::to_string(start));
    return value;
  }
  // "<length> <characters>"
  std::string string(const char* what) {
    const auto length = count(what, 1);
    if (at_ >= text_.size() || text_[at_] != ' ') fail(std::string("malformed ") + what);
    ++at_;
    if (length > text_.size() - at_) fail(std::string(what) + " runs past the end");
    auto value = text_.substr(at_, length);
    at_ += length;
    return value;
  }
  void class_info() {  // tracking level and class version of a type's first object
    integer(0, 1, "tracking level");
    integer(0, 255, "class version");
  }
  std::vector<std::uint8_t> bytes(const char* what) {
    std::vector<std::uint8_t> value(count(what, 2));
    integer(0, 255, "item version");
    for (auto& byte : value) byte = static_cast<std::uint8_t>(integer(0, 255, what));
    return value;
  }
  void finish() {
    skip_space();
    if (at_ != text_.size()) fail("unexpected data at byte " + std::to_string(at_));
  }
  [[noreturn]] void fail(const std::string& why) const {
    NS_THROW(CheckpointError, "training state '", path_, "' is malformed: ", why);
  }

 private:
  void skip_space() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  std::string text_, path_;
  std::size_t at_ = 0;
};

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

}  // namespace

FileDigest save_training_state(const TrainingState& state, const std::string& path) {
  std::ostringstream out;
  {
    boost::archive::text_oarchive archive(out);
    archive << state;
  }
  return write_file_atomically(path, out.str());
}

TrainingState load_training_state(const std::string& path) {
  const auto text = read_file(path);
  NS_CHECK_AS(CheckpointError, text.has_value(), "cannot read training state '", path,
              "': ", std::strerror(errno));
  ArchiveReader reader(*text, path);
  if (reader.string("archive signature") != "serialization::archive")
    reader.fail("not a Boost.Serialization text archive");
  reader.integer(4, 255, "archive library version");  // item versions are written from version 4 on
  reader.integer(0, 1, "tracking level");
  const auto version = reader.integer(1, 2, "TrainingState version");
  TrainingState state;
  state.step = reader.integer(0, kMaxInt64, "step");
  state.epoch = reader.integer(0, kMaxInt64, "epoch");
  state.cursor = reader.integer(0, kMaxInt64, "cursor");
  state.world_size = 1;
  state.rank = static_cast<std::int32_t>(reader.integer(0, 1 << 24, "rank"));
  state.world_size = static_cast<std::int32_t>(reader.integer(1, 1 << 24, "world size"));
  state.cpu_rng = reader.bytes("CPU generator state");
  state.cuda_rng = reader.bytes("CUDA generator state");
  if (version >= 2) {
    state.lr = reader.real("learning rate");
    state.loss_scale = reader.real("loss scale");
    reader.class_info();
    state.metrics.resize(reader.count("metric records", 4));
    reader.integer(0, 255, "item version");
    bool first_map = true, first_entry = true;
    for (std::size_t i = 0; i < state.metrics.size(); ++i) {
      if (i == 0) reader.class_info();
      auto& [step, values] = state.metrics[i];
      step = reader.integer(-kMaxInt64, kMaxInt64, "metric step");
      if (first_map) reader.class_info();
      first_map = false;
      const auto entries = reader.count("metric values", 4);
      reader.integer(0, 255, "item version");
      for (std::size_t j = 0; j < entries; ++j) {
        if (first_entry) reader.class_info();
        first_entry = false;
        auto name = reader.string("metric name");
        values[name] = reader.real("metric value");
      }
    }
  }
  reader.finish();
  return state;
}

}  // namespace neuroscale::io
