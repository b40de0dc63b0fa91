// Fuzz harness: checkpoint manifests (manifest.yaml). A bad manifest is a CheckpointError.
#include "core/error.h"
#include "io/checkpoint/manifest.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  neuroscale::fuzz::input_file(data, size, "manifest.yaml");
  try {
    const auto manifest = neuroscale::io::read_manifest(neuroscale::fuzz::scratch_directory());
    neuroscale::io::verify_files(manifest, neuroscale::fuzz::scratch_directory());
  } catch (const neuroscale::CheckpointError&) {
  } catch (const neuroscale::DataError&) {  // verify_files: a listed file that cannot be read
  }
  return 0;
}
