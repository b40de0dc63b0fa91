// `neuroscale ingest`: convert recordings of a source format into a corpus file.
#include <cstdlib>
#include <functional>
#include <iostream>

#include "core/check.h"
#include "core/progress.h"
#include "core/text.h"
#include "io/corpus/corpus_reader.h"
#include "io/ingest/corpus_source.h"
#include "io/ingest/ingest.h"
#include "io/ingest/lebel_source.h"
#include "jobs/ingest_lebel.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

int run_ingest(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line
  io::IngestOptions options;
  CommonOptions common;
  ArgParser parser(
      "neuroscale ingest",
      "Convert recordings into a neuroscale corpus (docs/corpus-format.md). Sessions\n"
      "are spread over the ranks of an mpirun/srun job. The output is written to a\n"
      "temporary file and renamed when complete; inputs are only read.\n\n"
      "formats:\n"
      "  b2t25   Brain-to-Text '25: <root>/t15.YYYY.MM.DD/data_{train,val,test}.hdf5\n"
      "  b2t24   Brain-to-Text '24: competitionData/{train,test,competitionHoldOut}/t12.*.mat\n"
      "          (test becomes the val split, competitionHoldOut the test split)\n"
      "  nwb     NWB files: /units spike times binned in 20 ms over /intervals/trials\n"
      "          (or windows of the recording); one file per session\n"
      "  lebel   LeBel 2023 fMRI (OpenNeuro ds003020): --input is the dataset root or its\n"
      "          derivative folder; writes an fMRI corpus (docs/fmri-format.md), serially");
  parser.option("--format", &options.format, "FORMAT",
                "source format: " + join(io::source_formats(), ", ") + ", lebel", true);
  parser.option_list("--input", &options.inputs, "PATH", "input files or directories", true);
  parser.option("--output", &options.output, "FILE", "corpus file to write (.h5)", true);
  parser.option("--normalization", &options.normalization, "MODE",
                "none, per_day or per_block z-scoring (statistics from the training split;\n"
                "                          default: b2t25 none, b2t24 per_block, nwb per_day)");
  parser.option("--dtype", &options.dtype, "TYPE", "feature storage: float32 (default) or float16");
  parser.option("--features", &options.features, "LIST",
                "b2t24: variables joined by '+' (tx1..tx4, spikePow; default tx1+spikePow)");
  parser.option("--columns", &options.columns, "A:B",
                "b2t24: columns [A, B) of each variable (default: all; 0:128 = area 6v)");
  parser.option(
      "--lexicon", &options.lexicon, "FILE",
      "b2t24: CMU-dict style pronunciations; each sentence gets its phoneme labels\n"
      "                          (SIL after every word), as the benchmark's g2p made them");
  std::string window;
  parser.option("--task", &options.task, "NAME", "nwb: task of the sessions (default reaching)");
  parser.option("--window", &window, "SECONDS",
                "nwb without a trials table: window length (default 10)");
  io::LebelOptions lebel;
  std::string participants, stories;
  parser.option("--participants", &participants, "LIST",
                "lebel: participants joined by ',' (default: every folder of the derivative)");
  parser.option("--stories", &stories, "LIST",
                "lebel: stories joined by ',' (default: every story of them)");
  parser.option("--test-story", &lebel.test_story, "NAME",
                "lebel: the test split's story (default wheretheressmoke)");
  parser.option("--val-story", &lebel.val_story, "NAME",
                "lebel: the val split's story (default itsabox)");
  parser.option(
      "--derivative", &lebel.derivative, "NAME",
      "lebel: response folder under derivative/ (default preprocessed_data;\n"
      "                          transformed_data_fs_lang for the shared fsaverage space)");
  parser.flag("--force", &options.overwrite, "replace an existing output file");
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale ingest --format b2t25 --input data/hdf5_data_final --output b2t25.h5\n"
      "  mpirun -np 8 neuroscale ingest --format b2t25 --input data/hdf5_data_final --output "
      "b2t25.h5 --dtype float16\n"
      "  neuroscale ingest --format b2t24 --input competitionData --output b2t24.h5 --columns "
      "0:128\n"
      "  neuroscale ingest --format lebel --input ds003020 --output lebel.h5 --participants "
      "UTS01,UTS02,UTS03\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  if (options.format == "lebel") {
    lebel.output = options.output;
    lebel.overwrite = options.overwrite;
    lebel.participants = split_list(participants);
    lebel.stories = split_list(stories);
    return run_ingest_lebel(runtime, lebel, options.inputs);
  }
  NS_CHECK_AS(UsageError, participants.empty() && stories.empty(),
              "neuroscale ingest: --participants and --stories apply to --format lebel only");
  if (!window.empty()) {
    char* end = nullptr;
    options.window_s = std::strtod(window.c_str(), &end);
    NS_CHECK_AS(UsageError, *end == '\0' && options.window_s > 0, "neuroscale ingest: --window '",
                window, "' is not a positive number of seconds");
  }

  // ---- ingest (collective)
  auto& mpi = runtime.mpi();
  Logger& log = runtime.logger();
  log.info("ingesting ", options.format, " from ", join(options.inputs, ", "), " on ", mpi.size(),
           " rank(s)");
  ReportedProgress progress(log, "ingest", "sessions");
  io::ingest_corpus(options, mpi.world(), std::ref(progress));
  const double seconds = progress.finish();

  // ---- summary
  if (mpi.rank() == 0) {
    io::CorpusReader reader(options.output, MPI_COMM_NULL);
    log.info("wrote '", options.output, "' in ", format_duration(seconds));
    std::cout << io::summarize(reader.index(), options.output);
  }
  return 0;
}

}  // namespace neuroscale::jobs
