#include "core/intra_op.h"

#include <ATen/Parallel.h>

#include <mutex>
#include <set>
#include <thread>

namespace neuroscale {

int intra_op_threads_reached(std::int64_t tasks) {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  at::parallel_for(0, tasks, 1, [&](std::int64_t, std::int64_t) {
    const std::lock_guard<std::mutex> lock(mutex);
    threads.insert(std::this_thread::get_id());
  });
  return static_cast<int>(threads.size());
}

}  // namespace neuroscale
