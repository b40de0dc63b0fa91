#include "core/decode/ngram_lm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "core/check.h"

namespace neuroscale::decode {

namespace {
constexpr double kLn10 = 2.302585092994046;
}

NgramLm::NgramLm(int order) : order_(order) {
  NS_CHECK_AS(ConfigError, order >= 1 && order <= 16, "n-gram order ", order, " is outside 1..16");
}

int NgramLm::intern(const std::string& word) {
  const auto it = ids_.find(word);
  if (it != ids_.end()) return it->second;
  const int id = static_cast<int>(words_.size());
  words_.push_back(word);
  ids_.emplace(word, id);
  return id;
}

int NgramLm::find(const std::string& word) const {
  const auto it = ids_.find(word);
  return it == ids_.end() ? -1 : it->second;
}

std::string NgramLm::key(const int* ids, std::size_t n) const {
  return std::string(reinterpret_cast<const char*>(ids), n * sizeof(int));
}

void NgramLm::add(const std::vector<int>& ngram, double log10_prob, double log10_backoff) {
  NS_CHECK_AS(DataError, !ngram.empty() && static_cast<int>(ngram.size()) <= order_,
              "an n-gram of ", ngram.size(), " words in a model of order ", order_);
  entries_[key(ngram.data(), ngram.size())] = {log10_prob * kLn10, log10_backoff * kLn10};
}

double NgramLm::log_prob(const std::vector<int>& history, int word) const {
  if (word < 0) {
    const int unknown = find("<unk>");
    if (unknown < 0) return oov_log_prob_;
    word = unknown;
  }
  // The longest context first: h = the last order-1 words of history.
  const std::size_t context = std::min(history.size(), static_cast<std::size_t>(order_ - 1));
  std::vector<int> ngram(history.end() - static_cast<std::ptrdiff_t>(context), history.end());
  ngram.push_back(word);
  double backoff = 0.0;
  for (std::size_t start = 0; start < ngram.size(); ++start) {
    const int* ids = ngram.data() + start;
    const std::size_t n = ngram.size() - start;
    const auto hit = entries_.find(key(ids, n));
    if (hit != entries_.end()) return backoff + hit->second.log_prob;
    // Not listed: add the backoff weight of its context (0 when the context is not listed).
    if (n > 1) {
      const auto context_entry = entries_.find(key(ids, n - 1));
      if (context_entry != entries_.end()) backoff += context_entry->second.backoff;
    }
  }
  const int unknown = find("<unk>");
  if (unknown >= 0 && unknown != word) return backoff + log_prob({}, unknown);
  return backoff + oov_log_prob_;
}

}  // namespace neuroscale::decode
