// The one factory with the backend #if: everything else sees only Communicator.
#include "distributed/communicator.h"

#include "core/check.h"
#include "distributed/mpi/mpi_communicator.h"
#include "distributed/mpi/mpi_context.h"
#include "neuroscale/build_config.h"

#if NEUROSCALE_HAVE_NCCL
#include "distributed/nccl/nccl_communicator.h"
#endif

namespace neuroscale::distributed {

std::unique_ptr<Communicator> make_communicator(MpiContext& mpi, const at::Device& device,
                                                CommunicatorOptions options) {
  if (device.is_cpu()) return std::make_unique<MpiCommunicator>(mpi.world(), options);
  NS_CHECK_AS(CommError, device.is_cuda(), "no communicator for device ", device);
#if NEUROSCALE_HAVE_NCCL
  return std::make_unique<NcclCommunicator>(mpi.world(), device.index() < 0 ? 0 : device.index(),
                                            options);
#else
  NS_THROW(
      CommError, "tensors on ", device,
      " need the NCCL backend, which this build lacks (configure with NEUROSCALE_WITH_NCCL=ON)");
#endif
}

}  // namespace neuroscale::distributed
