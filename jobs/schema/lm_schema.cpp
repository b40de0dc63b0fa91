#include "jobs/schema/lm_schema.h"

#include "core/check.h"
#include "core/model/packed_gemm.h"
#include "jobs/schema/model_sections.h"
#include "jobs/schema/training_sections.h"

namespace neuroscale::jobs {

using io::ConfigVisitor;
using io::Field;

LmModelConfig::LmModelConfig() {
  options.family("llama")
      .hidden(128)
      .intermediate(384)
      .layers(2)
      .heads(4)
      .kv_heads(2)
      .max_positions(256);
  options.rope_theta(10000.0).rms_eps(1e-6).tie_embeddings(true);
  lora.rank(0).alpha(32).dropout(
      0.2);  // BIT's adapters when rank is set: r 8, alpha 32, dropout 0.2
}

LmTrainConfig::LmTrainConfig() {
  train.max_steps = 200;
  train.micro_batch = 16;
  train.eval_steps = 4;
  optimizer.name("adamw").weight_decay(0.1);
  schedule.kind(optim::ScheduleKind::kWarmupCosine).lr(1e-3).warmup_steps(20).min_lr_ratio(0.1);
}

void describe(ConfigVisitor& v, LmModelConfig& o) {
  v.value(
      "init_from", o.init_from,
      Field("a Hugging Face model directory to continue training (its config.json sets the size "
            "and its tokenizer.json the vocabulary; the size keys below are ignored); empty: "
            "train from scratch"));
  auto& m = o.options;
  v.value("family", m.family(),
          Field("model_type written to config.json: llama (no q/k/v bias) or qwen2 (q/k/v biases)")
              .one_of({"llama", "qwen2"}));
  v.value("hidden", m.hidden(), Field("width (hidden_size)").range(8, 1 << 16));
  v.value("intermediate", m.intermediate(),
          Field("MLP width (intermediate_size)").range(8, 1 << 18));
  v.value("layers", m.layers(), Field("decoder layers (num_hidden_layers)").range(1, 1024));
  v.value("heads", m.heads(), Field("attention heads (num_attention_heads)").range(1, 1024));
  v.value("kv_heads", m.kv_heads(),
          Field("key/value heads, grouped-query attention (num_key_value_heads); divides heads")
              .range(1, 1024));
  v.value("max_positions", m.max_positions(),
          Field("longest sequence the model accepts (max_position_embeddings)").range(2, 1 << 20));
  v.value("rope_theta", m.rope_theta(),
          Field("rotary embedding base (rope_theta)").greater_than(0));
  v.value("rms_eps", m.rms_eps(), Field("RMSNorm epsilon (rms_norm_eps)").greater_than(0));
  v.value("tie_embeddings", m.tie_embeddings(),
          Field("the output head is the embedding matrix (tie_word_embeddings)"));
  v.section(
      "lora",
      "adapters on init_from's model, whose weights stay frozen (rank 0: train every weight)",
      [&](ConfigVisitor& l) {
        l.value("rank", o.lora.rank(),
                Field("rank r of each adapter (0: no adapters)").range(0, 4096));
        l.value("alpha", o.lora.alpha(),
                Field("the update is scaled by alpha / r").greater_than(0));
        l.value("dropout", o.lora.dropout(),
                Field("dropout on the adapters' input while training").range(0, 0.99));
        l.value(
            "targets", o.lora_targets,
            Field("projections with adapters: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, "
                  "down_proj"));
      });
}

void describe(ConfigVisitor& v, LmTrainConfig& o) {
  v.section("data", "the text and its tokenizer", [&](ConfigVisitor& s) {
    s.value("text", o.data.text, Field("training text, UTF-8, one sentence per line").non_empty());
    s.value("validation_text", o.data.validation_text,
            Field("validation text, one sentence per line (empty: no validation)"));
    s.value("tokenizer", o.data.tokenizer,
            Field("a Hugging Face tokenizer.json (byte-level BPE); empty: train one on data.text"));
    s.value("vocab_size", o.data.vocab_size,
            Field("vocabulary of the tokenizer trained on data.text (special tokens and 256 bytes "
                  "included)")
                .range(260, 1 << 22));
    s.value(
        "max_length", o.data.max_length,
        Field("tokens per sequence, BOS and EOS included; longer lines are cut").range(3, 1 << 20));
    s.value(
        "bos_token", o.data.bos_token,
        Field("the token before every sequence (empty: <|begin_of_text|>, else <|endoftext|>)"));
    s.value("eos_token", o.data.eos_token,
            Field("the token after every sequence (empty: <|end_of_text|>, else <|endoftext|>)"));
  });
  v.value("seed", o.seed, Field("seed of initialisation, dropout and shuffling").at_least(0));
  v.section("train", "the training loop (micro_batch: sentences)", [&](ConfigVisitor& s) {
    describe(s, o.train);
    s.value("pack_frozen_weights", o.pack_frozen_weights,
            Field("keep the frozen base weights (LoRA) packed for MKL's GEMM as well: faster CPU "
                  "steps for about twice their bytes of private memory per rank"));
  });
  v.section("checkpoint", "checkpoints under RUN_DIR/checkpoints (needs --run-dir)",
            [&](ConfigVisitor& s) { describe(s, o.checkpoint); });
  v.section("model", "the decoder", [&](ConfigVisitor& s) { describe(s, o.model); });
  v.section("optimizer", "the optimiser", [&](ConfigVisitor& s) { describe(s, o.optimizer); });
  v.section("schedule", "the learning-rate schedule (total_steps = train.max_steps)",
            [&](ConfigVisitor& s) { describe(s, o.schedule); });
  v.value("output", o.output,
          Field("the Hugging Face directory written when training ends (empty: RUN_DIR/hf)"));
}

void validate(const LmTrainConfig& o, const std::string& source) {
  NS_CHECK_AS(ConfigError, o.model.options.heads() % o.model.options.kv_heads() == 0, source,
              ": 'model.heads' (", o.model.options.heads(),
              ") must be a multiple of 'model.kv_heads' (", o.model.options.kv_heads(), ")");
  NS_CHECK_AS(ConfigError,
              o.model.options.hidden() % o.model.options.heads() == 0 &&
                  (o.model.options.hidden() / o.model.options.heads()) % 2 == 0,
              source, ": 'model.hidden' (", o.model.options.hidden(),
              ") must split into 'model.heads' (", o.model.options.heads(),
              ") heads of even width");
  NS_CHECK_AS(ConfigError,
              o.data.max_length <= o.model.options.max_positions() || !o.model.init_from.empty(),
              source, ": 'data.max_length' (", o.data.max_length,
              ") exceeds 'model.max_positions' (", o.model.options.max_positions(), ")");
  NS_CHECK_AS(ConfigError, o.model.lora.rank() == 0 || !o.model.init_from.empty(), source,
              ": 'model.lora.rank' (", o.model.lora.rank(),
              ") adapts a pretrained model: set 'model.init_from'");
  NS_CHECK_AS(ConfigError, o.model.lora.rank() == 0 || !o.model.lora_targets.empty(), source,
              ": 'model.lora.targets' is empty");
  NS_CHECK_AS(ConfigError, !o.pack_frozen_weights || model::packed_gemm_available(), source,
              ": 'train.pack_frozen_weights' needs MKL's packed GEMM (cblas_sgemm_pack), which "
              "this build's LibTorch does not export (PyTorch's wheels do; Debian's does not)");
  NS_CHECK_AS(ConfigError, !o.pack_frozen_weights || o.train.precision == "fp32", source,
              ": 'train.pack_frozen_weights' packs float32 products, but 'train.precision' is ",
              o.train.precision,
              " (its products run under autocast and the packs would go unused)");
  NS_CHECK_AS(ConfigError, o.schedule.warmup_steps() <= o.train.max_steps, source,
              ": 'schedule.warmup_steps' (", o.schedule.warmup_steps(),
              ") exceeds 'train.max_steps' (", o.train.max_steps, ")");
}

}  // namespace neuroscale::jobs
