#include "jobs/lm/text_scoring.h"

#include <algorithm>

namespace neuroscale::jobs {

std::vector<llm::ContinuationScore> score_texts(llm::CausalLmImpl& model,
                                                const io::BpeTokenizer& tokenizer,
                                                const std::vector<std::string>& texts,
                                                std::int64_t batch_size,
                                                const std::function<void(std::size_t)>& done) {
  const auto bos = model.options().bos();
  std::vector<std::vector<std::int64_t>> prefixes, continuations;
  std::vector<std::size_t> scored;  // the texts with something to score
  for (std::size_t i = 0; i < texts.size(); ++i) {
    auto ids = tokenizer.encode(texts[i]);
    if (bos < 0) {
      if (ids.empty()) continue;
      prefixes.push_back({ids.front()});
      ids.erase(ids.begin());
    } else {
      prefixes.push_back({bos});
    }
    continuations.push_back(std::move(ids));
    scored.push_back(i);
  }
  std::vector<llm::ContinuationScore> scores(texts.size());
  const auto batch = static_cast<std::size_t>(std::max<std::int64_t>(1, batch_size));
  for (std::size_t begin = 0; begin < scored.size(); begin += batch) {
    const auto end = std::min(scored.size(), begin + batch);
    const std::vector<std::vector<std::int64_t>> p(prefixes.begin() + begin,
                                                   prefixes.begin() + end);
    const std::vector<std::vector<std::int64_t>> c(continuations.begin() + begin,
                                                   continuations.begin() + end);
    const auto batch_scores = llm::score_continuations(model, p, c, batch_size);
    for (std::size_t j = 0; j < batch_scores.size(); ++j)
      scores[scored[begin + j]] = batch_scores[j];
    if (done) done(end);
  }
  return scores;
}

}  // namespace neuroscale::jobs
