// Peak memory a rank needs for the index of a corpus (what CorpusReader and the sampler
// hold; features stay on disk): plans the corpus of a synth config without features, builds
// the sampler, and reports the resident-memory high-water mark against the baseline.
// usage: bench_index_memory configs/synth/paper.yaml
#include <cstdio>
#include <fstream>
#include <string>

#include "bench/process_memory.h"
#include "io/config/config_document.h"
#include "io/data/sampler.h"
#include "io/synth/synth_corpus.h"

int main(int argc, char** argv) {
  using namespace neuroscale;
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_index_memory SYNTH_CONFIG\n");
    return 2;
  }
  io::SynthOptions options;
  io::ConfigDocument::from_file(argv[1]).read_into(
      [&](io::ConfigVisitor& v) { io::describe(v, options); });
  const long before = bench::status_kib("VmRSS:");
  io::CorpusContent content = io::plan_synth_corpus(options);
  content.phonemes.clear();  // labels and text are read per trial, not held
  content.phonemes.shrink_to_fit();
  content.text.clear();
  content.text.shrink_to_fit();
  io::GlobalSampler sampler(content.index, io::SamplerOptions{});
  const auto batches = sampler.epoch_batches(0);  // the epoch's order, as a training step holds it
  const long peak = bench::status_kib("VmHWM:");
  double hours = 0;
  for (auto b : content.index.trial_bins) hours += b * 0.02 / 3600.0;
  std::printf(
      "%s: %zu trials, %.1f h, %zu batches/epoch: index + sampler peak %.1f MiB "
      "(%.0f bytes/trial; baseline %.1f MiB)\n",
      argv[1], content.index.trial_count(), hours, batches.size(), (peak - before) / 1024.0,
      (peak - before) * 1024.0 / static_cast<double>(content.index.trial_count()), before / 1024.0);
  return 0;
}
