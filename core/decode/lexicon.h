// A pronunciation lexicon (word -> phoneme ids, CMU-dict style; io/lm/lexicon_reader.h reads
// one) as a trie over phoneme ids, which the beam search walks to allow only phoneme
// sequences that spell words. A word may have several pronunciations.
#pragma once

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/decode/phonemes.h"

namespace neuroscale::decode {

class Lexicon {
 public:
  Lexicon();

  // Adds one pronunciation (phoneme ids 1..39, no SIL). Returns the word's index.
  int add(const std::string& word, const std::vector<int>& phonemes);

  int root() const { return 0; }
  // The trie node after `node` and phoneme `id`, or -1.
  int child(int node, int id) const {
    return nodes_[static_cast<std::size_t>(node)].children[static_cast<std::size_t>(id)];
  }
  // The words whose pronunciation ends at `node` (empty if none).
  const std::vector<int>& words_at(int node) const {
    return nodes_[static_cast<std::size_t>(node)].words;
  }
  const std::string& word(int index) const { return words_[static_cast<std::size_t>(index)]; }
  // The first pronunciation added for `word`, or null when the lexicon lacks it.
  const std::vector<int>* pronunciation(const std::string& word) const;
  std::size_t size() const { return words_.size(); }
  std::size_t pronunciations() const { return pronunciations_; }

 private:
  struct Node {
    std::array<int, kClasses> children;
    std::vector<int> words;
  };
  std::vector<Node> nodes_;
  std::vector<std::string> words_;
  std::vector<std::vector<int>> first_;  // by word index
  std::unordered_map<std::string, int> index_;
  std::size_t pronunciations_ = 0;
};

}  // namespace neuroscale::decode
