#include "core/model/ctc_model.h"

#include <torch/nn/functional/activation.h>

#include "core/check.h"

namespace neuroscale::model {

CtcModelImpl::CtcModelImpl(const CtcModelOptions& options_) : options(options_) {
  NS_CHECK_AS(UsageError, options.classes() >= 2, "a CTC head needs at least 2 classes, got ",
              options.classes());
  encoder = register_module("encoder", BitEncoder(options.encoder()));
  head = register_module(
      "head", torch::nn::Linear(options.encoder().transformer().hidden(), options.classes()));
}

at::Tensor CtcModelImpl::forward(const at::Tensor& tokens, const at::Tensor& padding,
                                 const at::Tensor& positions, std::int64_t subject,
                                 const at::Tensor& mask) {
  const auto hidden = encoder->forward(tokens, padding, positions, subject, mask);
  // Float32 log-softmax also under bf16 autocast: CTC needs the precision.
  return at::log_softmax(head->forward(hidden).to(at::kFloat), -1);
}

}  // namespace neuroscale::model
