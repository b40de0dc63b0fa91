#include "jobs/evaluate_decoding.h"

#include <ATen/Functions.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>

#include "core/check.h"
#include "core/text.h"
#include "io/lm/arpa_reader.h"
#include "io/lm/lexicon_reader.h"
#include "jobs/lm/text_scoring.h"

namespace neuroscale::jobs {

PhonemeEnsemble::PhonemeEnsemble(const EvaluateConfig& config, const io::CorpusIndex& index,
                                 at::Device device, Logger& log) {
  std::vector<std::string> paths = {config.checkpoint};
  paths.insert(paths.end(), config.ensemble.begin(), config.ensemble.end());
  for (const auto& path : paths) {
    auto model = load_phoneme_model(path, index, config.corpus, log);
    NS_CHECK_AS(ConfigError, models_.empty() || model.patch_size == models_.front().patch_size,
                "ensemble: '", path, "' has patch size ", model.patch_size, " but '",
                models_.front().checkpoint, "' has ", models_.front().patch_size,
                " (the members' log-probabilities are averaged token by token)");
    model.task->module().to(device);
    model.task->module().eval();
    models_.push_back(std::move(model));
  }
}

at::Tensor average_log_probs(const std::vector<at::Tensor>& members) {
  NS_CHECK(!members.empty(), "average_log_probs of no members");
  if (members.size() == 1) return members.front();
  auto sum = members.front().to(at::kFloat);
  for (std::size_t m = 1; m < members.size(); ++m) {
    NS_CHECK(members[m].sizes() == members.front().sizes(), "ensemble member ", m,
             " has log-probabilities of shape ", members[m].sizes(), ", member 0 ",
             members.front().sizes());
    sum = sum + members[m].to(at::kFloat);
  }
  return at::log_softmax(sum / static_cast<double>(members.size()), -1);
}

std::vector<std::string> pool_candidates(const std::vector<std::vector<std::string>>& per_member) {
  std::vector<std::string> pooled;
  for (const auto& texts : per_member) {
    for (const auto& text : texts) {
      if (std::find(pooled.begin(), pooled.end(), text) == pooled.end()) pooled.push_back(text);
    }
  }
  return pooled;
}

std::size_t best_mean_candidate(const std::vector<std::vector<double>>& scores) {
  NS_CHECK(!scores.empty() && !scores.front().empty(), "best_mean_candidate of no candidates");
  std::vector<double> mean(scores.front().size(), 0.0);
  for (const auto& member : scores) {
    NS_CHECK(member.size() == mean.size(), "ensemble members scored ", member.size(), " and ",
             mean.size(), " candidates");
    for (std::size_t c = 0; c < mean.size(); ++c)
      mean[c] += member[c] / static_cast<double>(scores.size());
  }
  return static_cast<std::size_t>(std::max_element(mean.begin(), mean.end()) - mean.begin());
}

std::pair<at::Tensor, at::Tensor> PhonemeEnsemble::log_probs(const Batch& batch) {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> members;
  at::Tensor tokens;
  for (auto& model : models_) {
    auto [member, member_tokens] = model.task->log_probs(batch);
    NS_CHECK(!tokens.defined() || at::equal(member_tokens.cpu(), tokens.cpu()), "ensemble member '",
             model.checkpoint, "' gives other token counts than '", models_.front().checkpoint,
             "'");
    if (!tokens.defined()) tokens = member_tokens;
    members.push_back(member);
  }
  return {average_log_probs(members), tokens};
}

std::vector<std::string> PhonemeEnsemble::checkpoints() const {
  std::vector<std::string> out;
  for (const auto& m : models_) out.push_back(m.checkpoint);
  return out;
}

std::unique_ptr<SentenceDecoding> open_decoding(const EvaluateConfig& config,
                                                const std::vector<std::string>& checkpoints,
                                                at::Device device, Logger& log) {
  auto out = std::make_unique<SentenceDecoding>();
  auto& d = out->description;
  d["method"] = config.method;
  d["models"] = checkpoints;
  if (config.method == "beam") {
    out->lexicon = std::make_unique<decode::Lexicon>(io::read_lexicon(config.lexicon));
    log.info("lexicon ", config.lexicon, ": ", out->lexicon->size(), " words, ",
             out->lexicon->pronunciations(), " pronunciations");
    if (!config.lm.empty()) {
      out->lm = std::make_unique<decode::NgramLm>(io::read_arpa(config.lm));
      log.info("language model ", config.lm, ": order ", out->lm->order(), ", ", out->lm->ngrams(),
               " n-grams");
    }
    d["lexicon"] = config.lexicon;
    d["lm"] = config.lm;
    d["beam"] = config.beam.beam;
    d["lm_weight"] = config.beam.lm_weight;
    d["word_bonus"] = config.beam.word_bonus;
    d["blank_penalty"] = config.beam.blank_penalty;
    d["acoustic_scale"] = config.beam.acoustic_scale;
  }
  out->decoder = decode::TrialDecoder{out->lexicon.get(), out->lm.get(), config.beam, {}, {}};
  const auto& rescore = config.rescore;
  if (rescore.llm.empty()) return out;
  io::LlmWeightsOptions weights;
  weights.prefix = rescore.prefix;
  weights.dtype = rescore.dtype == "bfloat16" ? at::kBFloat16 : at::kFloat;
  weights.device = device;
  out->llm = io::load_hf_causal_lm(rescore.llm, weights);
  auto& llm = *out->llm;
  const auto& tokenizer = io::require_tokenizer(llm);
  NS_CHECK_AS(ConfigError, tokenizer.vocab_size() <= llm.model->options().vocab(), "'", rescore.llm,
              "/tokenizer.json' has ", tokenizer.vocab_size(),
              " tokens but the model's vocab_size is ", llm.model->options().vocab(),
              " (the tokenizer belongs to another model)");
  log.info("rescoring ", rescore.options.nbest, "-best lists with ", rescore.llm, " (",
           llm.model->options().family(), ", ", llm.model->options().layers(), " layers, ",
           format_bytes(static_cast<double>(llm.weights.bytes)), ", ", rescore.dtype, "): alpha ",
           rescore.options.alpha, ", acoustic scale ", rescore.options.acoustic_scale,
           ", length penalty ", rescore.options.length_penalty);
  out->decoder.rescore = rescore.options;
  auto* model = llm.model.get();
  const auto batch = rescore.batch_size;
  out->decoder.llm = [model, &tokenizer, batch](const std::vector<std::string>& texts) {
    std::vector<decode::LlmScore> scores;
    for (const auto& s : score_texts(*model, tokenizer, texts, batch))
      scores.push_back({s.log_probability, s.tokens});
    return scores;
  };
  d["rescore"] = {{"llm", rescore.llm},
                  {"dtype", rescore.dtype},
                  {"nbest", rescore.options.nbest},
                  {"alpha", rescore.options.alpha},
                  {"acoustic_scale", rescore.options.acoustic_scale},
                  {"length_penalty", rescore.options.length_penalty}};
  return out;
}

}  // namespace neuroscale::jobs
