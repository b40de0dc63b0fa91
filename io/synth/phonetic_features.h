// The phonetic side of the synthetic fMRI generator's hidden encoding model: each phoneme
// espeak-ng speaks (its English mnemonics, as EspeakEngine reports them) described by 20
// binary articulatory features (manner, place, voicing, vowel height, backness, rounding,
// diphthong, rhotic; silence for pauses), and a story's phoneme timing turned into the
// features' time courses at the auditory features' 10 Hz frames. Pure functions.
#pragma once

#include <ATen/ATen.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "io/speech/speech_index.h"

namespace neuroscale::io {

inline constexpr int kPhoneticFeatures = 20;

// The features' names in column order: silence, vowel, stop, fricative, affricate, nasal,
// liquid, glide, voiced, labial, coronal, dorsal, glottal, high, low, front, back, rounded,
// diphthong, rhotic.
const std::array<const char*, kPhoneticFeatures>& phonetic_feature_names();

// The features of one mnemonic (0 or 1 each). Pauses ('_', '_:', '_!' ...) are silence.
// `known` is set to whether the mnemonic is in the table; an unknown one has no feature
// set, so it adds nothing to any time course (docs/fmri-format.md lists the table).
std::array<double, kPhoneticFeatures> phoneme_features(const std::string& mnemonic,
                                                       bool* known = nullptr);

// [frames, 20] float64: frame k (centred on k / 10 s, as auditory_features' frames) holds,
// per feature, the fraction of [k/10 - 0.05 s, k/10 + 0.05 s) that phonemes with that feature
// occupy. frames = ceil(samples / hop) with hop = sample_rate / 10, as auditory_features;
// time outside every segment counts as silence. `segments` are in samples at `sample_rate`.
at::Tensor phonetic_features(const std::vector<PhonemeSegment>& segments, std::int64_t samples,
                             double sample_rate);

}  // namespace neuroscale::io
