// The config of `neuroscale evaluate` (configs/evaluate/*.yaml): which fine-tuned checkpoint
// decodes which trials, and how. The model itself is rebuilt from the config.yaml of the
// run that wrote the checkpoint, and checked against the checkpoint's model hash.
#pragma once

#include <string>
#include <vector>

#include "core/decode/ctc_decode.h"
#include "core/decode/rescoring.h"
#include "io/config/config_visitor.h"

namespace neuroscale::jobs {

// decode.rescore: an LLM rescoring the beam search's n-best list (core/decode/rescoring.h).
struct RescoreConfig {
  std::string llm;                ///< Hugging Face model directory ("": no rescoring)
  std::string dtype = "float32";  ///< float32 | bfloat16
  std::string prefix;             ///< the LLM's key prefix inside the weights ("": none)
  std::int64_t batch_size = 16;   ///< candidates per forward pass
  decode::RescoreOptions options;
};

// decode.llm: generation from an end-to-end model (decode.method: llm).
struct LlmDecodingConfig {
  std::int64_t beams = 1;  ///< 1: greedy
  std::int64_t nbest = 1;  ///< hypotheses kept per trial (nbest.tsv), at most beams
  std::int64_t max_new_tokens = 20;
  double length_penalty = 1.0;
  double acoustic_scale = 0.0;  ///< weight of the candidates' CTC score (0: off; needs a lexicon)
};

struct EvaluateConfig {
  std::string task = "phonemes";      ///< what to evaluate (phonemes: CTC decoding, PER/WER)
  std::string checkpoint;             ///< fine-tuning run directory or checkpoint (newest verified)
  std::vector<std::string> ensemble;  ///< more checkpoints averaged with it (empty: none)
  std::string corpus;                 ///< data.corpus
  std::string split = "val";          ///< data.split: train | val | test
  std::vector<std::string> subjects;  ///< data.subjects (empty: every subject with trials)
  std::vector<std::string> tasks;     ///< data.tasks (empty: sessions of every task)
  bool normalize = true;              ///< data.normalize
  int micro_batch = 16;               ///< data.micro_batch
  int loader_threads = 2;             ///< data.loader_threads
  std::string method = "greedy";      ///< decode.method: greedy | beam | llm
  std::string lexicon;                ///< decode.lexicon (beam: required)
  std::string lm;                     ///< decode.lm: ARPA file ("" : lexicon only)
  decode::BeamSearchOptions
      beam;               ///< decode.beam, lm_weight, word_bonus, blank_penalty, acoustic_scale
  RescoreConfig rescore;  ///< decode.rescore
  LlmDecodingConfig llm;  ///< decode.llm
  std::string device = "cpu";  ///< cpu | cuda
};

void describe(io::ConfigVisitor& v, EvaluateConfig& o);
// Cross-field checks (beam needs a lexicon, rescoring needs beam); ConfigError naming
// `source`.
void validate(const EvaluateConfig& o, const std::string& source);

// The evaluation `neuroscale evaluate ARGS` asks for, and with it the config schema: --task,
// else a `task=` override, else the config file's top-level `task:` key, else phonemes.
std::string evaluation_task(const std::vector<std::string>& args);

}  // namespace neuroscale::jobs
