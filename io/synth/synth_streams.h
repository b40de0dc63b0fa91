// Random-stream tags of the synthetic generators: each kind of draw has its own stream
// family, keyed further by subject, session and trial (core/random.h). Generator 1's values
// are fixed: its files depend on them.
#pragma once

#include <cstdint>

namespace neuroscale::io {

enum SynthStream : std::uint64_t {
  kPlan = 1,
  kPhonemePattern,
  kSubjectReadout,
  kSessionDrift,
  kTrialNoise,
  kReach,
  // generator 2
  kContextPattern = 20,
  kPositionPattern,
  kPhonemeDuration,
  kTuningDrift,
  kCalibration,
};

}  // namespace neuroscale::io
