#include "core/decode/lexicon.h"

#include <algorithm>

#include "core/check.h"

namespace neuroscale::decode {

Lexicon::Lexicon() {
  Node root;
  root.children.fill(-1);
  nodes_.push_back(root);
}

int Lexicon::add(const std::string& word, const std::vector<int>& phonemes) {
  NS_CHECK_AS(DataError, !word.empty() && !phonemes.empty(),
              "a lexicon entry needs a word and phonemes");
  const auto [entry, inserted] = index_.emplace(word, static_cast<int>(words_.size()));
  if (inserted) {
    words_.push_back(word);
    first_.push_back(phonemes);
  }
  const int index = entry->second;
  int node = root();
  for (int id : phonemes) {
    NS_CHECK_AS(DataError, id > kBlank && id < kSilence, "lexicon word '", word, "': phoneme id ",
                id, " is not one of the 39 phonemes");
    int next = child(node, id);
    if (next < 0) {
      Node fresh;
      fresh.children.fill(-1);
      nodes_.push_back(fresh);
      next = static_cast<int>(nodes_.size()) - 1;
      nodes_[static_cast<std::size_t>(node)].children[static_cast<std::size_t>(id)] = next;
    }
    node = next;
  }
  auto& words = nodes_[static_cast<std::size_t>(node)].words;
  if (std::find(words.begin(), words.end(), index) == words.end()) words.push_back(index);
  ++pronunciations_;
  return index;
}

const std::vector<int>* Lexicon::pronunciation(const std::string& word) const {
  const auto hit = index_.find(word);
  return hit == index_.end() ? nullptr : &first_[static_cast<std::size_t>(hit->second)];
}

}  // namespace neuroscale::decode
