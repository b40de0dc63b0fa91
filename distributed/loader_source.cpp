#include "distributed/loader_source.h"

#include "core/check.h"

namespace neuroscale::distributed {

LoaderSource::LoaderSource(const std::string& corpus, const io::GlobalSampler& sampler,
                           io::SamplerPosition start, int rank, int world_size, int accumulate,
                           io::LoaderOptions options) {
  NS_CHECK_AS(UsageError, accumulate >= 1, "accumulate must be >= 1");
  for (int slot = 0; slot < accumulate; ++slot) {
    readers_.push_back(std::make_unique<io::CorpusReader>(corpus, MPI_COMM_NULL));
    loaders_.push_back(std::make_unique<io::Loader>(*readers_.back(), sampler, start,
                                                    rank * accumulate + slot,
                                                    world_size * accumulate, options));
  }
}

std::optional<Batch> LoaderSource::next(int slot) { return loaders_.at(slot)->next(); }

}  // namespace neuroscale::distributed
