// Brain-to-Text '25 (Card et al. 2024, participant T15): a tree
//   <root>/t15.YYYY.MM.DD/data_{train,val,test}.hdf5
// with one group trial_NNNN per trial: dataset input_features [T, 512] (256 threshold
// crossings + 256 spike-band power, 20 ms bins), seq_class_ids (phoneme ids zero-padded to
// a fixed length; true length in attribute seq_len), transcription (ASCII codes,
// zero-padded); attributes n_time_steps, seq_len, sentence_label, session, block_num,
// trial_num. Test files carry no labels. Sessions become days; the 41-class ids are kept.
#pragma once

#include <string>
#include <vector>

#include "io/ingest/corpus_source.h"

namespace neuroscale::io {

class B2t25Source final : public CorpusSource {
 public:
  // `inputs`: roots of the tree, session directories, or data_*.hdf5 files.
  explicit B2t25Source(std::vector<std::string> inputs);
  void scan(CorpusContent& content) override;
  std::vector<float> read_features(std::size_t trial) override;
  std::string locate(std::size_t trial) const override;

 private:
  struct TrialRef {
    std::size_t file;
    std::string group;
  };
  std::vector<std::string> inputs_;
  std::vector<std::string> files_;
  std::vector<TrialRef> trials_;
  int channels_ = 0;
};

}  // namespace neuroscale::io
