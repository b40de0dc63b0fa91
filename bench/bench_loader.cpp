// Loader benchmark, side by side in one process (per rank under mpirun):
//   1. the loader alone: trials/s and bins/s this rank receives;
//   2. what training consumes: a BIT-sized encoder step (read-in, 7 pre-LN Transformer
//      layers d=384, 6 heads, MLP 512, over 100 ms patches; forward + backward) on the same
//      batches, trials/s;
//   3. HDF5 read bandwidth of all trials through CorpusReader against a plain sequential
//      read() of the same file.
// usage: mpirun -np N bench_loader CORPUS [batch_trials [steps]]
#include <fcntl.h>
#include <mpi.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/sanitizer_defaults.h"
#include "distributed/mpi/mpi_context.h"
#include "io/data/loader.h"

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double sequential_read_bytes_per_s(const std::string& path, double& bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  std::vector<char> buffer(8 << 20);
  bytes = 0;
  const double start = now();
  for (ssize_t n; (n = ::read(fd, buffer.data(), buffer.size())) > 0;)
    bytes += static_cast<double>(n);
  const double seconds = now() - start;
  ::close(fd);
  return bytes / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace neuroscale;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_loader CORPUS [batch_trials [steps]]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int batch_trials = argc > 2 ? std::atoi(argv[2]) : 16;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 40;
  distributed::MpiContext mpi;
  io::CorpusReader reader(path, mpi.world());
  io::SamplerOptions sampler_options;
  sampler_options.batch_trials = batch_trials;
  io::GlobalSampler sampler(reader.index(), sampler_options);

  // ---- 1. the loader alone
  double trials = 0, bins = 0;
  std::vector<Batch> kept;
  double start = now();
  {
    io::LoaderOptions options;
    options.pad_multiple = 5;
    io::Loader loader(reader, sampler, {}, mpi.rank(), mpi.size(), options);
    for (int s = 0; s < steps; ++s) {
      auto batch = loader.next();
      if (!batch) continue;
      trials += static_cast<double>(batch->size());
      bins += batch->bins.sum().item<double>();
      if (kept.size() < 8) kept.push_back(std::move(*batch));
    }
  }
  const double loader_seconds = now() - start;

  // ---- 2. a BIT-sized training step on the same batches
  torch::manual_seed(0);
  const int64_t d = 384, patch = 5;
  torch::nn::TransformerEncoderLayerOptions layer(d, 6);
  layer.dim_feedforward(512).dropout(0.4).activation(torch::kGELU);
  torch::nn::TransformerEncoder encoder(torch::nn::TransformerEncoderOptions(layer, 7));
  std::vector<torch::nn::Linear> read_in;
  for (const auto& subject : reader.index().subjects)
    read_in.emplace_back(subject.n_channels * patch, d);
  double consumed = 0;
  start = now();
  for (int repeat = 0; repeat < 2; ++repeat) {
    for (const auto& batch : kept) {
      auto x = batch.features;  // [B, T, C], T a multiple of the patch
      x = x.reshape({x.size(0), x.size(1) / patch, x.size(2) * patch});
      auto h = read_in[batch.subject]->forward(x).transpose(0, 1);  // [S, B, d]
      auto loss = encoder->forward(h).square().mean();
      loss.backward();
      consumed += static_cast<double>(batch.size());
    }
  }
  const double train_seconds = now() - start;

  // ---- 3. HDF5 reads of every trial against a sequential read of the file
  double feature_bytes = 0;
  start = now();
  for (std::size_t t = static_cast<std::size_t>(mpi.rank()); t < reader.index().trial_count();
       t += static_cast<std::size_t>(mpi.size())) {
    feature_bytes += static_cast<double>(reader.read_trial(t).size()) *
                     (reader.index().feature_dtype == "float16" ? 2.0 : 4.0);
  }
  const double hdf5_rate = feature_bytes / (now() - start);
  double file_bytes = 0;
  const double sequential_rate = sequential_read_bytes_per_s(path, file_bytes);

  std::printf(
      "rank %d/%d: loader %.0f trials/s, %.0f bins/s | BIT-sized step consumes %.0f trials/s "
      "(loader/training %.1fx) | HDF5 trial reads %.0f MB/s vs sequential read %.0f MB/s (%.2fx)\n",
      mpi.rank(), mpi.size(), trials / loader_seconds, bins / loader_seconds,
      consumed / train_seconds, (trials / loader_seconds) / (consumed / train_seconds),
      hdf5_rate / 1e6, sequential_rate / 1e6, hdf5_rate / sequential_rate);
  return 0;
}
