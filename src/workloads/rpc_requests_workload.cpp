// rpc_requests: processes that serve echo requests and send them to each other (and a
// tester that sends to all of them), while other workloads clog, partition, drop
// connections and kill. Invariants:
//   - every request ends, within a bound, in its own correct reply or in one of the
//     transport's retryable errors; none hangs;
//   - requests are only abandoned when the process that sent them dies;
//   - once the faults stop, every process answers again.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "interfaces/echo_interface.h"
#include "rpc/request_stream.h"
#include "rpc/transport.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "workloads/echo_service.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class RpcRequestsWorkload final : public Workload {
 public:
  explicit RpcRequestsWorkload(Options& options)
      : process_count_(options.get_int("processes", 5)),
        clients_per_process_(options.get_int("clients_per_process", 2)),
        tester_clients_(options.get_int("tester_clients", 4)),
        payload_bytes_max_(options.get_int("payload_bytes_max", 2000)),
        reply_delay_max_s_(options.get_double("reply_delay_max_s", 1.0)),
        request_interval_s_(options.get_double("request_interval_s", 0.05)),
        hang_bound_s_(options.get_double("hang_bound_s", 40.0)),
        replies_min_(options.get_int("replies_min", 100)) {}

  std::string name() const override { return "rpc_requests"; }

  Future<Void> setup(WorkloadContext& context) override {
    for (int64_t i = 0; i < process_count_; ++i) {
      std::string id = "rpc" + std::to_string(i);
      sim::SimMachine& machine = context.simulator().add_machine(id, "zone-" + id);
      sim::SimProcess& process = context.simulator().add_process(machine, id, 4500, "/data/" + id,
                                                                 [this] { return peer_main(); });
      targets_.push_back(process.address);
    }
    return ready();
  }

  Future<Void> start(WorkloadContext& context) override {
    end_time_ = now() + context.duration_s();
    std::vector<Future<Void>> clients;
    for (int64_t i = 0; i < tester_clients_; ++i)
      clients.push_back(client_loop());
    Future<Void> watchdog = watch_for_hangs(&context);
    co_await when_all(std::move(clients));
  }

  Future<Void> check(WorkloadContext& context) override {
    if (!outstanding_.empty()) {
      const auto& [id, record] = *outstanding_.begin();
      context.fail(name(), std::to_string(outstanding_.size()) +
                               " requests never ended, the first (request " + std::to_string(id) +
                               ") sent at " + std::to_string(record) + " s");
    }
    uint64_t ended = replied_ + abandoned_;
    for (const auto& [error, count] : errors_)
      ended += count;
    if (ended != issued_) {
      context.fail(name(), "issued " + std::to_string(issued_) + " requests but " +
                               std::to_string(ended) + " ended");
    }
    if (replied_ < static_cast<uint64_t>(replies_min_)) {
      context.fail(name(), "only " + std::to_string(replied_) + " requests were answered");
    }
    // Liveness: with the faults over, every process answers.
    for (NetworkAddress target : targets_) {
      bool answered = false;
      for (int attempt = 0; attempt < 30 && !answered; ++attempt) {
        try {
          EchoReply reply = co_await echo_at(target).get_reply(EchoRequest{0, "alive?", 0, {}});
          answered = reply.payload == "alive?";
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
        }
        if (!answered) co_await delay(1.0);
      }
      if (!answered) {
        context.fail(name(), target.to_string() + " does not answer after the faults stopped");
      }
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    std::vector<std::pair<std::string, std::string>> out = {
        {"issued", std::to_string(issued_)},
        {"replied", std::to_string(replied_)},
        {"abandoned_by_kill", std::to_string(abandoned_)},
        {"longest_request_s", std::to_string(longest_s_)},
    };
    for (const auto& [error, count] : errors_)
      out.emplace_back("error." + error, std::to_string(count));
    return out;
  }

 private:
  // Tracks one request from issue to end, in the workload's ledger.
  class RequestRecord {
   public:
    RequestRecord(RpcRequestsWorkload& workload, uint64_t id)
        : workload_(workload), id_(id), started_(now()) {
      ++workload_.issued_;
      workload_.outstanding_[id_] = started_;
    }
    RequestRecord(const RequestRecord&) = delete;
    RequestRecord& operator=(const RequestRecord&) = delete;
    ~RequestRecord() {
      // Still open here: the actor was cancelled because its process died.
      if (!ended_) end();
      if (!counted_) ++workload_.abandoned_;
    }
    void replied() {
      end();
      counted_ = true;
      ++workload_.replied_;
    }
    void failed(const Error& error) {
      end();
      counted_ = true;
      ++workload_.errors_[std::string(error.name())];
    }

   private:
    void end() {
      ended_ = true;
      workload_.outstanding_.erase(id_);
      workload_.longest_s_ = std::max(workload_.longest_s_, now() - started_);
    }

    RpcRequestsWorkload& workload_;
    uint64_t id_;
    double started_;
    bool ended_ = false;
    bool counted_ = false;
  };

  static RequestStream<EchoRequest> echo_at(NetworkAddress address) {
    return RequestStream<EchoRequest>(Endpoint{address, well_known::test_echo});
  }

  static bool is_expected_failure(const Error& error) {
    return error.is(ErrorCode::request_maybe_delivered) || error.is(ErrorCode::connection_failed) ||
           error.is(ErrorCode::broken_promise);
  }

  Future<Void> peer_main() {
    Transport::install(env().process().identity().address).listen();
    ActorCollection actors;
    actors.add(serve_echo_requests());
    for (int64_t i = 0; i < clients_per_process_; ++i)
      actors.add(client_loop());
    co_await actors.result();
  }

  Future<Void> client_loop() {
    Random& random = env().random();
    while (now() < end_time_) {
      co_await delay(random.exponential(request_interval_s_));
      NetworkAddress target = random.pick(targets_);
      uint64_t id = ++next_id_;
      std::string payload =
          random.bytes(static_cast<size_t>(random.uniform(0, payload_bytes_max_ + 1)));
      double reply_delay_s = random.chance(0.2) ? random.uniform_real(0, reply_delay_max_s_) : 0;
      RequestRecord record(*this, id);
      TraceEvent(Severity::debug, "EchoRequestSent").detail("Request", id).detail("Target", target);
      try {
        EchoReply reply =
            co_await echo_at(target).get_reply(EchoRequest{id, payload, reply_delay_s, {}});
        if (reply.id != id || reply.payload != payload) {
          sim::simulator().fail(name() + ": request " + std::to_string(id) + " to " +
                                target.to_string() + " got someone else's reply");
        }
        record.replied();
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        if (!is_expected_failure(error)) {
          sim::simulator().fail(name() + ": request " + std::to_string(id) + " to " +
                                target.to_string() + " failed unexpectedly: " + error.message());
        }
        record.failed(error);
      }
    }
  }

  Future<Void> watch_for_hangs(WorkloadContext* context) {
    while (true) {
      co_await delay(1.0);
      for (const auto& [id, started] : outstanding_) {
        if (now() - started > hang_bound_s_ && reported_hangs_.insert(id).second) {
          context->fail(name(), "request " + std::to_string(id) + " has waited " +
                                    std::to_string(now() - started) + " s");
        }
      }
    }
  }

  const int64_t process_count_;
  const int64_t clients_per_process_;
  const int64_t tester_clients_;
  const int64_t payload_bytes_max_;
  const double reply_delay_max_s_;
  const double request_interval_s_;
  const double hang_bound_s_;
  const int64_t replies_min_;

  std::vector<NetworkAddress> targets_;
  double end_time_ = 1e300;
  uint64_t next_id_ = 0;
  uint64_t issued_ = 0;
  uint64_t replied_ = 0;
  uint64_t abandoned_ = 0;
  double longest_s_ = 0;
  std::map<std::string, uint64_t> errors_;
  std::map<uint64_t, double> outstanding_;
  std::set<uint64_t> reported_hangs_;
};

}  // namespace

std::unique_ptr<Workload> make_rpc_requests_workload(Options& options) {
  return std::make_unique<RpcRequestsWorkload>(options);
}

}  // namespace strata
