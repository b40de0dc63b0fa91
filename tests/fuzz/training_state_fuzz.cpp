// Fuzz harness: training-state archives (state-NNNNN.txt, Boost.Serialization text). A bad
// archive is a CheckpointError.
#include "core/error.h"
#include "io/checkpoint/training_state.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = neuroscale::fuzz::input_file(data, size, "state-00000.txt");
  try {
    neuroscale::io::load_training_state(path);
  } catch (const neuroscale::CheckpointError&) {
  }
  return 0;
}
