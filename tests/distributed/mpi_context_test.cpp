#include <gtest/gtest.h>
#include <mpi.h>

#include "core/check.h"
#include "core/process_info.h"
#include "distributed/mpi/mpi_context.h"
#include "io/mpi/mpi_check.h"

namespace neuroscale::distributed {
namespace {

TEST(MpiContext, LauncherEnvironmentMatchesMpi) {
  int rank = -1, size = -1;
  NS_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
  NS_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size));
  const ProcessInfo process = detect_process();
  EXPECT_EQ(process.rank, rank);
  EXPECT_EQ(process.world_size, size);
  EXPECT_FALSE(process.host.empty());
}

TEST(MpiContext, FailedCallBecomesCommErrorWithMpiMessage) {
  int value = 0;
  try {
    NS_MPI_CHECK(MPI_Bcast(&value, 1, MPI_INT, /*root=*/12345, MPI_COMM_WORLD));
    FAIL() << "invalid root accepted";
  } catch (const CommError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("MPI_Bcast(&value, 1, MPI_INT, 12345, MPI_COMM_WORLD) failed: "),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("MPI_ERR_ROOT"), std::string::npos) << message;
    EXPECT_NE(message.find("rank "), std::string::npos) << message;
  }
}

TEST(MpiContext, LibraryVersionNamesOpenMpi) {
  EXPECT_NE(mpi_library_version().find("Open MPI"), std::string::npos) << mpi_library_version();
}

}  // namespace
}  // namespace neuroscale::distributed
