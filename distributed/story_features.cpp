#include "distributed/story_features.h"

#include <algorithm>

#include "core/encoding/lanczos.h"
#include "core/encoding/windows.h"
#include "core/progress.h"

namespace neuroscale::distributed {

void sum_over_ranks(Communicator& comm, const at::Device& device, at::Tensor& tensor) {
  auto on_device = tensor.to(device);
  comm.allreduce(on_device, ReduceOp::kSum)->wait(comm.options().timeout);
  tensor = on_device.to(at::kCPU);
}

std::map<std::string, at::Tensor> story_features(const io::FmriReader& reader,
                                                 const std::vector<std::string>& stories,
                                                 model::Wav2Vec2ModelImpl& backbone,
                                                 const encoding::SpeechFeatureOptions& options,
                                                 Communicator& comm, const at::Device& device,
                                                 Logger& log) {
  const auto& index = reader.index();
  const int rank = comm.rank(), ranks = comm.size();
  const auto& layers = options.layers();
  const auto mine = [&](std::size_t k) {
    return static_cast<int>(k % static_cast<std::size_t>(ranks)) == rank;
  };
  std::int64_t my_windows = 0;
  for (std::size_t k = 0; k < stories.size(); ++k) {
    if (!mine(k)) continue;
    my_windows += static_cast<std::int64_t>(
        encoding::feature_windows(index.story(stories[k]).samples, options.windows()).spans.size());
  }
  std::map<std::string, at::Tensor> features;
  Progress progress(log, "features", std::max<std::int64_t>(my_windows, 1), "windows",
                    ProgressOptions{stderr_is_terminal(), 30.0});
  std::int64_t done = 0;
  for (std::size_t k = 0; k < stories.size(); ++k) {
    const auto& story = index.story(stories[k]);
    auto tensor = at::zeros(
        {static_cast<std::int64_t>(layers.size()), story.rows(), backbone.options.hidden()},
        at::kFloat);
    if (mine(k)) {
      const auto extracted =
          encoding::speech_features(backbone, reader.audio(story.name), options,
                                    [&](std::int64_t n) { progress.update(done + n); });
      done += extracted.times.size(0);
      const auto tr_times = at::tensor(story.tr_times, at::kDouble);
      for (std::size_t l = 0; l < layers.size(); ++l) {
        tensor[static_cast<std::int64_t>(l)].copy_(
            encoding::lanczos_interp2d(extracted.layers[l], extracted.times, tr_times));
      }
    }
    sum_over_ranks(comm, device, tensor);
    features[story.name] = tensor;
  }
  return features;
}

}  // namespace neuroscale::distributed
