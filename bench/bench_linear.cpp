// Forward + backward of a linear layer (batch 64, 512 -> 256 by default) through LibTorch:
// median time and GFLOP/s. bench/blas.sh runs it against OpenBLAS and the reference BLAS
// side by side to show why the build selects OpenBLAS.
//
// usage: bench_linear [batch in out [repeats]]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  const int64_t batch = argc > 3 ? std::atoll(argv[1]) : 64;
  const int64_t in = argc > 3 ? std::atoll(argv[2]) : 512;
  const int64_t out = argc > 3 ? std::atoll(argv[3]) : 256;
  const int repeats = argc > 4 ? std::atoi(argv[4]) : 200;
  torch::manual_seed(0);
  torch::nn::Linear layer(in, out);
  auto x = torch::randn({batch, in});
  std::vector<double> seconds;
  for (int i = 0; i < repeats + 10; ++i) {
    const auto start = std::chrono::steady_clock::now();
    layer->zero_grad();
    auto loss = layer->forward(x).square().sum();
    loss.backward();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i >= 10) seconds.push_back(s);  // first iterations warm caches and thread pools
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  // forward 2*B*I*O, backward (weight grad only; x needs no grad) 2*B*I*O
  const double flops = 4.0 * batch * in * out;
  std::printf("linear %lldx%lldx%lld fwd+bwd: median %.1f us, %.2f GFLOP/s (%d threads)\n",
              static_cast<long long>(batch), static_cast<long long>(in),
              static_cast<long long>(out), median * 1e6, flops / median / 1e9,
              torch::get_num_threads());
  return 0;
}
