#include "core/model/hubert.h"

#include <ATen/ATen.h>
#include <torch/nn/init.h>

#include "core/check.h"

namespace neuroscale::model {

HubertPretrainingImpl::HubertPretrainingImpl(const HubertOptions& o) : options(o) {
  NS_CHECK_AS(ConfigError, o.clusters() >= 2 && o.final_dim() >= 1 && o.temperature() > 0,
              "HuBERT head: clusters ", o.clusters(), " (expected >= 2), final_dim ", o.final_dim(),
              " (expected >= 1), temperature ", o.temperature(), " (expected > 0)");
  NS_CHECK_AS(ConfigError, o.backbone().lora().rank() == 0,
              "HuBERT pretraining trains every weight: the backbone takes no LoRA adapters");
  hubert = register_module("hubert", Wav2Vec2Model(o.backbone()));
  // HubertModel initialises masked_spec_embed uniformly in [0, 1).
  masked_spec_embed =
      hubert->register_parameter("masked_spec_embed", at::rand({o.backbone().hidden()}));
  final_proj =
      register_module("final_proj", torch::nn::Linear(o.backbone().hidden(), o.final_dim()));
  // fairseq: nn.init.uniform_(label_embs_concat) in [0, 1).
  label_embs = register_parameter("label_embs", at::rand({o.clusters(), o.final_dim()}));
}

at::Tensor HubertPretrainingImpl::forward(const at::Tensor& audio, const at::Tensor& mask) {
  NS_CHECK_AS(UsageError, audio.dim() == 2 && audio.is_floating_point(),
              "HuBERT expects float audio [batch, samples], got ", audio.scalar_type(), " ",
              audio.sizes());
  const std::int64_t frames = hubert->frames(audio.size(1));
  at::Tensor x = hubert->feature_projection(hubert->feature_extractor(audio).transpose(1, 2));
  if (mask.defined()) {
    NS_CHECK_AS(
        UsageError, mask.dim() == 2 && mask.size(0) == audio.size(0) && mask.size(1) == frames,
        "HuBERT mask ", mask.sizes(), " for ", audio.size(0), " utterances of ", frames, " frames");
    x = at::where(mask.to(x.device()).unsqueeze(-1), masked_spec_embed.to(x.dtype()), x);
  }
  const at::Tensor last = hubert->encoder(x).back();
  const at::Tensor projected = final_proj(last).to(at::kFloat);  // [B, T, final_dim]
  // Cosine similarity as unit vectors' dot products (norms floored at 1e-8): one matmul,
  // without a [B, T, clusters, final_dim] intermediate.
  const at::Tensor p = projected / projected.norm(2, -1, true).clamp_min(1e-8);
  const at::Tensor e = label_embs.to(at::kFloat);
  const at::Tensor unit = e / e.norm(2, -1, true).clamp_min(1e-8);
  return at::matmul(p, unit.t()) / options.temperature();
}

}  // namespace neuroscale::model
