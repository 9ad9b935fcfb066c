#pragma once

// The peers strata-bench compares Strata with: PostgreSQL (libpq), etcd (its gRPC KV API)
// and Redis (hiredis). Their clients block, so each session is one connection used by one
// thread (peer_runner.cpp), and a run has connections x in-flight of them.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "interfaces/types.h"
#include "tools/bench/bench_options.h"
#include "tools/bench/timings.h"
#include "tools/bench/workload.h"

namespace strata::bench {

// A peer that cannot be reached or answers with an error; the message says which and why.
class PeerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class PeerSession {
 public:
  virtual ~PeerSession() = default;

  // Creates what the peer needs before loading (PostgreSQL's table); once per run.
  virtual void prepare() {}
  virtual void load(const std::vector<KeyValue>& rows) = 0;
  // Runs the transaction once: true when it committed, false when it conflicted and must
  // run again. With `measured`, adds its reads and commit to `timings`.
  virtual bool run(const TransactionPlan& plan, bool measured, Timings& timings) = 0;
};

// A new connection to the peer the options name. Throws PeerError if the peer cannot be
// reached, or if this strata-bench was built without its client library.
std::unique_ptr<PeerSession> connect_peer(const BenchOptions& options);

// Whether the peer can run the workload (Redis has no ordered range reads).
bool peer_supports(const BenchOptions& options, const Workload& workload);

// The peers' sessions, defined where their client libraries are.
std::unique_ptr<PeerSession> connect_postgres(const BenchOptions& options);
std::unique_ptr<PeerSession> connect_etcd(const BenchOptions& options);
std::unique_ptr<PeerSession> connect_redis(const BenchOptions& options);

// Loads, warms up, measures and reports, like run_strata; the exit status.
int run_peer(const BenchOptions& options, Workload& workload);

// Host and port of "host:port"; throws PeerError naming `what` otherwise.
std::pair<std::string, int> split_host_port(const std::string& address, const std::string& what);

}  // namespace strata::bench
