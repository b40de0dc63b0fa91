// Runs under `mpirun -np 2` and `-np 4` (CTest: mpi_collectives_np*): every rank runs every
// case; a failure on any rank fails the job.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

#include "core/check.h"
#include "core/process_info.h"
#include "distributed/mpi/mpi_context.h"
#include "io/corpus/corpus_reader.h"
#include "io/mpi/mpi_check.h"
#include "io/synth/synth_corpus.h"

namespace neuroscale {
namespace {

int world_rank() {
  int rank = 0;
  NS_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
  return rank;
}
int world_size() {
  int size = 0;
  NS_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size));
  return size;
}

TEST(MpiRanks, RunsOnSeveralRanksWithConsistentIdentity) {
  ASSERT_GE(world_size(), 2) << "run this binary under mpirun -np 2 or more";
  const ProcessInfo process = detect_process();
  EXPECT_EQ(process.rank, world_rank());
  EXPECT_EQ(process.world_size, world_size());
  // All ranks share one host here, so the local rank is the world rank.
  EXPECT_EQ(process.local_rank, world_rank());
  int sum = 0, mine = world_rank() + 1;
  NS_MPI_CHECK(MPI_Allreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  EXPECT_EQ(sum, world_size() * (world_size() + 1) / 2);
}

TEST(MpiRanks, ParallelCorpusWriteIsReadableByEveryRank) {
  io::SynthOptions options;
  options.subjects[0].sessions = 3;  // more sessions than some rank counts: uneven shares
  const std::string path =
      testing::TempDir() + "neuroscale_mpi_corpus_np" + std::to_string(world_size()) + ".h5";
  if (world_rank() == 0) std::remove(path.c_str());
  NS_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
  io::write_synth_corpus(options, path, MPI_COMM_WORLD, false);
  // Every rank reads through MPI-IO; each checks the trials of "its" sessions.
  io::CorpusReader reader(path, MPI_COMM_WORLD);
  io::CorpusContent plan = io::plan_synth_corpus(options);
  ASSERT_EQ(reader.index().trial_count(), plan.index.trial_count());
  for (std::size_t s = world_rank(); s < plan.index.sessions.size(); s += world_size()) {
    io::SessionFeatures expected = io::generate_session(options, plan, s);
    for (std::size_t i = 0; i < expected.trials.size(); ++i) {
      ASSERT_EQ(reader.read_trial(expected.trials[i]), expected.features[i]) << "trial " << expected.trials[i];
    }
  }
}

TEST(MpiRanks, ErrorOnAllRanksIsReportedOnEach) {
  int value = 0;
  EXPECT_THROW(NS_MPI_CHECK(MPI_Bcast(&value, 1, MPI_INT, world_size() + 5, MPI_COMM_WORLD)), CommError);
}

}  // namespace
}  // namespace neuroscale
