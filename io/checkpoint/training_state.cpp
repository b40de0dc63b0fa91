#include "io/checkpoint/training_state.h"

#include <boost/archive/text_iarchive.hpp>
#include <boost/archive/text_oarchive.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>

#include <fstream>
#include <sstream>

#include "core/check.h"
#include "io/run/run_directory.h"

namespace neuroscale::io {

FileDigest save_training_state(const TrainingState& state, const std::string& path) {
  std::ostringstream out;
  {
    boost::archive::text_oarchive archive(out);
    archive << state;
  }
  return write_file_atomically(path, out.str());
}

TrainingState load_training_state(const std::string& path) {
  std::ifstream in(path);
  NS_CHECK_AS(CheckpointError, in.good(), "cannot read training state '", path, "'");
  TrainingState state;
  try {
    boost::archive::text_iarchive archive(in);
    archive >> state;
  } catch (const std::exception& error) {
    NS_THROW(CheckpointError, "training state '", path, "' is malformed: ", error.what());
  }
  return state;
}

}  // namespace neuroscale::io
