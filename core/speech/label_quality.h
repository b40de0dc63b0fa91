// How much phonetic information frame labels carry, HuBERT's measures (Hsu et al. 2021,
// section IV-G) over frames that have both a phone and a label: phone purity (the frames
// whose phone is the most frequent phone of their label), cluster purity (the frames whose
// label is the most frequent label of their phone) and phone-normalised mutual information
// I(phone; label) / H(phone), 0 (labels say nothing of the phone) to 1 (they determine it).
#pragma once

#include <cstdint>
#include <vector>

namespace neuroscale::speech {

struct LabelQuality {
  std::int64_t frames = 0;  ///< frames counted (phone >= 0)
  double phone_purity = 0;
  double cluster_purity = 0;
  double pnmi = 0;
};

// `phones` and `labels` per frame, the same length; a frame with phone < 0 (no phone) is
// skipped. Phones lie in [0, n_phones), labels in [0, n_labels). Throws UsageError otherwise.
LabelQuality label_quality(const std::vector<std::int64_t>& phones,
                           const std::vector<std::int64_t>& labels, std::int64_t n_phones,
                           std::int64_t n_labels);

}  // namespace neuroscale::speech
