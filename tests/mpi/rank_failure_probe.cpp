// Probe for mpi_rank_failure_aborts_job_np*: the last rank fails after MPI starts while
// every other rank waits in a barrier that can never complete. The neuroscale failure path
// (report_failure) must print the failing rank's error and abort the whole job.
#include <mpi.h>

#include "core/check.h"
#include "core/sanitizer_defaults.h"
#include "io/mpi/mpi_check.h"
#include "jobs/runtime.h"

int main() {
  using namespace neuroscale;
  jobs::Runtime runtime;
  try {
    auto& mpi = runtime.mpi();
    if (mpi.rank() == mpi.size() - 1) {
      NS_THROW(DataError, "trial 17 of 'probe.h5' is truncated (failure injected by the probe)");
    }
    NS_MPI_CHECK(MPI_Barrier(mpi.world()));  // never completes: the last rank is gone
    return 0;
  } catch (const Error& e) {
    return jobs::report_failure(runtime, e.kind(), e.what(), e.where(),
                                static_cast<int>(e.exit_code()), false);
  }
}
