// Fuzz harness: metrics.jsonl, as `neuroscale report` and resume read it. A bad log is a
// DataError.
#include "core/error.h"
#include "io/run/metrics_log.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = neuroscale::fuzz::input_file(data, size, "metrics.jsonl");
  try {
    neuroscale::io::read_metrics_log(path);
  } catch (const neuroscale::DataError&) {
  }
  return 0;
}
