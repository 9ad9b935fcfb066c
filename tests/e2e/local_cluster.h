#pragma once

// A cluster of strata-server processes on loopback for end-to-end tests: each process with
// its own port, folder (DIR/i) and zone, one cluster file naming the first few as
// coordinators; the status document and what it says (generation, roles, settled); and the
// ledger of what clients saw commit, with a probe that commits one small write after
// another so that the first commit after a failure is seen at once.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.h"
#include "client/cluster_connection.h"
#include "interfaces/types.h"

namespace strata::testing {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

// Guards against hangs, not performance bounds: CI machines are shared and slow.
constexpr double hang_guard_s = 120;

double seconds_between(Clock::time_point from, Clock::time_point to);

class LocalCluster {
 public:
  // Processes of `classes` (one each), the first `coordinators` of them the coordinators;
  // every process is started with `arguments` too.
  LocalCluster(std::vector<std::string> classes, size_t coordinators,
               std::vector<std::string> arguments = {});
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;
  // Stops the processes; with STRATA_CLUSTER_TEST_KEEP=DIR in the environment, their
  // folders (trace logs in DIR/i/data/logs) are copied to DIR first.
  ~LocalCluster();

  size_t size() const { return ports_.size(); }
  std::string address(size_t index) const;
  std::optional<size_t> index_of(const std::string& address_text) const;
  std::string process_class(size_t index) const { return classes_.at(index); }
  std::string cluster_file() const { return directory_.path() + "/strata.cluster"; }
  ClusterConnectionString connection() const { return cluster_file_at(cluster_file()); }
  std::string folder(size_t index) const { return directory_.path() + "/" + std::to_string(index); }
  bool running(size_t index) const { return processes_.at(index) != nullptr; }
  ChildProcess& process(size_t index) const { return *processes_.at(index); }

  // Starts process `index` (on its folder as it was left) and waits until it listens.
  void start(size_t index);
  // SIGKILL, and waits until the process is gone.
  void kill(size_t index);
  // Reads what the processes printed, so that no pipe fills up and blocks a server, and
  // fails the test when one that should run has exited.
  void drain();

 private:
  TemporaryDirectory directory_;
  std::vector<std::string> classes_;
  std::vector<std::string> arguments_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
};

// ---- the status document ----

uint64_t generation_of(const Json& status);
std::string recovery_state_of(const Json& status);
// The roles the document lists on the process at `address`.
std::vector<std::string> roles_of(const Json& status, const std::string& address);
// The addresses of the processes holding `role`, in address order.
std::vector<std::string> holders_of(const Json& status, const std::string& role);
// The first version of the generations after `epoch`: the versions the logs of the
// oldest of them that the document lists begin after.
std::optional<int64_t> first_version_after_epoch(const Json& status, uint64_t epoch);
// Recovered, available, and every process of `cluster` that runs registered and answering
// (so that the controller counts it for the next recruitment), with every coordinator
// reachable.
bool settled(const Json& status, const LocalCluster& cluster);
// Every shard on `copies` live servers, none of them at `gone` (an address, or empty),
// and nothing moving.
bool fully_replicated_without(const Json& status, const std::string& gone, size_t copies = 2);
// Every shard on `copies` live servers, moving or not: under a load that keeps adding data
// the distributor keeps splitting and balancing, and a move keeps its source team's copies
// until it finishes.
bool every_shard_has_live_copies(const Json& status, size_t copies = 2);
// One request for the status document; nullopt when it failed or took too long.
std::optional<Json> fetch_status(const ClusterConnectionString& connection);

// The status document once `done` holds for it (in `status`), draining the processes'
// output meanwhile; fails the test at the hang guard.
template <class Predicate>
void wait_for_status(LocalCluster& cluster, Predicate done, const std::string& what, Json* status) {
  const Clock::time_point start = Clock::now();
  std::optional<Json> last;
  while (seconds_between(start, Clock::now()) < hang_guard_s) {
    ASSERT_NO_FATAL_FAILURE(cluster.drain());
    std::optional<Json> fetched = fetch_status(cluster.connection());
    if (fetched) last = fetched;
    if (fetched && done(*fetched)) {
      *status = *fetched;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL() << "waited " << hang_guard_s << " s for " << what
         << "; last status: " << (last ? last->dump() : "none");
}

// ---- what the clients saw commit ----

// The transfers the clients saw commit, and when each commit (of a transfer or of the
// probe) was acknowledged.
struct Ledger {
  struct Commit {
    Clock::time_point at;
    Version version;
  };
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::vector<Commit> transfer_commits;
  std::vector<Commit> probe_commits;

  // `version`: the commit's, or nullopt when the transfer was found committed by a retry.
  void record(const std::string& id, std::optional<Version> version);
  void record_probe(Version version);

  // When the first transfer committed at a version above `version` was acknowledged after
  // `since`, and when the first such commit of any kind was.
  struct FirstCommits {
    std::optional<Clock::time_point> transfer;
    std::optional<Clock::time_point> any;
  };
  FirstCommits first_commits(Clock::time_point since, Version version);
};

// The load of a test: `bank_clients` threads of bank transfers (seeds seed, seed + 1, ...;
// transfer ids prefixed with the thread's number) and a commit probe, recording what they
// see commit in `ledger`, until stop() or destruction, however the test ends.
class ClusterLoad {
 public:
  ClusterLoad(ClusterConnectionString connection, int bank_clients, unsigned seed,
              double operation_timeout_s, Ledger* ledger);
  ClusterLoad(const ClusterLoad&) = delete;
  ClusterLoad& operator=(const ClusterLoad&) = delete;
  ~ClusterLoad() { stop(); }
  // Stops the threads and waits for them.
  void stop();

 private:
  ClusterConnectionString connection_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Commits one small write after another until `stop`, each given up after
// probe_timeout_s, so that the first commit after a recovery is seen within about that
// long (a transfer that waits on a dead process may wait for operation_timeout_s).
void probe_until_stopped(ClusterConnectionString connection, std::atomic<bool>* stop,
                         Ledger* ledger);

}  // namespace strata::testing
