#include "jobs/schema/evaluate_schema.h"

#include "core/check.h"
#include "core/text.h"
#include "io/config/config_document.h"
#include "io/fs/files.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

void describe(ConfigVisitor& v, EvaluateConfig& o) {
  v.value("task", o.task,
          Field("what to evaluate: phonemes (CTC decoding; PER and WER)").one_of({"phonemes"}));
  v.value("checkpoint", o.checkpoint,
          Field("fine-tuning run directory or checkpoint (its newest verified one)").non_empty());
  v.value("ensemble", o.ensemble,
          Field("more fine-tuned checkpoints decoded with 'checkpoint': CTC models' phoneme "
                "log-probabilities are averaged (and renormalised) before decoding; end-to-end "
                "models pool their n-best lists and pick by the mean log-likelihood (empty: one "
                "model)"));
  v.value("device", o.device, Field("where to run the model").one_of({"cpu", "cuda"}));
  v.section("data", "the trials to decode", [&](ConfigVisitor& s) {
    s.value("corpus", o.corpus, Field("corpus file (.h5)").non_empty());
    s.value("split", o.split, Field("which trials").one_of({"train", "val", "test"}));
    s.value("subjects", o.subjects, Field("decode these subjects only (empty: all)"));
    s.value("tasks", o.tasks,
            Field("decode sessions of these tasks only, e.g. [imagined_speech] (empty: all)"));
    s.value("normalize", o.normalize,
            Field("apply stored statistics when the corpus holds raw features"));
    s.value("micro_batch", o.micro_batch, Field("trials per forward pass").range(1, 1 << 20));
    s.value("loader_threads", o.loader_threads,
            Field("threads of the loader's pipeline").range(1, 256));
  });
  v.section("decode", "from phoneme probabilities to phonemes and words", [&](ConfigVisitor& s) {
    s.value("method", o.method,
            Field("greedy (best class per token), beam (lexicon-constrained prefix beam search), "
                  "or llm (an end-to-end model's LM writes the sentence)")
                .one_of({"greedy", "beam", "llm"}));
    s.value("lexicon", o.lexicon, Field("pronunciation lexicon, CMU-dict style (beam: required)"));
    s.value("lm", o.lm, Field("word n-gram language model, ARPA format (empty: none)"));
    s.value("beam", o.beam.beam, Field("hypotheses kept per token").range(1, 1 << 20));
    s.value("lm_weight", o.beam.lm_weight,
            Field("weight of the language model's log-probabilities").range(0, 100));
    s.value("word_bonus", o.beam.word_bonus,
            Field("log-score added per word (insertion bonus)").range(-100, 100));
    s.value("blank_penalty", o.beam.blank_penalty,
            Field("the blank's probability is divided by this (the B2T decoder uses 90)")
                .range(1e-6, 1e6));
    s.value("acoustic_scale", o.beam.acoustic_scale,
            Field("multiplies the model's log-probabilities").range(1e-6, 100));
    s.section("llm", "generation from an end-to-end model (method: llm)", [&](ConfigVisitor& g) {
      g.value("beams", o.llm.beams, Field("beam-search width (1: greedy)").range(1, 256));
      g.value(
          "nbest", o.llm.nbest,
          Field("hypotheses kept per trial, best first (nbest.tsv); at most beams").range(1, 256));
      g.value("max_new_tokens", o.llm.max_new_tokens,
              Field("tokens generated at most per trial").range(1, 1 << 16));
      g.value("length_penalty", o.llm.length_penalty,
              Field("a finished beam's log-probability is divided by its length to this power")
                  .range(-10, 10));
      g.value("acoustic_scale", o.llm.acoustic_scale,
              Field("weight of each candidate's acoustic score, as BIT's: the CTC "
                    "log-likelihood of its phonemes (decode.lexicon) under the model's CTC head; "
                    "0: off")
                  .range(0, 100));
    });
    s.section("rescore", "an LLM rescoring the beam search's n-best list", [&](ConfigVisitor& r) {
      r.value("llm", o.rescore.llm,
              Field("Hugging Face causal LM directory (config.json, model.safetensors, "
                    "tokenizer.json); empty: no rescoring"));
      r.value("dtype", o.rescore.dtype,
              Field("the LLM's parameters").one_of({"float32", "bfloat16"}));
      r.value("prefix", o.rescore.prefix,
              Field("the LLM's key prefix inside its weights (Aero-1-Audio: language_model.)"));
      r.value("batch_size", o.rescore.batch_size,
              Field("candidates per LLM forward pass").range(1, 1 << 16));
      r.value("nbest", o.rescore.options.nbest,
              Field("candidates kept from the beam search (B2T baselines: 100)").range(1, 1 << 16));
      r.value("alpha", o.rescore.options.alpha,
              Field("weight of the LLM score; 1 - alpha weighs the n-gram score").range(0, 1));
      r.value("acoustic_scale", o.rescore.options.acoustic_scale,
              Field("weight of the acoustic (CTC) score").range(0, 100));
      r.value("length_penalty", o.rescore.options.length_penalty,
              Field("subtracted from the LLM score per token").range(-100, 100));
    });
  });
}

void validate(const EvaluateConfig& o, const std::string& source) {
  NS_CHECK_AS(ConfigError, o.llm.nbest <= o.llm.beams, source, ": 'decode.llm.nbest' (",
              o.llm.nbest, ") exceeds 'decode.llm.beams' (", o.llm.beams, ")");
  NS_CHECK_AS(
      ConfigError, o.method != "beam" || !o.lexicon.empty(), source,
      ": 'decode.method' beam needs 'decode.lexicon' (a CMU-dict style pronunciation file)");
  NS_CHECK_AS(ConfigError, o.llm.acoustic_scale == 0 || o.method == "llm", source,
              ": 'decode.llm.acoustic_scale' scores the candidates of 'decode.method: llm'");
  NS_CHECK_AS(ConfigError, o.llm.acoustic_scale == 0 || !o.lexicon.empty(), source,
              ": 'decode.llm.acoustic_scale' needs 'decode.lexicon' (the candidates' phonemes)");
  NS_CHECK_AS(ConfigError, o.lm.empty() || o.method == "beam", source,
              ": 'decode.lm' is only used by 'decode.method: beam'");
  NS_CHECK_AS(ConfigError, o.rescore.llm.empty() || o.method == "beam", source,
              ": 'decode.rescore.llm' rescores the n-best list of 'decode.method: beam'");
  NS_CHECK_AS(ConfigError, o.rescore.llm.empty() || io::is_directory(o.rescore.llm), source,
              ": 'decode.rescore.llm' is '", o.rescore.llm,
              "', which is not a directory (a Hugging Face model directory is expected)");
  for (const auto& member : o.ensemble) {
    NS_CHECK_AS(ConfigError, !member.empty() && member != o.checkpoint, source,
                ": 'ensemble' lists '", member,
                "': expected other checkpoints than 'checkpoint', none empty");
  }
}

std::string evaluation_task(const std::vector<std::string>& args) {
  std::string task, config, override;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) config = args[i + 1];
    if (args[i] == "--task" && i + 1 < args.size()) task = args[i + 1];
    if (starts_with(args[i], "--task=")) task = args[i].substr(7);
    if (starts_with(args[i], "task=")) override = args[i].substr(5);
  }
  if (!task.empty()) return task;
  if (!override.empty()) return override;
  if (!config.empty() && io::is_regular_file(config)) {
    return io::ConfigDocument::from_file(config).top_level_scalar("task", "phonemes");
  }
  return "phonemes";
}

}  // namespace neuroscale::jobs
