#include "core/model/bit_encoder.h"

#include <set>

#include "core/check.h"
#include "core/model/dropout.h"

namespace neuroscale::model {

void validate_subjects(const std::vector<SubjectSpec>& subjects) {
  NS_CHECK_AS(UsageError, !subjects.empty(), "the model needs at least one subject");
  std::set<std::string> seen;
  for (const auto& subject : subjects) {
    NS_CHECK_AS(UsageError, !subject.name.empty() && subject.name.find('.') == std::string::npos,
                "subject name '", subject.name, "' cannot name a module (empty or has a '.')");
    NS_CHECK_AS(UsageError, seen.insert(subject.name).second, "subject '", subject.name,
                "' appears twice");
    NS_CHECK_AS(UsageError, subject.channels >= 1, "subject '", subject.name,
                "' needs at least one channel, got ", subject.channels);
  }
}

BitEncoderImpl::BitEncoderImpl(const BitEncoderOptions& options_) : options(options_) {
  validate_subjects(options.subjects());
  NS_CHECK_AS(UsageError, options.patch_size() >= 1, "patch size must be positive, got ",
              options.patch_size());
  NS_CHECK_AS(UsageError, options.embedding_dropout() >= 0.0 && options.embedding_dropout() < 1.0,
              "embedding dropout must be in [0, 1), got ", options.embedding_dropout());
  const auto hidden = options.transformer().hidden();
  read_in = register_module("read_in", torch::nn::ModuleDict());
  for (const auto& subject : options.subjects()) {
    ReadIn layer(subject.channels * options.patch_size(), hidden);
    read_in->update({{subject.name, layer.ptr()}});
    read_ins_.push_back(layer);
  }
  mask_token = register_parameter("mask_token", at::randn({hidden}) * 0.02);
  transformer = register_module("transformer", Transformer(options.transformer()));
}

ReadIn BitEncoderImpl::read_in_for(std::int64_t subject) const {
  const auto count = static_cast<std::int64_t>(read_ins_.size());
  NS_CHECK_AS(UsageError, subject >= 0 && subject < count, "subject index ", subject,
              " is outside the model's ", count, " subjects");
  return read_ins_[subject];
}

std::int64_t BitEncoderImpl::token_width(std::int64_t subject) const {
  return options.subjects().at(subject).channels * options.patch_size();
}

at::Tensor BitEncoderImpl::forward(const at::Tensor& tokens, const at::Tensor& padding,
                                   const at::Tensor& positions, std::int64_t subject,
                                   const at::Tensor& mask) {
  auto layer = read_in_for(subject);  // checks the index
  const auto width = token_width(subject);
  NS_CHECK_AS(UsageError, tokens.dim() == 3 && tokens.size(2) == width, "subject '",
              options.subjects()[subject].name, "' expects tokens [B, N, ", width, "], got ",
              tokens.sizes());
  at::Tensor x;
  if (mask.defined()) {
    // Masked tokens are replaced by the mask token, so only the others are read in: the
    // read-in is per token (LayerNorm, Linear, LayerNorm), so this is exact, and it halves
    // the read-in's GEMMs under BIT's 50% masking.
    NS_CHECK_AS(UsageError, mask.sizes() == tokens.sizes().slice(0, 2),
                "mask must be [B, N] = ", tokens.sizes().slice(0, 2), ", got ", mask.sizes());
    const auto flat = tokens.reshape({-1, width});
    const auto kept = mask.reshape({-1}).logical_not().nonzero().reshape({-1});
    const auto read = layer->forward(flat.index_select(0, kept));
    const auto base = mask_token.to(read.scalar_type()).expand({flat.size(0), read.size(-1)});
    x = base.index_copy(0, kept, read).view({tokens.size(0), tokens.size(1), read.size(-1)});
  } else {
    x = layer->forward(tokens);
  }
  x = model::dropout(x, options.embedding_dropout(), is_training());
  return transformer(x, padding, positions);
}

}  // namespace neuroscale::model
