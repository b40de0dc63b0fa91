// Resident memory of N ranks on one node holding the same causal-LM weights, against N times
// the weight bytes: each rank loads a Hugging Face directory (memory-mapped when the dtype
// matches the file's, a private copy otherwise), runs one forward pass so every weight page
// is touched, and reads its Rss and Pss (proportional set size: a page shared by k processes
// counts 1/k to each) from /proc/self/smaps_rollup. Rank 0 prints the sums.
// usage: mpirun -np N bench_lm_memory DIR float32|bfloat16
#include <mpi.h>
#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "io/llm/hf_model.h"

namespace {

// Rss and Pss of this process in bytes.
std::pair<double, double> rss_pss() {
  std::ifstream in("/proc/self/smaps_rollup");
  double rss = 0, pss = 0;
  for (std::string line; std::getline(in, line);) {
    double kb = 0;
    if (std::sscanf(line.c_str(), "Rss: %lf kB", &kb) == 1) rss = kb * 1024;
    if (std::sscanf(line.c_str(), "Pss: %lf kB", &kb) == 1) pss = kb * 1024;
  }
  return {rss, pss};
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (argc != 3) {
    if (rank == 0) std::cerr << "usage: mpirun -np N bench_lm_memory DIR float32|bfloat16\n";
    MPI_Finalize();
    return 2;
  }
  at::set_num_threads(1);
  neuroscale::io::LlmWeightsOptions options;
  options.dtype = std::string(argv[2]) == "bfloat16" ? at::kBFloat16 : at::kFloat;
  auto lm = neuroscale::io::load_hf_causal_lm(argv[1], options);
  {
    torch::NoGradGuard no_grad;
    lm.model->forward(at::full({1, 4}, 3, at::kLong));
  }
  double weight_bytes = 0;
  for (const auto& p : lm.model->parameters()) weight_bytes += static_cast<double>(p.nbytes());
  MPI_Barrier(MPI_COMM_WORLD);  // every rank holds its weights before any measures
  const auto [rss, pss] = rss_pss();
  double local[2] = {rss, pss}, total[2] = {0, 0};
  MPI_Reduce(local, total, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    std::printf(
        "ranks=%d dtype=%s mapped=%zu/%zu weights_mb=%.0f sum_rss_mb=%.0f sum_pss_mb=%.0f "
        "n_times_weights_mb=%.0f pss_over_n_weights=%.2f\n",
        ranks, argv[2], lm.weights.tensors_mapped, lm.weights.tensors_loaded, weight_bytes / 1e6,
        total[0] / 1e6, total[1] / 1e6, ranks * weight_bytes / 1e6,
        total[1] / (ranks * weight_bytes));
  }
  MPI_Finalize();
  return 0;
}
