// The trainer's BatchSource over a corpus: one io::Loader per accumulation slot. With A
// slots on P ranks the global sampler is read as P*A virtual ranks (slot j of rank r is
// virtual rank r*A + j), so the global batch order, and hence the run, is the same for any
// split of P*A between ranks and accumulation. Each slot has its own reader; their HDF5 calls
// are serialised process-wide (io::hdf5_mutex).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "distributed/batch_source.h"
#include "io/data/loader.h"

namespace neuroscale::distributed {

class LoaderSource : public ResumableSource {
 public:
  // `sampler` must outlive the source.
  LoaderSource(const std::string& corpus, const io::GlobalSampler& sampler,
               io::SamplerPosition start, int rank, int world_size, int accumulate,
               io::LoaderOptions options);
  std::optional<Batch> next(int slot) override;
  // The global sampler position after the steps consumed so far (what a checkpoint records).
  io::SamplerPosition position() const override { return loaders_.front()->position(); }

 private:
  std::vector<std::unique_ptr<io::CorpusReader>> readers_;
  std::vector<std::unique_ptr<io::Loader>> loaders_;
};

}  // namespace neuroscale::distributed
