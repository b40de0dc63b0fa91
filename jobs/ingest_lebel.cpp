// `neuroscale ingest --format lebel`: the LeBel 2023 fMRI dataset into an fMRI corpus.
#include "jobs/ingest_lebel.h"

#include <functional>
#include <iostream>

#include "core/check.h"
#include "core/progress.h"
#include "core/text.h"
#include "io/fmri/fmri_reader.h"
#include "io/mpi/mpi_check.h"

namespace neuroscale::jobs {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string item;
  for (char c : text + ",") {
    if (c != ',') {
      item += c;
    } else if (!item.empty()) {
      items.push_back(item);
      item.clear();
    }
  }
  return items;
}

int run_ingest_lebel(Runtime& runtime, io::LebelOptions options,
                     const std::vector<std::string>& inputs) {
  NS_CHECK_AS(UsageError, inputs.size() == 1,
              "neuroscale ingest --format lebel: --input takes one path (the ",
              "ds003020 root or its derivative folder), got ", inputs.size());
  options.input = inputs[0];
  auto& mpi = runtime.mpi();
  Logger& log = runtime.logger();
  if (mpi.rank() == 0) {
    log.info("ingesting lebel (", options.derivative, ") from ", options.input,
             mpi.size() > 1 ? " on rank 0 (serial)" : "");
    ReportedProgress progress(log, "ingest", "stories+files");
    io::ingest_lebel(options, std::ref(progress));
    const double seconds = progress.finish();
    log.info("wrote '", options.output, "' in ", format_duration(seconds));
    std::cout << io::summarize(io::FmriReader(options.output).index());
  }
  NS_MPI_CHECK(MPI_Barrier(mpi.world()));
  return 0;
}

}  // namespace neuroscale::jobs
