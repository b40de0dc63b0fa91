// One brain-tuning step of the speech model (wav2vec2 backbone with LoRA on q/k/v/out, mean
// pooling, a shared projection head): forward over `batch` windows of audio, the L2 loss
// against random responses, backward into the adapters and the head, AdamW. The GEMM peak
// measured in the same process sets the scale. bench/speech_step.sh runs it beside the
// reference's model (Hugging Face Wav2Vec2Model + PEFT LoRA) in PyTorch eager
// (bench/speech_step_pytorch.py).
//
// usage: bench_speech_step [--size base|tiny] [--batch 2] [--seconds 10] [--voxels 4096]
//                          [--steps 5] [--threads N]
// Prints one line of key=value pairs (step_ms, model_gflop, gflops, gemm_peak_gflops,
// peak_fraction).
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_common.h"
#include "bench/gemm_peak.h"
#include "core/optim/optimizer.h"
#include "core/task/brain_tuning.h"

namespace ns = neuroscale;

namespace {

// GEMM and convolution FLOPs of one step as executed, per window:
// - forward: the seven feature convolutions, the feature projection, the grouped positional
//   convolution, per layer q/k/v/out (plus the rank-r adapters), the two feed-forward
//   products and the two attention products; the head;
// - backward: gradients reach the adapters of every layer, so every layer passes its input
//   gradient down (the forward's GEMMs once more, twice for the attention products, whose
//   two operands both need gradients), plus the adapters' own weight gradients; nothing
//   below the first layer is differentiated (the convolutions and the projection are
//   frozen and the audio needs no gradient).
double step_flops(const ns::model::Wav2Vec2Options& o, std::int64_t samples, std::int64_t voxels) {
  double conv = 0.0, in_channels = 1.0, length = static_cast<double>(samples);
  for (std::size_t i = 0; i < o.conv_kernels().size(); ++i) {
    const double k = static_cast<double>(o.conv_kernels()[i]),
                 s = static_cast<double>(o.conv_strides()[i]);
    length = std::floor((length - k) / s) + 1.0;
    conv += 2.0 * in_channels * k * static_cast<double>(o.conv_dim()) * length;
    in_channels = static_cast<double>(o.conv_dim());
  }
  const double n = static_cast<double>(o.frames(samples)), d = static_cast<double>(o.hidden());
  const double r = static_cast<double>(o.lora().rank()), f = static_cast<double>(o.intermediate());
  const double projection = 2.0 * static_cast<double>(o.conv_dim()) * d * n;
  const double pos_conv = 2.0 * d * (d / static_cast<double>(o.pos_conv_groups())) *
                          static_cast<double>(o.pos_conv_kernel()) * n;
  const double linears = n * (2.0 * 4 * d * d + 2.0 * 2 * d * f);
  const double adapters = n * 4 * (2.0 * d * r + 2.0 * r * d);
  const double attention = 2.0 * 2 * n * n * d;
  const double layers = static_cast<double>(o.layers());
  const double forward =
      conv + projection + pos_conv + layers * (linears + adapters + attention) + 2.0 * d * voxels;
  const double backward =
      layers * (linears + 2.0 * adapters + 2.0 * attention) + 2.0 * 2.0 * d * voxels;
  return forward + backward;
}

}  // namespace

int main(int argc, char** argv) {
  std::string size = "base";
  std::int64_t batch_size = 2, voxels = 4096, steps = 5, threads = 0;
  double seconds = 10.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--size")
      size = value;
    else if (flag == "--batch")
      batch_size = std::stoll(value);
    else if (flag == "--seconds")
      seconds = std::stod(value);
    else if (flag == "--voxels")
      voxels = std::stoll(value);
    else if (flag == "--steps")
      steps = std::stoll(value);
    else if (flag == "--threads")
      threads = std::stoll(value);
    else {
      std::fprintf(stderr, "bench_speech_step: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (size != "base" && size != "tiny") {
    std::fprintf(stderr, "bench_speech_step: --size must be base or tiny, got %s\n", size.c_str());
    return 2;
  }
  if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
  torch::manual_seed(0);

  auto backbone =
      size == "base" ? ns::model::Wav2Vec2Options::base() : ns::model::Wav2Vec2Options::tiny();
  backbone.lora(ns::model::LoraOptions().rank(8));
  ns::task::BrainTuningTask task(
      ns::task::BrainTuningOptions()
          .model(ns::model::SpeechVoxelModelOptions().backbone(backbone).voxels(voxels))
          .participants({"P01"}));
  task.model()->freeze_backbone();
  // As the reference: the backbone is never put in training mode; only the adapters'
  // dropout is active.
  task.module().eval();
  for (auto& child : task.module().modules(/*include_self=*/false)) {
    if (dynamic_cast<ns::model::LoraLinearImpl*>(child.get()) != nullptr) child->train();
  }
  auto optimizer =
      ns::optim::make_optimizer(ns::optim::OptimizerOptions().grad_clip(0.0), task.module());

  const auto samples = static_cast<std::int64_t>(seconds * 16000.0);
  ns::Batch batch;
  batch.features = torch::randn({batch_size, samples, 1});
  batch.targets = torch::randn({batch_size, voxels});
  batch.subject = 0;
  for (std::int64_t i = 0; i < batch_size; ++i) batch.trials.push_back(i);

  std::vector<double> times;
  for (std::int64_t step = 0; step < steps + 1; ++step) {
    const auto start = ns::bench::Clock::now();
    optimizer->zero_grad();
    auto out = task.forward(batch, {step});
    (out.loss / out.count).backward();
    optimizer->step(1e-4);
    if (step >= 1) times.push_back(ns::bench::seconds(start));  // one warm-up step
  }
  const double median = ns::bench::median(times);
  const double flops = static_cast<double>(batch_size) * step_flops(backbone, samples, voxels);
  const double peak = ns::bench::gemm_peak_gflops();
  std::printf(
      "impl=libtorch size=%s threads=%d step_ms=%.1f model_gflop=%.2f gflops=%.1f "
      "gemm_peak_gflops=%.1f peak_fraction=%.3f\n",
      size.c_str(), torch::get_num_threads(), median * 1e3, flops / 1e9, flops / median / 1e9, peak,
      flops / median / 1e9 / peak);
  return 0;
}
