// `neuroscale corpus info FILE`: what a corpus file holds.
#include <iostream>

#include "core/check.h"
#include "core/text.h"
#include "io/corpus/corpus_reader.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

int run_corpus(Runtime& runtime, const std::vector<std::string>& args) {
  std::string action, path;
  CommonOptions common;
  ArgParser parser("neuroscale corpus",
                   "Inspect a corpus file.\n\n"
                   "actions:\n"
                   "  info FILE    subjects, sessions, trials, hours, channels and splits");
  parser.positional("ACTION", &action, "what to do: info");
  parser.positional("FILE", &path, "corpus file (.h5)");
  add_common_options(parser, common);
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);

  const std::vector<std::string> actions = {"info"};
  NS_CHECK_AS(UsageError, action == "info", "neuroscale corpus: unknown action '", action, "'",
              did_you_mean(action, actions), " (expected: ", join(actions, ", "), ")");
  io::CorpusReader reader(path, MPI_COMM_NULL);
  std::cout << io::summarize(reader.index(), path);
  return 0;
}

}  // namespace neuroscale::jobs
