#include "jobs/schema/model_sections.h"

#include "core/check.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;
namespace {

// Binds an enum through its string names: read into text, then parse (writers see the text).
template <class Enum, class Parse, class Print>
void enum_value(ConfigVisitor& v, std::string_view key, Enum& value, const Field& field,
                Parse parse, Print print) {
  std::string text = print(value);
  v.value(key, text, field);
  value = parse(text);
}

}  // namespace

void describe(ConfigVisitor& v, model::TransformerOptions& o) {
  v.value("hidden", o.hidden(), Field("model width d").range(8, 65536));
  v.value("layers", o.layers(), Field("transformer blocks").range(1, 1024));
  v.value("heads", o.heads(),
          Field("attention heads (hidden / heads must be even)").range(1, 1024));
  v.value("mlp", o.mlp(), Field("hidden width of each block's MLP").range(1, 1 << 20));
  v.value("dropout", o.dropout(),
          Field("dropout on attention probabilities and residual branches").range(0, 0.99));
  v.value("rope_theta", o.rope_theta(),
          Field("base of the rotary position embeddings").greater_than(1));
  v.value("fixup_init", o.fixup_init(),
          Field("scale projections at init as the reference's fixup"));
}

namespace {

void describe_encoder(ConfigVisitor& v, model::BitEncoderOptions& encoder) {
  v.value("patch_size", encoder.patch_size(), Field("20 ms bins per token").range(1, 1000));
  v.value("embedding_dropout", encoder.embedding_dropout(),
          Field("dropout on token embeddings after read-in").range(0, 0.99));
  describe(v, encoder.transformer());
}

}  // namespace

void describe(ConfigVisitor& v, model::MaskedModelOptions& o) {
  describe_encoder(v, o.encoder());
  v.value("readout_norm", o.readout_norm(), Field("LayerNorm at the end of each read-out"));
}

void describe(ConfigVisitor& v, model::CtcModelOptions& o) { describe_encoder(v, o.encoder()); }

void describe(ConfigVisitor& v, model::AugmentOptions& o) {
  v.value("smooth_sd", o.smooth_sd(),
          Field("Gaussian smoothing sd in bins (0 = off; reference 2)").range(0, 100));
  v.value("white_noise", o.white_noise(),
          Field("white-noise sd while training (0 = off; reference 0.2)").range(0, 100));
  v.value("constant_offset", o.constant_offset(),
          Field("per-trial per-channel offset sd while training (0 = off; reference 0.05)")
              .range(0, 100));
}

void describe(ConfigVisitor& v, task::SpanMaskOptions& o) {
  v.value("ratio", o.ratio(), Field("fraction of each trial's tokens to mask").range(0, 1));
  v.value("max_span", o.max_span(), Field("longest masked span in tokens").range(1, 100000));
}

void describe(ConfigVisitor& v, task::MaskedModelingOptions& o) {
  v.section("model", "the BIT encoder and read-outs",
            [&](ConfigVisitor& s) { describe(s, o.model()); });
  v.section("augment", "input augmentations", [&](ConfigVisitor& s) { describe(s, o.augment()); });
  v.section("masking", "span masking", [&](ConfigVisitor& s) { describe(s, o.masking()); });
  enum_value(v, "loss", o.loss(),
             Field("reconstruction loss on masked elements").one_of({"mse", "poisson_nll"}),
             task::parse_reconstruction_loss,
             [](task::ReconstructionLoss l) { return task::to_string(l); });
  v.value("poisson_log_input", o.poisson_log_input(),
          Field("poisson_nll: the model predicts log-rates"));
}

void describe(ConfigVisitor& v, task::CtcPhonemeOptions& o) {
  v.section("model", "the BIT encoder (must match the pretrained checkpoint's)",
            [&](ConfigVisitor& s) { describe(s, o.model()); });
  v.section("augment", "input augmentations", [&](ConfigVisitor& s) { describe(s, o.augment()); });
  v.section("masking", "time masking while fine-tuning (ratio 0: off)",
            [&](ConfigVisitor& s) { describe(s, o.masking()); });
}

void describe(ConfigVisitor& v, optim::OptimizerOptions& o) {
  v.value("name", o.name(), Field("optimiser").one_of({"adamw", "lamb"}));
  v.value("weight_decay", o.weight_decay(),
          Field("decoupled weight decay (not on biases, norms, tokens)").range(0, 10));
  v.value("beta1", o.beta1(), Field("first-moment decay").range(0, 0.999999));
  v.value("beta2", o.beta2(), Field("second-moment decay").range(0, 0.99999999));
  v.value("eps", o.eps(), Field("denominator epsilon").greater_than(0));
  v.value("grad_clip", o.grad_clip(),
          Field("clip gradients to this global L2 norm (0 = off)").at_least(0));
}

void describe(ConfigVisitor& v, optim::LrScheduleOptions& o) {
  enum_value(v, "kind", o.kind(),
             Field("schedule shape").one_of({"warmup_cosine", "linear", "one_cycle", "constant"}),
             optim::parse_schedule_kind, [](optim::ScheduleKind k) { return optim::to_string(k); });
  v.value("lr", o.lr(), Field("peak learning rate").at_least(0));
  v.value("warmup_steps", o.warmup_steps(), Field("linear warmup steps").at_least(0));
  v.value("min_lr_ratio", o.min_lr_ratio(), Field("final rate as a fraction of lr").range(0, 1));
  v.value("pct_start", o.pct_start(), Field("one_cycle: fraction of steps rising").range(0, 0.999));
  v.value("div_factor", o.div_factor(),
          Field("one_cycle: initial rate = lr / div_factor").greater_than(0));
  v.value("final_div_factor", o.final_div_factor(),
          Field("one_cycle: final rate = initial / final_div_factor").greater_than(0));
}

void validate(const task::MaskedModelingOptions& o, const std::string& source) {
  validate(o.model().encoder(), source);
}

void validate(const model::BitEncoderOptions& o, const std::string& source) {
  const auto& t = o.transformer();
  NS_CHECK_AS(ConfigError, t.hidden() % t.heads() == 0 && (t.hidden() / t.heads()) % 2 == 0, source,
              ": 'model.hidden' (", t.hidden(), ") must split into 'model.heads' (", t.heads(),
              ") heads of even width");
}

void describe(ConfigVisitor& v, model::Wav2Vec2Options& o) {
  v.value("conv_dim", o.conv_dim(),
          Field("channels of the 7 feature-encoder convolutions").range(1, 1 << 16));
  v.value("hidden", o.hidden(), Field("Transformer width d (hidden_size)").range(8, 1 << 16));
  v.value("layers", o.layers(), Field("Transformer layers (num_hidden_layers)").range(1, 1024));
  v.value("heads", o.heads(), Field("attention heads (num_attention_heads)").range(1, 1024));
  v.value("intermediate", o.intermediate(),
          Field("feed-forward width (intermediate_size)").range(1, 1 << 20));
  v.value("pos_conv_kernel", o.pos_conv_kernel(),
          Field("kernel of the positional convolution (num_conv_pos_embeddings)").range(2, 4096));
  v.value(
      "pos_conv_groups", o.pos_conv_groups(),
      Field("groups of the positional convolution (num_conv_pos_embedding_groups)").range(1, 4096));
  v.value("layer_norm_eps", o.layer_norm_eps(),
          Field("epsilon of the layer norms").greater_than(0));
  v.value("feat_proj_layer_norm", o.feat_proj_layer_norm(),
          Field("LayerNorm before the feature projection (wav2vec2 and HuBERT base: true)"));
}

}  // namespace neuroscale::jobs
