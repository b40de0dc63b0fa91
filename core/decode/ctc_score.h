// The CTC log-likelihood of given label sequences under one trial's phoneme log-probabilities:
// log of the summed probability of every frame path that collapses to the sequence (blank
// kBlank, repeats merged). BIT scores an end-to-end model's sentence candidates this way
// (their phonemes by grapheme-to-phoneme against the encoder's CTC head), the "acoustic"
// score the cascaded decoder's beam search also carries (ctc_decode.h's Hypothesis).
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

namespace neuroscale::decode {

// log p(labels[i] | log_probs) for each sequence: `log_probs` [frames, classes] (normalised
// log-probabilities, float, any device). -infinity for a sequence no path of that many frames
// spells (too long for the frames); an empty sequence is all blanks. Throws
// std::invalid_argument for a label outside [1, classes).
std::vector<double> ctc_log_likelihoods(const at::Tensor& log_probs,
                                        const std::vector<std::vector<int>>& labels);

}  // namespace neuroscale::decode
