// The in-process backend of the communicator: a group of ranks that are threads of one
// process (as gloo tests its algorithms), so the distributed pieces (reducer, checkpointer,
// ZeRO partition, gather) get fast unit tests beside the real-mpirun ones, and a single
// process can run a multi-rank algorithm without MPI.
//
// Each collective is a rendezvous: a rank's call copies its input into the group's round for
// that collective (the n-th of every rank), waits until every rank has arrived, then computes
// its own result from the copies (sums in rank order, so results are bit-identical across
// ranks) and returns completed Work. The ranks must issue the same collectives in the same
// order, as with every backend; one that issues another kind or size throws CommError naming
// both, and a rank left waiting longer than the options' timeout throws CommError naming the
// ranks that never arrived. CPU tensors (any dtype the reduction supports).
#pragma once

#include <functional>
#include <memory>

#include "distributed/communicator.h"

namespace neuroscale::distributed {

class LocalGroup {
 public:
  // A group of `size` >= 1 ranks.
  explicit LocalGroup(int size);
  ~LocalGroup();
  LocalGroup(const LocalGroup&) = delete;
  LocalGroup& operator=(const LocalGroup&) = delete;

  int size() const;
  // Rank `rank`'s communicator (one per rank; the group must outlive it).
  std::unique_ptr<Communicator> communicator(int rank, CommunicatorOptions options = {});

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Runs `body` on `size` threads, thread r with rank r's communicator of a new group, and
// joins them. Rethrows the first exception a rank threw (by rank), after every thread ended.
void run_local_ranks(int size, const std::function<void(Communicator& comm)>& body,
                     CommunicatorOptions options = {});

}  // namespace neuroscale::distributed
