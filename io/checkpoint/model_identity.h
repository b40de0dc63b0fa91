// What a checkpoint's config hash covers: the model a run trains, written as a small YAML
// document (the task kind, fields such as the subject table or the base weights, and the
// model's resolved config), so that two identities can be compared key by key. The manifest
// stores the text and its XXH64; a resume, a fine-tuning or an evaluation refuses a
// checkpoint whose hash differs, and names the keys that differ.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace neuroscale::io {

// The identity text: `task: <kind>` (when not empty), then each field in order, then the
// keys of `model_yaml` (a YAML mapping, as the config writes them; anything else goes under
// `model:`), so differences read as the config's key paths. Deterministic for equal inputs.
std::string model_identity(const std::string& kind,
                           const std::vector<std::pair<std::string, std::string>>& fields,
                           const std::string& model_yaml);
// XXH64 of the identity text, 16 hex digits, as the manifest stores it.
std::string model_hash(const std::string& identity);

// The keys whose values differ between two identity texts, as "key: <saved> -> <current>"
// ("(absent)" where a side lacks the key), in document order, at most `limit` of them (then
// "... and N more"). Empty when the texts are equal; when either text is not an identity
// document (an older checkpoint's), one line saying the whole identity differs.
std::vector<std::string> identity_differences(const std::string& saved, const std::string& current,
                                              std::size_t limit = 8);

// A model's identity as every job builds it and every checkpoint records it: the text and
// its hash, computed once. Empty (no text, no hash): the job does not check identities.
struct ModelIdentity {
  std::string text;  ///< model_identity(...)
  std::string hash;  ///< model_hash(text)

  ModelIdentity() = default;
  ModelIdentity(const std::string& kind,
                const std::vector<std::pair<std::string, std::string>>& fields,
                const std::string& model_yaml);

  bool empty() const { return hash.empty(); }
  // Whether a checkpoint whose manifest records `saved_hash` was written for this model.
  bool matches(const std::string& saved_hash) const { return saved_hash == hash; }
};

}  // namespace neuroscale::io
