#include "core/speech/label_quality.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace neuroscale::speech {

LabelQuality label_quality(const std::vector<std::int64_t>& phones,
                           const std::vector<std::int64_t>& labels, std::int64_t n_phones,
                           std::int64_t n_labels) {
  NS_CHECK_AS(UsageError, phones.size() == labels.size() && n_phones >= 1 && n_labels >= 1,
              "label_quality: ", phones.size(), " phones and ", labels.size(), " labels of ",
              n_phones, " and ", n_labels, " kinds");
  // Joint counts [phone][label].
  std::vector<double> joint(static_cast<std::size_t>(n_phones * n_labels), 0.0);
  LabelQuality q;
  for (std::size_t i = 0; i < phones.size(); ++i) {
    if (phones[i] < 0) continue;
    NS_CHECK_AS(UsageError, phones[i] < n_phones && labels[i] >= 0 && labels[i] < n_labels,
                "label_quality: frame ", i, " has phone ", phones[i], " of ", n_phones,
                " and label ", labels[i], " of ", n_labels);
    joint[static_cast<std::size_t>(phones[i] * n_labels + labels[i])] += 1;
    ++q.frames;
  }
  if (q.frames == 0) return q;
  const double n = static_cast<double>(q.frames);
  std::vector<double> by_phone(static_cast<std::size_t>(n_phones), 0.0),
      by_label(static_cast<std::size_t>(n_labels), 0.0), best_phone_of_label(by_label.size(), 0.0),
      best_label_of_phone(by_phone.size(), 0.0);
  for (std::int64_t p = 0; p < n_phones; ++p) {
    for (std::int64_t l = 0; l < n_labels; ++l) {
      const double c = joint[static_cast<std::size_t>(p * n_labels + l)];
      by_phone[p] += c;
      by_label[l] += c;
      best_phone_of_label[l] = std::max(best_phone_of_label[l], c);
      best_label_of_phone[p] = std::max(best_label_of_phone[p], c);
    }
  }
  double mutual = 0, entropy = 0;
  for (std::int64_t p = 0; p < n_phones; ++p) {
    if (by_phone[p] == 0) continue;
    entropy -= by_phone[p] / n * std::log(by_phone[p] / n);
    for (std::int64_t l = 0; l < n_labels; ++l) {
      const double c = joint[static_cast<std::size_t>(p * n_labels + l)];
      if (c > 0) mutual += c / n * std::log(c * n / (by_phone[p] * by_label[l]));
    }
  }
  for (double c : best_phone_of_label) q.phone_purity += c / n;
  for (double c : best_label_of_phone) q.cluster_purity += c / n;
  q.pnmi = entropy > 0 ? mutual / entropy : 0;
  return q;
}

}  // namespace neuroscale::speech
