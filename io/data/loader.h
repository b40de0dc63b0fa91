// The data loader: a oneTBB pipeline that, off the training thread, takes this rank's
// micro-batches from the global sampler and runs read -> normalise -> patch -> collate:
//   read       (serial; HDF5 calls are not thread-safe) features, labels and text of each trial
//   normalise  z-score with the stored statistics when the corpus holds raw features;
//              reject NaN/Inf and out-of-range labels, naming file and trial
//   patch      pad time to a multiple of the model's patch length
//   collate    into one Batch of tensors
// At most `prefetch` batches are in flight; when the training thread falls behind, the
// pipeline waits (backpressure). An error in any stage is rethrown by next() on the
// training thread. The reader and sampler must outlive the loader, and the reader must not
// be used by anyone else while the loader runs.
#pragma once

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include "core/batch.h"
#include "io/corpus/corpus_reader.h"
#include "io/data/bounded_queue.h"
#include "io/data/sampler.h"

namespace neuroscale::io {

struct LoaderOptions {
  int prefetch = 4;       ///< batches in flight at most (>= 1)
  int pad_multiple = 1;   ///< pad the time axis to a multiple of this (the patch length)
  int threads = 2;        ///< worker threads of the pipeline's task arena (>= 1)
  bool normalize = true;  ///< apply stored statistics when the corpus holds raw features
};

class Loader {
 public:
  Loader(const CorpusReader& reader, const GlobalSampler& sampler, SamplerPosition start, int rank,
         int world_size, LoaderOptions options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // This rank's batch for the next step (empty when this rank has none in the last step of
  // an epoch). Blocks until it is ready; rethrows a pipeline error (DataError naming the
  // trial). After an error the loader is finished and every further call rethrows it.
  std::optional<Batch> next();
  // Sampler position after the steps returned so far: what a checkpoint records.
  SamplerPosition position() const { return consumed_; }

  struct Item;

 private:
  void run();

  const CorpusReader& reader_;
  const GlobalSampler& sampler_;
  SamplerPosition produced_, consumed_;
  int rank_, world_size_;
  LoaderOptions options_;
  BoundedQueue<std::shared_ptr<Item>> queue_;
  std::atomic<bool> stop_{false};
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace neuroscale::io
