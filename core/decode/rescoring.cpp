#include "core/decode/rescoring.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace neuroscale::decode {

void RescoreOptions::validate(const std::string& prefix) const {
  NS_CHECK_AS(ConfigError, nbest >= 1, prefix, "nbest must be >= 1, got ", nbest);
  NS_CHECK_AS(ConfigError, alpha >= 0.0 && alpha <= 1.0, prefix, "alpha must be in [0, 1], got ",
              alpha);
  NS_CHECK_AS(ConfigError, std::isfinite(acoustic_scale) && acoustic_scale >= 0.0, prefix,
              "acoustic_scale must be >= 0, got ", acoustic_scale);
  NS_CHECK_AS(ConfigError, std::isfinite(length_penalty), prefix,
              "length_penalty must be a finite number, got ", length_penalty);
}

std::vector<double> rescore(const std::vector<Hypothesis>& nbest, const std::vector<LlmScore>& llm,
                            const RescoreOptions& options) {
  NS_CHECK(nbest.size() == llm.size(), "rescoring ", nbest.size(), " candidates with ", llm.size(),
           " LLM scores");
  std::vector<double> totals(nbest.size());
  for (std::size_t i = 0; i < nbest.size(); ++i) {
    const double language =
        llm[i].log_probability - options.length_penalty * static_cast<double>(llm[i].tokens);
    totals[i] = options.alpha * language + (1.0 - options.alpha) * nbest[i].ngram +
                options.acoustic_scale * nbest[i].acoustic;
  }
  return totals;
}

std::size_t best_index(const std::vector<double>& totals) {
  NS_CHECK(!totals.empty(), "best_index of no candidates");
  return static_cast<std::size_t>(std::max_element(totals.begin(), totals.end()) - totals.begin());
}

}  // namespace neuroscale::decode
