#include "core/encoding/encoding_model.h"

#include "core/check.h"
#include "core/encoding/design.h"
#include "core/encoding/scores.h"

namespace neuroscale::encoding {
namespace {

// The stacked, delayed design of `features` and the stacked `responses` (float64).
std::pair<at::Tensor, at::Tensor> stack(const std::vector<at::Tensor>& features,
                                        const std::vector<at::Tensor>& responses,
                                        const std::vector<std::int64_t>& delays,
                                        const char* which) {
  NS_CHECK_AS(UsageError, !features.empty() && features.size() == responses.size(),
              "encoding model: ", which, " needs one response matrix per feature matrix, got ",
              features.size(), " and ", responses.size());
  std::vector<at::Tensor> x, y;
  for (std::size_t s = 0; s < features.size(); ++s) {
    NS_CHECK_AS(UsageError,
                features[s].dim() == 2 && responses[s].dim() == 2 &&
                    features[s].size(0) == responses[s].size(0),
                "encoding model: ", which, " story ", s, ": features ", features[s].sizes(),
                " and responses ", responses[s].sizes(),
                " must be [rows, K] and [rows, V] with equal rows");
    x.push_back(zscore_columns(features[s]));
    y.push_back(responses[s].to(at::kDouble));
  }
  return {make_delayed(at::cat(x), delays), at::cat(y)};
}

}  // namespace

EncodingScores fit_and_score(const std::vector<at::Tensor>& train_features,
                             const std::vector<at::Tensor>& train_responses,
                             const std::vector<at::Tensor>& test_features,
                             const std::vector<at::Tensor>& test_responses,
                             const std::vector<std::int64_t>& delays, const RidgeOptions& options) {
  const auto [x_train, y_train] = stack(train_features, train_responses, delays, "training");
  const auto [x_test, y_test] = stack(test_features, test_responses, delays, "test");
  const auto fit = bootstrap_ridge(x_train, y_train, options);
  return {pearson_columns(predict(x_test, fit.weights), y_test), fit.alphas};
}

}  // namespace neuroscale::encoding
