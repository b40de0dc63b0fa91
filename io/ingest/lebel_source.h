// Ingest of the LeBel et al. 2023 natural-language fMRI data (OpenNeuro ds003020) into an
// fMRI corpus (docs/fmri-format.md): responses from derivative/<derivative>/UTS0X/<story>.hf5
// ('data' [rows, V], NaN -> 0; 'individual_repeats' [R, rows, V] where present), stimulus
// audio from stimuli/<story>.wav resampled to 16 kHz, and TR times rebuilt from
// derivative/respdict.json as the reference's simulated TR files
// (load_simulated_trfiles(respdict, tr=2.0, start_time=10.0, pad=5), trimmed [10:-5]).
// Everything is validated before the output is written; serial (one process).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace neuroscale::io {

struct LebelOptions {
  std::string input;                      ///< the ds003020 root, or its 'derivative' folder
  std::string output;                     ///< fMRI corpus file to write
  std::vector<std::string> participants;  ///< UTS01, ... (empty: every folder of the derivative)
  std::vector<std::string> stories;       ///< empty: every story any chosen participant has
  std::string test_story = "wheretheressmoke";   ///< split test (multi-brain-tuning train_utils.py)
  std::string val_story = "itsabox";             ///< split val
  std::string derivative = "preprocessed_data";  ///< folder under derivative/ holding UTS0X/
  bool overwrite = false;                        ///< replace an existing output
};

inline constexpr double kLebelTrS = 2.0;          ///< nominal TR (s)
inline constexpr double kLebelStartTimeS = 10.0;  ///< sound start after the first trigger (s)
inline constexpr std::int64_t kLebelPadTrs = 5;   ///< load_simulated_trfiles pad
inline constexpr std::int64_t kLebelTrimStart = 10,
                              kLebelTrimEnd = 5;  ///< rows dropped by the files

// TR times (s on the audio clock, mid-TR) of the rows of a story with `respdict_trs` TRs in
// respdict.json: 2 k - 10 + 1 for k in [10, respdict_trs - 10), i.e. respdict_trs - 20 rows
// starting at 11 s. Throws DataError when respdict_trs <= 20.
std::vector<double> lebel_tr_times(std::int64_t respdict_trs);

// Converts; `progress(done, total)` counts stories read and response files copied.
void ingest_lebel(const LebelOptions& options,
                  const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace neuroscale::io
