// Fuzz harness: a corpus file's index tables (subjects, sessions, the per-trial columns and
// the normalisation groups: docs/corpus-format.md), as CorpusReader holds them after reading
// the HDF5 datasets, checked by CorpusIndex::validate and then used by what reads them
// (summary, row counts, the global sampler). The HDF5 layer is not fuzzed here: the bytes
// decode into the tables directly, so every input reaches the validation. A bad index is a
// DataError (validate) or a ConfigError (a sampler with nothing to sample); once validate
// accepts an index, nothing that reads it may fail otherwise.
//
// Input layout (little-endian; missing bytes read as 0):
//   u8 subjects (1-4), u8 sessions (1-8), u8 trials (0-64), u8 normalization (0 none,
//   1 per_day, 2 per_block, else an unknown name), u8 norm groups (0-16);
//   per subject: i16 channels; per session: i8 subject, i16 day;
//   per trial: i8 session, i8 split, i16 bins, i32 row, i32 label offset, i16 label count,
//              i32 text offset, i16 text length, i8 block, i8 norm group;
//   per norm group: i8 session, i8 block.
#include <cstring>

#include "core/error.h"
#include "io/corpus/corpus_index.h"
#include "io/data/sampler.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  template <class T>
  T next() {
    unsigned char raw[sizeof(T)] = {};
    for (std::size_t i = 0; i < sizeof(T) && at_ < size_; ++i) raw[i] = data_[at_++];
    T value;
    std::memcpy(&value, raw, sizeof(T));
    return value;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_, at_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace neuroscale::io;
  Bytes in(data, size);
  CorpusIndex index;
  const int subjects = 1 + in.next<std::uint8_t>() % 4, sessions = 1 + in.next<std::uint8_t>() % 8;
  const int trials = in.next<std::uint8_t>() % 65;
  const int normalization = in.next<std::uint8_t>();
  const int groups = in.next<std::uint8_t>() % 17;
  index.normalization = normalization == 0   ? "none"
                        : normalization == 1 ? "per_day"
                        : normalization == 2 ? "per_block"
                                             : "z";
  index.source = "fuzz";
  for (int s = 0; s < subjects; ++s) {
    index.subjects.push_back({"s" + std::to_string(s), "human", in.next<std::int16_t>(), "fuzz"});
  }
  for (int s = 0; s < sessions; ++s) {
    const std::int32_t subject = in.next<std::int8_t>();
    index.sessions.push_back({subject, "2026-01-01", in.next<std::int16_t>(), "attempted_speech"});
  }
  for (int t = 0; t < trials; ++t) {
    index.trial_session.push_back(in.next<std::int8_t>());
    index.trial_split.push_back(in.next<std::int8_t>());
    index.trial_bins.push_back(in.next<std::int16_t>());
    index.trial_row.push_back(in.next<std::int32_t>());
    index.label_offset.push_back(in.next<std::int32_t>());
    index.label_count.push_back(in.next<std::int16_t>());
    index.text_offset.push_back(in.next<std::int32_t>());
    index.text_length.push_back(in.next<std::int16_t>());
    index.trial_block.push_back(in.next<std::int8_t>());
    index.trial_norm_group.push_back(in.next<std::int8_t>());
  }
  for (int g = 0; g < groups; ++g) {
    const std::int32_t session = in.next<std::int8_t>();
    index.norm_groups.push_back({session, in.next<std::int8_t>()});
  }
  try {
    index.validate("fuzz");
  } catch (const neuroscale::DataError&) {
    return 0;
  }
  summarize(index, "fuzz");
  for (int s = 0; s < subjects; ++s) index.subject_rows(s);
  for (const bool labeled : {false, true}) {
    try {
      SamplerOptions options;
      options.batch_trials = 3;
      options.labeled_only = labeled;
      GlobalSampler sampler(index, options);
      SamplerPosition position;
      for (int step = 0; step < 2 * (trials + 1); ++step) sampler.next(position, step % 2, 2);
    } catch (const neuroscale::ConfigError&) {
    }
  }
  return 0;
}
