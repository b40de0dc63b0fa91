// `neuroscale evaluate` with decode.method llm: the end-to-end model of a `task: sentence`
// fine-tuning run writes each trial's sentence (greedy or beam search over its LM, from the
// prompt and the trial's projected neural tokens). Writes predictions.tsv, submission.csv and
// evaluation.json (WER, and the decoding latency per sentence: mean and p95), and with
// decode.llm.nbest > 1 nbest.tsv. Ranks share the trials; rank 0 writes.
#pragma once

#include "jobs/config_job.h"
#include "jobs/schema/evaluate_schema.h"

namespace neuroscale::jobs {

int run_sentence_evaluation(ConfigJob& job, const EvaluateConfig& config);

}  // namespace neuroscale::jobs
