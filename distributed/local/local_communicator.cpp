#include "distributed/local/local_communicator.h"

#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/check.h"

namespace neuroscale::distributed {

// One collective of the group: what the first rank to arrive issued, and every rank's input.
struct Round {
  std::string kind;           ///< "allreduce", ...
  std::int64_t elements = 0;  ///< of each rank's input
  int first = -1;             ///< the rank that opened the round
  std::vector<at::Tensor> inputs;
  std::vector<char> present;  ///< by rank
  int arrived = 0, left = 0;
};

struct LocalGroup::State {
  int size = 0;
  std::mutex mutex;
  std::condition_variable arrival;
  std::map<std::int64_t, Round> rounds;  ///< by sequence number
};

namespace {

class DoneWork : public Work {
 public:
  void wait(std::chrono::milliseconds) override {}
  bool completed() override { return true; }
};

class LocalCommunicator : public Communicator {
 public:
  LocalCommunicator(std::shared_ptr<LocalGroup::State> state, int rank, CommunicatorOptions options)
      : Communicator(std::move(options)), state_(std::move(state)), rank_(rank) {}

  int rank() const override { return rank_; }
  int size() const override { return state_->size; }
  std::string backend() const override { return "local"; }

  std::shared_ptr<Work> allreduce(at::Tensor tensor, ReduceOp op) override {
    const auto inputs = meet("allreduce", tensor);
    auto sum = reduce(inputs);
    if (op == ReduceOp::kAvg) sum.div_(size());
    tensor.copy_(sum);
    return done();
  }

  std::shared_ptr<Work> reduce_scatter(at::Tensor input, at::Tensor output, ReduceOp op) override {
    NS_CHECK_AS(
        UsageError,
        input.numel() == output.numel() * size() && input.scalar_type() == output.scalar_type(),
        "reduce_scatter: input must hold ", size(), " blocks of the output's ", output.numel(),
        " elements and dtype, got ", input.numel(), " elements");
    const auto inputs = meet("reduce_scatter", input);
    auto sum = reduce(inputs);
    if (op == ReduceOp::kAvg) sum.div_(size());
    output.copy_(sum.view({size(), -1})[rank_].view(output.sizes()));
    return done();
  }

  std::shared_ptr<Work> allgather(at::Tensor input, at::Tensor output) override {
    NS_CHECK_AS(
        UsageError,
        output.numel() == input.numel() * size() && input.scalar_type() == output.scalar_type(),
        "allgather: output must hold ", size(), " blocks of the input's ", input.numel(),
        " elements and dtype, got ", output.numel(), " elements");
    const auto inputs = meet("allgather", input);
    std::vector<at::Tensor> flat;
    for (const auto& block : inputs) flat.push_back(block.reshape({-1}));
    output.copy_(at::cat(flat).view(output.sizes()));
    return done();
  }

  std::shared_ptr<Work> broadcast(at::Tensor tensor, int root) override {
    NS_CHECK_AS(UsageError, root >= 0 && root < size(), "broadcast: root ", root,
                " is not a rank of ", size());
    const auto inputs = meet("broadcast from rank " + std::to_string(root), tensor);
    tensor.copy_(inputs[static_cast<std::size_t>(root)]);
    return done();
  }

  void barrier() override { meet("barrier", at::Tensor()); }

 private:
  static std::shared_ptr<Work> done() { return std::make_shared<DoneWork>(); }

  // Every rank's input in rank order, tensors unchanged until this returns: copies.
  static at::Tensor reduce(const std::vector<at::Tensor>& inputs) {
    auto sum = inputs.front().clone();
    for (std::size_t r = 1; r < inputs.size(); ++r) sum.add_(inputs[r]);
    return sum;
  }

  // The rendezvous of this rank's next collective: deposits a copy of `input`, waits for
  // every rank, and returns every rank's copy.
  std::vector<at::Tensor> meet(const std::string& kind, const at::Tensor& input) {
    NS_CHECK_AS(UsageError, !input.defined() || input.device().is_cpu(), kind,
                ": the local backend takes CPU tensors, got one on ", input.device());
    const auto [name, args] = take_trace_label(kind.c_str());
    TraceSpan span(options_.tracer.get(), name.c_str(), "comm");
    if (options_.tracer && !args.empty()) span.set_args(args);
    const std::int64_t sequence = next_++;
    const std::int64_t elements = input.defined() ? input.numel() : 0;
    auto& state = *state_;
    std::unique_lock<std::mutex> lock(state.mutex);
    auto& round = state.rounds[sequence];
    if (round.first < 0) {
      round.kind = kind;
      round.elements = elements;
      round.first = rank_;
      round.inputs.resize(static_cast<std::size_t>(state.size));
      round.present.resize(static_cast<std::size_t>(state.size), 0);
    } else {
      NS_CHECK_AS(CommError, round.kind == kind && round.elements == elements, "collective #",
                  sequence, ": rank ", rank_, " issued ", kind, " of ", elements,
                  " elements where rank ", round.first, " issued ", round.kind, " of ",
                  round.elements, " (every rank must issue the same collectives in order)");
    }
    round.inputs[static_cast<std::size_t>(rank_)] = input.defined() ? input.clone() : at::Tensor();
    round.present[static_cast<std::size_t>(rank_)] = 1;
    ++round.arrived;
    state.arrival.notify_all();
    const bool all =
        state.arrival.wait_for(lock, options_.timeout, [&] { return round.arrived == state.size; });
    if (!all) {
      std::string missing;
      for (int r = 0; r < state.size; ++r) {
        if (!round.present[static_cast<std::size_t>(r)]) {
          missing += (missing.empty() ? "" : ", ") + std::to_string(r);
        }
      }
      NS_THROW(CommError, kind, " (collective #", sequence, ") on rank ", rank_,
               " timed out after ", options_.timeout.count(), " ms: ", state.size - round.arrived,
               " of ", state.size, " ranks never arrived (ranks ", missing, ")");
    }
    auto inputs = round.inputs;
    if (++round.left == state.size) state.rounds.erase(sequence);
    return inputs;
  }

  std::shared_ptr<LocalGroup::State> state_;
  int rank_;
  std::int64_t next_ = 0;
};

}  // namespace

LocalGroup::LocalGroup(int size) : state_(std::make_shared<State>()) {
  NS_CHECK_AS(UsageError, size >= 1, "a local group needs at least one rank, got ", size);
  state_->size = size;
}

LocalGroup::~LocalGroup() = default;

int LocalGroup::size() const { return state_->size; }

std::unique_ptr<Communicator> LocalGroup::communicator(int rank, CommunicatorOptions options) {
  NS_CHECK_AS(UsageError, rank >= 0 && rank < state_->size, "rank ", rank,
              " is not a rank of a group of ", state_->size);
  return std::make_unique<LocalCommunicator>(state_, rank, std::move(options));
}

void run_local_ranks(int size, const std::function<void(Communicator& comm)>& body,
                     CommunicatorOptions options) {
  LocalGroup group(size);
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(size));
  std::vector<std::thread> threads;
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&, r] {
      try {
        auto comm = group.communicator(r, options);
        body(*comm);
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace neuroscale::distributed
