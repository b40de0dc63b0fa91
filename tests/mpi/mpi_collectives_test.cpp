// Runs under `mpirun -np 2` and `-np 4` (CTest: mpi_collectives_np*): every rank runs every
// case; a failure on any rank fails the job.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cstdio>

#include "core/check.h"
#include "core/process_info.h"
#include "distributed/mpi/mpi_context.h"
#include "io/corpus/corpus_reader.h"
#include "io/data/loader.h"
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
      ASSERT_EQ(reader.read_trial(expected.trials[i]), expected.features[i])
          << "trial " << expected.trials[i];
    }
  }
}

// Each rank loads only its own micro-batches through MPI-IO; together the ranks see every
// training trial of the epoch exactly once.
TEST(MpiRanks, LoaderShardsAnEpochExactlyOnceAcrossRanks) {
  io::SynthOptions options;
  options.subjects[0].trials_per_session = 21;
  options.subjects[1].trials_per_session = 13;
  const std::string path =
      testing::TempDir() + "neuroscale_mpi_loader_np" + std::to_string(world_size()) + ".h5";
  if (world_rank() == 0) std::remove(path.c_str());
  NS_MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
  io::write_synth_corpus(options, path, MPI_COMM_WORLD, false);
  io::CorpusReader reader(path, MPI_COMM_WORLD);
  io::SamplerOptions sampler_options;
  sampler_options.seed = 3;
  sampler_options.batch_trials = 4;
  io::GlobalSampler sampler(reader.index(), sampler_options);
  std::vector<std::int64_t> mine;
  {
    io::Loader loader(reader, sampler, {}, world_rank(), world_size(), io::LoaderOptions{});
    for (std::int64_t step = 0; step < sampler.steps_per_epoch(world_size()); ++step) {
      auto batch = loader.next();
      if (!batch) continue;
      // The rank's batch is its slot of the global order, read from the file.
      const auto expected = sampler.epoch_batches(0)[step * world_size() + world_rank()];
      ASSERT_EQ(batch->trials, expected.trials);
      ASSERT_EQ(
          batch->features[0].narrow(0, 0, batch->bins[0].item<std::int64_t>()).numel(),
          batch->bins[0].item<std::int64_t>() * reader.index().subjects[batch->subject].n_channels);
      mine.insert(mine.end(), batch->trials.begin(), batch->trials.end());
    }
    EXPECT_EQ(loader.position(), (io::SamplerPosition{0, sampler.batches_per_epoch()}));
  }
  int count = static_cast<int>(mine.size());
  std::vector<int> counts(world_size()), offsets(world_size(), 0);
  NS_MPI_CHECK(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD));
  for (int r = 1; r < world_size(); ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<std::int64_t> all(offsets.back() + counts.back());
  NS_MPI_CHECK(MPI_Allgatherv(mine.data(), count, MPI_INT64_T, all.data(), counts.data(),
                              offsets.data(), MPI_INT64_T, MPI_COMM_WORLD));
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> expected;
  for (std::size_t t = 0; t < reader.index().trial_count(); ++t) {
    if (reader.index().trial_split[t] == 0) expected.push_back(static_cast<std::int64_t>(t));
  }
  EXPECT_EQ(all, expected);  // every training trial exactly once
  for (int r = 0; r < world_size(); ++r) EXPECT_GT(counts[r], 0) << "rank " << r << " read nothing";
}

TEST(MpiRanks, ErrorOnAllRanksIsReportedOnEach) {
  int value = 0;
  EXPECT_THROW(NS_MPI_CHECK(MPI_Bcast(&value, 1, MPI_INT, world_size() + 5, MPI_COMM_WORLD)),
               CommError);
}

}  // namespace
}  // namespace neuroscale
