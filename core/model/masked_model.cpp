#include "core/model/masked_model.h"

namespace neuroscale::model {

MaskedModelImpl::MaskedModelImpl(const MaskedModelOptions& options_) : options(options_) {
  encoder = register_module("encoder", BitEncoder(options.encoder()));
  read_out = register_module("read_out", torch::nn::ModuleDict());
  const auto& encoder_options = options.encoder();
  for (std::size_t s = 0; s < encoder_options.subjects().size(); ++s) {
    const auto& subject = encoder_options.subjects()[s];
    ReadOut layer(encoder_options.transformer().hidden(), encoder->token_width(s),
                  options.readout_norm());
    read_out->update({{subject.name, layer.ptr()}});
    read_outs_.push_back(layer);
  }
}

at::Tensor MaskedModelImpl::forward(const at::Tensor& tokens, const at::Tensor& padding,
                                    const at::Tensor& positions, std::int64_t subject,
                                    const at::Tensor& mask, const at::Tensor& rows) {
  const auto hidden = encoder(tokens, padding, positions, subject, mask);
  if (!rows.defined()) return read_outs_.at(subject)->forward(hidden);
  return read_outs_.at(subject)->forward(
      hidden.reshape({-1, hidden.size(-1)}).index_select(0, rows));
}

}  // namespace neuroscale::model
