#include "core/decode/ctc_decode.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "core/check.h"

namespace neuroscale::decode {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double high = std::max(a, b);
  return high + std::log1p(std::exp(std::min(a, b) - high));
}

// A label prefix, stored as a tree: each node extends its parent by one label.
struct Prefix {
  int parent = -1;
  int label = kBlank;        // last label (kBlank for the empty prefix)
  int trie = 0;              // lexicon position within the current word
  int word = -1;             // lexicon word completed by this node's SIL, else -1
  double lm_score = 0.0;     // lm_weight * ln P_lm(words so far) + word_bonus * words
  double ngram = 0.0;        // ln P_lm(words so far)
  std::vector<int> history;  // language-model ids of the words so far (the last order-1)
};

struct Scores {
  double blank = kNegInf;      // ln P(prefix, path ends in blank)
  double non_blank = kNegInf;  // ln P(prefix, path ends in its last label)
  double total() const { return log_add(blank, non_blank); }
};

class PrefixTree {
 public:
  PrefixTree(const Lexicon& lexicon, const NgramLm* lm, const BeamSearchOptions& options)
      : lexicon_(lexicon), lm_(lm), options_(options) {
    nodes_.push_back(Prefix{});
    if (lm_ != nullptr) {
      const int begin = lm_->begin_id();
      if (begin >= 0) nodes_[0].history.push_back(begin);
      lm_ids_.resize(lexicon_.size());
      for (std::size_t w = 0; w < lexicon_.size(); ++w)
        lm_ids_[w] = lm_->find(lexicon_.word(static_cast<int>(w)));
    }
  }

  const Prefix& operator[](int id) const { return nodes_[static_cast<std::size_t>(id)]; }

  // The prefix `parent` + `label` (for SIL: completing lexicon word `word`), created once.
  int extend(int parent, int label, int word) {
    const std::uint64_t key = (static_cast<std::uint64_t>(parent) << 32) |
                              (static_cast<std::uint64_t>(label) << 24) |
                              static_cast<std::uint64_t>(word + 1);
    const auto hit = children_.find(key);
    if (hit != children_.end()) return hit->second;
    Prefix node;
    node.parent = parent;
    node.label = label;
    const Prefix& from = nodes_[static_cast<std::size_t>(parent)];
    node.history = from.history;
    node.lm_score = from.lm_score;
    node.ngram = from.ngram;
    if (label == kSilence) {
      node.trie = lexicon_.root();
      node.word = word;
      node.lm_score += word_score(node.history, word, node.ngram);
    } else {
      node.trie = lexicon_.child(from.trie, label);
    }
    nodes_.push_back(std::move(node));
    const int id = static_cast<int>(nodes_.size()) - 1;
    children_.emplace(key, id);
    return id;
  }

  // lm_weight * ln P(word | history) + word_bonus; appends the word to `history` and adds
  // ln P(word | history) to `ngram`.
  double word_score(std::vector<int>& history, int word, double& ngram) const {
    double score = options_.word_bonus;
    if (lm_ != nullptr) {
      const int id = lm_ids_[static_cast<std::size_t>(word)];
      const double log_prob = lm_->log_prob(history, id);
      ngram += log_prob;
      score += options_.lm_weight * log_prob;
      history.push_back(id);
      if (static_cast<int>(history.size()) >= lm_->order()) history.erase(history.begin());
    }
    return score;
  }

  // ln P(</s> | history), 0 without a model or an </s>.
  double end_log_prob(const std::vector<int>& history) const {
    if (lm_ == nullptr || lm_->end_id() < 0) return 0.0;
    return lm_->log_prob(history, lm_->end_id());
  }

  Hypothesis hypothesis(int id, double acoustic) const {
    Hypothesis result;
    result.acoustic = acoustic / options_.acoustic_scale;
    result.ngram = nodes_[static_cast<std::size_t>(id)].ngram;
    result.score = acoustic + nodes_[static_cast<std::size_t>(id)].lm_score;
    std::vector<int> words;
    for (int at = id; at > 0; at = nodes_[static_cast<std::size_t>(at)].parent) {
      const Prefix& node = nodes_[static_cast<std::size_t>(at)];
      result.phonemes.push_back(node.label);
      if (node.word >= 0) words.push_back(node.word);
    }
    std::reverse(result.phonemes.begin(), result.phonemes.end());
    for (auto it = words.rbegin(); it != words.rend(); ++it)
      result.words.push_back(lexicon_.word(*it));
    return result;
  }

 private:
  const Lexicon& lexicon_;
  const NgramLm* lm_;
  const BeamSearchOptions& options_;
  std::vector<Prefix> nodes_;
  std::unordered_map<std::uint64_t, int> children_;
  std::vector<int> lm_ids_;
};

// The search: the complete hypotheses of the final beam (unsorted), and in `partial` the best
// incomplete one.
std::vector<Hypothesis> final_hypotheses(const float* log_probs, int frames, int classes,
                                         const Lexicon& lexicon, const NgramLm* lm,
                                         const BeamSearchOptions& options,
                                         std::vector<Hypothesis>& partial_out) {
  NS_CHECK_AS(ConfigError, classes == kClasses, "beam search expects ", kClasses, " classes, got ",
              classes);
  NS_CHECK_AS(ConfigError, options.beam >= 1, "beam search: beam must be >= 1, got ", options.beam);
  NS_CHECK_AS(ConfigError, options.blank_penalty > 0,
              "beam search: blank_penalty must be > 0, got ", options.blank_penalty);
  NS_CHECK_AS(ConfigError, options.acoustic_scale > 0,
              "beam search: acoustic_scale must be > 0, got ", options.acoustic_scale);
  PrefixTree tree(lexicon, lm, options);
  std::vector<std::pair<int, Scores>> beams = {{0, Scores{0.0, kNegInf}}};
  std::unordered_map<int, Scores> next;
  std::vector<double> lp(static_cast<std::size_t>(classes));
  const double blank_shift = std::log(options.blank_penalty);
  for (int t = 0; t < frames; ++t) {
    for (int c = 0; c < classes; ++c) {
      lp[static_cast<std::size_t>(c)] =
          options.acoustic_scale * log_probs[static_cast<std::ptrdiff_t>(t) * classes + c];
    }
    lp[kBlank] -= blank_shift;
    next.clear();
    for (const auto& [id, scores] : beams) {
      const double total = scores.total();
      const Prefix& node = tree[id];
      const int last = node.label;
      Scores& same = next[id];
      same.blank = log_add(same.blank, total + lp[kBlank]);
      if (last != kBlank)
        same.non_blank =
            log_add(same.non_blank, scores.non_blank + lp[static_cast<std::size_t>(last)]);
      auto add = [&](int child, int label) {
        // A repeated label needs a blank in between; otherwise any path may continue.
        const double from = label == last ? scores.blank : total;
        Scores& target = next[child];
        target.non_blank = log_add(target.non_blank, from + lp[static_cast<std::size_t>(label)]);
      };
      const int trie = node.trie;
      for (int label = 1; label < kSilence; ++label) {
        if (lexicon.child(trie, label) >= 0) add(tree.extend(id, label, -1), label);
      }
      if (trie != lexicon.root()) {
        for (int word : lexicon.words_at(trie)) add(tree.extend(id, kSilence, word), kSilence);
      }
    }
    beams.assign(next.begin(), next.end());
    auto rank = [&](const std::pair<int, Scores>& item) {
      return item.second.total() + tree[item.first].lm_score;
    };
    if (static_cast<int>(beams.size()) > options.beam) {
      std::nth_element(beams.begin(), beams.begin() + options.beam, beams.end(),
                       [&](const auto& a, const auto& b) { return rank(a) > rank(b); });
      beams.resize(static_cast<std::size_t>(options.beam));
    }
  }

  // Complete hypotheses: at a word boundary, or at a word's end without the final SIL.
  std::vector<Hypothesis> complete;
  double best_partial = kNegInf;
  int partial = 0;
  for (const auto& [id, scores] : beams) {
    const Prefix& node = tree[id];
    const double acoustic = scores.total();
    if (acoustic + node.lm_score > best_partial)
      best_partial = acoustic + node.lm_score, partial = id;
    if (node.trie == lexicon.root()) {
      Hypothesis h = tree.hypothesis(id, acoustic);
      const double end = tree.end_log_prob(node.history);
      h.ngram += end;
      h.score += options.lm_weight * end;
      complete.push_back(std::move(h));
      continue;
    }
    for (int word : lexicon.words_at(node.trie)) {
      std::vector<int> history = node.history;
      Hypothesis h = tree.hypothesis(id, acoustic);
      h.score += tree.word_score(history, word, h.ngram);
      const double end = tree.end_log_prob(history);
      h.ngram += end;
      h.score += options.lm_weight * end;
      h.words.push_back(lexicon.word(word));
      complete.push_back(std::move(h));
    }
  }
  partial_out.push_back(tree.hypothesis(partial, best_partial - tree[partial].lm_score));
  return complete;
}

}  // namespace

std::string Hypothesis::text() const {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::vector<int> greedy_decode(const float* log_probs, int frames, int classes) {
  std::vector<int> labels;
  int previous = kBlank;
  for (int t = 0; t < frames; ++t) {
    const float* row = log_probs + static_cast<std::ptrdiff_t>(t) * classes;
    const int best = static_cast<int>(std::max_element(row, row + classes) - row);
    if (best != kBlank && best != previous) labels.push_back(best);
    previous = best;
  }
  return labels;
}

Hypothesis beam_search(const float* log_probs, int frames, int classes, const Lexicon& lexicon,
                       const NgramLm* lm, const BeamSearchOptions& options) {
  return beam_search_nbest(log_probs, frames, classes, lexicon, lm, options, 1).front();
}

std::vector<Hypothesis> beam_search_nbest(const float* log_probs, int frames, int classes,
                                          const Lexicon& lexicon, const NgramLm* lm,
                                          const BeamSearchOptions& options, int n) {
  NS_CHECK_AS(ConfigError, n >= 1, "beam search: n-best size must be >= 1, got ", n);
  std::vector<Hypothesis> partial;
  std::vector<Hypothesis> complete =
      final_hypotheses(log_probs, frames, classes, lexicon, lm, options, partial);
  if (complete.empty()) return partial;  // the best partial hypothesis alone
  std::vector<Hypothesis> found;
  std::stable_sort(complete.begin(), complete.end(),
                   [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
  std::unordered_set<std::string> seen;
  for (auto& h : complete) {
    if (static_cast<int>(found.size()) == n) break;
    if (seen.insert(h.text()).second) found.push_back(std::move(h));
  }
  return found;
}

}  // namespace neuroscale::decode
