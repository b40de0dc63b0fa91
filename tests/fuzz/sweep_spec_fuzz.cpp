// Fuzz harness: sweep specs (configs/sweeps/*.yaml) and their expansion. A bad spec is a
// ConfigError.
#include "core/error.h"
#include "io/config/sweep_spec.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = neuroscale::fuzz::input_file(data, size, "sweep.yaml");
  try {
    const auto spec = neuroscale::io::read_sweep_spec(path);
    neuroscale::io::sweep_plan(spec, neuroscale::io::expand_sweep(spec));
  } catch (const neuroscale::ConfigError&) {
  }
  return 0;
}
