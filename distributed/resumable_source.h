// A training BatchSource whose place in the global batch order a checkpoint records and a
// resume restarts from: (epoch, global batches consumed in that epoch), the same position on
// every rank. Implementations: LoaderSource (neural corpora), FmriSource (brain-tuning).
#pragma once

#include "distributed/trainer.h"
#include "io/data/sampler.h"

namespace neuroscale::distributed {

class ResumableSource : public BatchSource {
 public:
  // The global position after the steps consumed so far.
  virtual io::SamplerPosition position() const = 0;
};

}  // namespace neuroscale::distributed
