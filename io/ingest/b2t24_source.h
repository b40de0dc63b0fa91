// Brain-to-Text '24 (Willett et al. 2023, participant T12): MAT files
//   competitionData/{train,test,competitionHoldOut}/t12.2022.MM.DD.mat
// with cell arrays tx1..tx4 (threshold crossings at -3.5..-6.5 RMS) and spikePow (S x 1 cells
// of T x 256, 20 ms bins; columns 0-127 area 6v, 128-255 area 44), sentenceText (S x C char
// matrix), blockIdx (S x 1). Read with libmatio. Splits: train -> train, test -> val (it has
// labels), competitionHoldOut -> test. The files carry sentences, not phoneme ids: with a
// pronunciation lexicon each sentence gets its phoneme labels as the benchmark made them
// (core/decode/sentence_phonemes.h); a word the lexicon lacks is a DataError listing them all.
#pragma once

#include <matio.h>

#include <memory>
#include <string>
#include <vector>

#include "core/decode/lexicon.h"
#include "io/ingest/corpus_source.h"

namespace neuroscale::io {

class B2t24Source final : public CorpusSource {
 public:
  // `features`: variables concatenated per bin, e.g. {"tx1", "spikePow"}; `first_column` and
  // `end_column` select columns [first, end) of each (end -1: all).
  // `lexicon`: a CMU-dict style file for the phoneme labels ("": no labels).
  B2t24Source(std::vector<std::string> inputs, std::vector<std::string> features, int first_column,
              int end_column, std::string lexicon = "");
  ~B2t24Source() override;
  void scan(CorpusContent& content) override;
  std::vector<float> read_features(std::size_t trial) override;
  std::string locate(std::size_t trial) const override;

 private:
  struct TrialRef {
    std::size_t file;
    int cell;
  };
  void load(std::size_t file);  // the file whose variables are cached

  std::vector<std::string> inputs_, features_;
  std::string lexicon_path_;
  std::unique_ptr<decode::Lexicon> lexicon_;
  int first_column_, end_column_, width_ = 0;
  std::vector<std::string> files_;
  std::vector<TrialRef> trials_;
  std::size_t loaded_file_ = static_cast<std::size_t>(-1);
  std::vector<matvar_t*> loaded_;  // one per feature variable, owned
};

}  // namespace neuroscale::io
