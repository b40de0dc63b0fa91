// `neuroscale lm train`: a causal LM of the Llama family trained on a text file (one
// sentence per line) on the data-parallel engine, written as a Hugging Face directory.
#include <torch/torch.h>

#include "core/check.h"
#include "core/task/causal_lm_task.h"
#include "distributed/text_data.h"
#include "io/fs/files.h"
#include "io/llm/hf_writer.h"
#include "jobs/config_job.h"
#include "jobs/lm/lm_actions.h"
#include "jobs/lm/lm_model.h"
#include "jobs/lm/lm_text.h"
#include "jobs/schema/lm_schema.h"
#include "jobs/training_job.h"

namespace neuroscale::jobs {

int lm_train(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line and config
  ConfigJob job(
      runtime, ConfigJob::Kind::kTraining, "neuroscale lm train",
      "Train a causal language model of the Llama family (or continue one from a\n"
      "Hugging Face directory) on a text file, one sentence per line, data-parallel over\n"
      "the ranks of mpirun or srun. Each line becomes BOS + tokens + EOS; the loss is the\n"
      "next-token cross-entropy (metrics: loss per token, perplexity). Without\n"
      "data.tokenizer a byte-level BPE tokenizer is trained on the text first. When the\n"
      "run ends, the model is written as a Hugging Face directory (config.json,\n"
      "model.safetensors, tokenizer.json; `output`, default RUN_DIR/hf) that\n"
      "transformers and `neuroscale lm generate|score` load.\n"
      "SIGTERM or SIGUSR1: every rank saves a checkpoint and the job exits 75.",
      "configs/lm/*.yaml");
  job.parser().epilog(
      "examples:\n"
      "  neuroscale lm train --config configs/lm/tiny.yaml --run-dir runs/lm "
      "data.text=runs/default/sentences.train.txt\n"
      "  mpirun -np 2 neuroscale lm train --config configs/lm/tiny.yaml --run-dir runs/lm \\\n"
      "      data.text=train.txt data.validation_text=val.txt train.max_steps=2000\n");
  LmTrainConfig config;
  if (!job.parse(args, config)) return 0;
  NS_CHECK_AS(UsageError, !config.output.empty() || !job.run_dir().empty(),
              "lm train needs --run-dir or output=DIR: the trained model is written there");
  const std::string output = config.output.empty() ? job.run_dir() + "/hf" : config.output;

  // ---- text and tokenizer (every rank reads and, without data.tokenizer, trains the same one)
  const auto train_lines = read_text_lines(config.data.text, "data.text");
  const auto val_lines = config.data.validation_text.empty()
                             ? std::vector<std::string>{}
                             : read_text_lines(config.data.validation_text, "data.validation_text");
  auto base = open_base(config);
  const LmTokenizer tokenizer =
      base ? tokenizer_of(*base) : make_tokenizer(config.data, train_lines, job.log());
  const auto bos = special_token(tokenizer.tokenizer, config.data.bos_token, "data.bos_token",
                                 {"<|begin_of_text|>", "<|endoftext|>"});
  const auto eos = special_token(tokenizer.tokenizer, config.data.eos_token, "data.eos_token",
                                 {"<|end_of_text|>", "<|endoftext|>"});
  auto train = tokenize_lines(tokenizer.tokenizer, train_lines, bos, eos, config.data.max_length);
  auto validation =
      tokenize_lines(tokenizer.tokenizer, val_lines, bos, eos, config.data.max_length);

  // ---- the run
  const auto spec = own_data_spec("language-model training", job, config);
  const auto run = open_training_session(job, spec);
  run->log().info("language model on '", config.data.text, "': ", train.size(), " training and ",
                  validation.size(), " validation sequences, vocabulary ",
                  tokenizer.tokenizer.vocab_size(), " (", tokenizer.origin, ")");

  if (run->rank() == 0 && !job.run_dir().empty()) {
    io::write_file_atomically(job.run_dir() + "/tokenizer.json", tokenizer.json);  // lm export
  }

  // ---- model: fresh (same seed on every rank) or the base directory's
  const auto lm = build_lm_model(config, std::move(base), tokenizer, bos, eos, run->log());
  auto model = lm.model;
  task::CausalLmTask task(model);
  task.module().to(run->device());
  run->log().info("model: ", model->options().family(), ", ", model->options().layers(),
                  " layers, hidden ", model->options().hidden(), ", ",
                  model->options().parameter_count(), " parameters");
  if (config.pack_frozen_weights) {
    // After the move to the device: only float32 weights on the CPU that do not train pack.
    const auto bytes = model->pack_frozen_weights(/*with_gradient=*/true);
    run->log().info(
        "frozen weights packed for MKL's GEMM: ", bytes >> 20,
        " MiB asked for, private to this rank",
        bytes == 0 ? " (none: every weight trains, or they are not float32 on the CPU)" : "");
  }

  distributed::OptimizationSpec optimization;
  optimization.optimizer = config.optimizer;
  optimization.schedule = config.schedule;
  optimization.base_weights = lm.base_weights;
  optimization.model_identity = lm.identity;
  distributed::TextTrainingData data(std::move(train), std::move(validation),
                                     config.train.micro_batch, config.seed, eos);
  run->train(task, optimization, &data);

  // ---- the Hugging Face directory (rank 0; every rank holds the same parameters)
  if (run->rank() == 0) {
    io::write_hf_causal_lm(output, *model, tokenizer.json);
    run->log().info("model written to ", output,
                    " (config.json, model.safetensors, tokenizer.json)");
  }
  return 0;
}

}  // namespace neuroscale::jobs
