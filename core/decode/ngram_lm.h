// A word n-gram language model with Katz-style backoff, as an ARPA file describes it
// (io/lm/arpa_reader.h builds it): log P(w | h) = log p(h w) when the n-gram is listed, else
// backoff(h) + log P(w | h without its first word). Probabilities are stored as natural logs.
// Words are ids from the model's vocabulary; unknown words score as <unk> when the model
// has it, else as `oov_log_prob`.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace neuroscale::decode {

class NgramLm {
 public:
  // An empty model of `order` (>= 1).
  explicit NgramLm(int order);

  int order() const { return order_; }
  // The id of `word`, added to the vocabulary if new.
  int intern(const std::string& word);
  // The id of `word`, or -1.
  int find(const std::string& word) const;
  const std::string& word(int id) const { return words_.at(static_cast<std::size_t>(id)); }
  int begin_id() const { return find("<s>"); }
  int end_id() const { return find("</s>"); }

  // Adds an n-gram (1 <= size <= order) with its log10 probability and log10 backoff, as the
  // ARPA file lists them.
  void add(const std::vector<int>& ngram, double log10_prob, double log10_backoff);

  // ln P(word | history), history oldest first (only the last order-1 words matter).
  double log_prob(const std::vector<int>& history, int word) const;

  // Score of a word the vocabulary does not hold when there is no <unk> (ln).
  void set_oov_log_prob(double value) { oov_log_prob_ = value; }
  std::size_t ngrams() const { return entries_.size(); }

 private:
  struct Entry {
    double log_prob = 0.0;  // ln
    double backoff = 0.0;   // ln
  };
  std::string key(const int* ids, std::size_t n) const;

  int order_;
  std::vector<std::string> words_;
  std::unordered_map<std::string, int> ids_;
  std::unordered_map<std::string, Entry> entries_;  // key: ids as bytes
  double oov_log_prob_ = -23.0;                     // ~ 1e-10
};

}  // namespace neuroscale::decode
