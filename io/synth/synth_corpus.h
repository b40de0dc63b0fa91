// The synthetic cross-species corpus: subjects of both species share one latent dynamical
// system (speech trials are driven by phoneme-specific latent patterns, centre-out reaching
// trials by velocity through one map shared by all monkeys), seen through subject-specific
// electrode read-outs with day-to-day drift (gains, offsets, dropped electrodes), emitted as
// Poisson threshold crossings and spike-band power, and z-scored per day as real
// recordings are. Ground truth for tests and experiments.
#pragma once

#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "io/corpus/corpus_writer.h"
#include "io/synth/synth_options.h"

namespace neuroscale::io {

// Index, labels and sentences of the corpus `options` describes (cheap; no features).
CorpusContent plan_synth_corpus(const SynthOptions& options);

// The generator's vocabulary in the CMU-dict lexicon format ("WORD  PH PH ...", stress-free
// ARPAbet), one line per word: what a decoder needs to spell the synthetic sentences.
std::string synth_lexicon_text(const SynthOptions& options);

// Features of every trial of `session` after per-day z-scoring, and that day's statistics
// (mean, std per channel of the raw features). Pure function of options and session.
struct SessionFeatures {
  std::vector<std::size_t> trials;
  std::vector<std::vector<float>> features;  // per trial, [bins, channels]
  std::vector<std::vector<int>>
      frame_labels;  // per trial and bin: the phoneme driving it (0: none)
  std::vector<float> mean, std;
};
SessionFeatures generate_session(const SynthOptions& options, const CorpusContent& plan,
                                 std::size_t session);

// Collective over `comm`: plans, generates each rank's sessions (round-robin) and writes
// the corpus to `path` through CorpusWriter. `progress(done, total)` is called on rank 0
// as its sessions finish.
void write_synth_corpus(const SynthOptions& options, const std::string& path, MPI_Comm comm,
                        bool overwrite,
                        const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace neuroscale::io
