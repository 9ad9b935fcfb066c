// Kill -9 in a cluster: five strata-server processes on loopback, the first three of them
// coordinators (classes stateless, log, log, storage, storage), bank transfers from client
// threads, and one after the other a SIGKILL of the processes holding the cluster
// controller and the sequencer, of a coordinator, and of the commit proxies' process.
// After each kill the cluster must commit again without the killed process (in a new
// generation when the process held a role of the current one) before that process starts
// again, so that a majority of the coordinators is always up. At the end every transfer a
// client saw commit is there and the money adds up. Storage processes are never killed:
// each shard has one copy until replication exists.
//
// The recovery times (from the kill to the first acknowledged commit of the new
// generation) are printed, as `[ recovery ]` lines. Waits are bounded only by hang guards.
// STRATA_CLUSTER_TEST_KEEP=DIR keeps the processes' folders (and trace logs) in DIR.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include "bank_accounts.h"
#include "child_process.h"
#include "client/database_context.h"
#include "client_thread.h"
#include "runtime/combinators.h"
#include "strata/database.h"

namespace strata {
namespace {

using testing::BankState;
using testing::ChildProcess;
using testing::run_client;
using testing::TemporaryDirectory;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

// Guards against hangs, not performance bounds: CI machines are shared and slow.
constexpr double hang_guard_s = 120;
// How long one client operation may take before the transfer is given up.
constexpr double operation_timeout_s = 1.0;
// How long one commit of the probe may take before the next one starts.
constexpr double probe_timeout_s = 0.2;
// How long one request for the status document may take before it is asked again.
constexpr double status_timeout_s = 10.0;
constexpr int client_threads = 3;
constexpr size_t coordinators = 3;
constexpr std::array<std::string_view, 5> process_classes = {"stateless", "log", "log", "storage",
                                                             "storage"};

// Whether the death of a process holding `role` ends the generation.
bool ends_generation(std::string_view role) {
  constexpr std::array<std::string_view, 6> roles = {
      "cluster_controller", "sequencer", "commit_proxy", "grv_proxy", "resolver", "log"};
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// ---- the processes ----

// Five strata-server processes sharing one cluster file that names the first three as
// coordinators; process i has its own folder (DIR/i) and zone.
class LocalCluster {
 public:
  LocalCluster() {
    std::set<int> ports;
    while (ports.size() < process_classes.size())
      ports.insert(testing::free_loopback_port());
    ports_.assign(ports.begin(), ports.end());
    std::string addresses;
    for (size_t i = 0; i < coordinators; ++i)
      addresses += (i == 0 ? "" : ",") + address(i);
    std::mt19937_64 random{std::random_device{}()};
    char id[17];
    std::snprintf(id, sizeof(id), "%016llx", static_cast<unsigned long long>(random()));
    std::ofstream(cluster_file()) << "cluster:" << id << "@" << addresses << "\n";
    processes_.resize(process_classes.size());
  }

  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;
  // Stops the processes; with STRATA_CLUSTER_TEST_KEEP=DIR in the environment, their
  // folders (trace logs in DIR/i/data/logs) are copied to DIR first.
  ~LocalCluster() {
    for (std::unique_ptr<ChildProcess>& process : processes_)
      process.reset();
    if (const char* keep = std::getenv("STRATA_CLUSTER_TEST_KEEP")) {
      std::error_code error;
      std::filesystem::copy(directory_.path(), keep, std::filesystem::copy_options::recursive,
                            error);
      std::printf("[ cluster  ] folders copied to %s%s\n", keep,
                  error ? (": " + error.message()).c_str() : "");
    }
  }

  size_t size() const { return ports_.size(); }
  std::string address(size_t index) const {
    return "127.0.0.1:" + std::to_string(ports_.at(index));
  }
  std::optional<size_t> index_of(const std::string& address_text) const {
    for (size_t i = 0; i < size(); ++i) {
      if (address(i) == address_text) return i;
    }
    return std::nullopt;
  }
  std::string process_class(size_t index) const { return std::string(process_classes.at(index)); }
  std::string cluster_file() const { return directory_.path() + "/strata.cluster"; }
  ClusterConnectionString connection() const { return testing::cluster_file_at(cluster_file()); }
  std::string folder(size_t index) const { return directory_.path() + "/" + std::to_string(index); }
  bool running(size_t index) const { return processes_.at(index) != nullptr; }
  const ChildProcess& process(size_t index) const { return *processes_.at(index); }

  // Starts process `index` (on its folder as it was left) and waits until it listens.
  void start(size_t index) {
    ASSERT_FALSE(running(index)) << address(index) << " runs already";
    std::filesystem::create_directories(folder(index));
    std::vector<std::string> arguments = {"--listen",       address(index),
                                          "--data",         folder(index) + "/data",
                                          "--cluster-file", cluster_file(),
                                          "--class",        process_class(index),
                                          "--zone",         "zone-" + std::to_string(index)};
    processes_[index] =
        std::make_unique<ChildProcess>(STRATA_SERVER_PATH, arguments, folder(index));
    ASSERT_TRUE(processes_[index]->wait_for_line("listening on", hang_guard_s))
        << processes_[index]->transcript();
  }

  // SIGKILL, and waits until the process is gone.
  void kill(size_t index) {
    ASSERT_TRUE(running(index)) << address(index) << " does not run";
    processes_[index]->send_signal(SIGKILL);
    EXPECT_EQ(processes_[index]->wait(hang_guard_s), 128 + SIGKILL)
        << processes_[index]->transcript();
    processes_[index].reset();
  }

  // Reads what the processes printed, so that no pipe fills up and blocks a server, and
  // fails the test when one that should run has exited.
  void drain() {
    for (size_t i = 0; i < processes_.size(); ++i) {
      if (!processes_[i]) continue;
      while (processes_[i]->read_line(0.001)) {
      }
      std::optional<int> status = processes_[i]->wait(0);
      ASSERT_FALSE(status) << address(i) << " exited with status " << *status
                           << "; see its trace logs. Output:\n"
                           << processes_[i]->transcript();
    }
  }

 private:
  TemporaryDirectory directory_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
};

// ---- the status document ----

uint64_t generation_of(const Json& status) {
  return status["cluster"].value("generation", uint64_t{0});
}

std::string recovery_state_of(const Json& status) {
  return status["cluster"]["recovery_state"].value("name", std::string());
}

// The roles the document lists on the process at `address`.
std::vector<std::string> roles_of(const Json& status, const std::string& address) {
  std::vector<std::string> roles;
  const Json& processes = status["cluster"]["processes"];
  if (!processes.contains(address)) return roles;
  for (const Json& role : processes[address]["roles"])
    roles.push_back(role.value("role", std::string()));
  return roles;
}

// The addresses of the processes holding `role`, in address order.
std::vector<std::string> holders_of(const Json& status, const std::string& role) {
  std::vector<std::string> holders;
  for (const auto& [address, process] : status["cluster"]["processes"].items()) {
    std::vector<std::string> roles = roles_of(status, address);
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) holders.push_back(address);
  }
  return holders;
}

// The first version of the generations after `epoch`: the versions the logs of the
// oldest of them that the document lists begin after.
std::optional<int64_t> first_version_after_epoch(const Json& status, uint64_t epoch) {
  std::optional<int64_t> begin;
  for (const Json& generation : status["cluster"]["logs"]) {
    if (generation.value("epoch", uint64_t{0}) <= epoch) continue;
    int64_t version = generation.value("begin_version", int64_t{-1});
    if (!begin || version < *begin) begin = version;
  }
  return begin;
}

// Recovered, available, and every process of `cluster` that runs registered and answering
// (so that the controller counts it for the next recruitment), with every coordinator
// reachable.
bool settled(const Json& status, const LocalCluster& cluster) {
  if (recovery_state_of(status) != "fully_recovered") return false;
  if (!status["cluster"].value("database_available", false)) return false;
  for (const Json& coordinator : status["client"]["coordinators"]["coordinators"]) {
    if (!coordinator.value("reachable", false)) return false;
  }
  const Json& processes = status["cluster"]["processes"];
  for (size_t i = 0; i < cluster.size(); ++i) {
    if (!cluster.running(i)) continue;
    if (!processes.contains(cluster.address(i))) return false;
    const Json& process = processes[cluster.address(i)];
    if (!process.contains("worker_id") || !process.value("reachable", false)) return false;
  }
  return true;
}

// One request for the status document; nullopt when it failed or took too long.
std::optional<Json> fetch_status(const ClusterConnectionString& connection) {
  std::optional<std::string> text;
  run_client([&]() -> Future<Void> {
    Database database = Database::open(connection);
    try {
      text = co_await timeout_error(database.context()->cluster_status(), status_timeout_s);
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
  });
  if (!text) return std::nullopt;
  Json status = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!status.is_object()) return std::nullopt;
  return status;
}

// ---- the bank ----

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
  void record(const std::string& id, std::optional<Version> version) {
    Clock::time_point at = Clock::now();
    std::lock_guard<std::mutex> lock(mutex);
    acknowledged.insert(id);
    if (version) transfer_commits.push_back({at, *version});
  }

  void record_probe(Version version) {
    Clock::time_point at = Clock::now();
    std::lock_guard<std::mutex> lock(mutex);
    probe_commits.push_back({at, version});
  }

  // When the first transfer committed at a version above `version` was acknowledged after
  // `since`, and when the first such commit of any kind was.
  struct FirstCommits {
    std::optional<Clock::time_point> transfer;
    std::optional<Clock::time_point> any;
  };
  FirstCommits first_commits(Clock::time_point since, Version version) {
    auto first = [&](const std::vector<Commit>& commits) {
      std::optional<Clock::time_point> found;
      for (const Commit& commit : commits) {
        if (commit.at <= since || commit.version <= version) continue;
        if (!found || commit.at < *found) found = commit.at;
      }
      return found;
    };
    std::lock_guard<std::mutex> lock(mutex);
    FirstCommits firsts{first(transfer_commits), first(probe_commits)};
    if (firsts.transfer && (!firsts.any || *firsts.transfer < *firsts.any)) {
      firsts.any = firsts.transfer;
    }
    return firsts;
  }
};

// Commits one small write after another until `stop`, each given up after
// probe_timeout_s, so that the first commit after a recovery is seen within about that
// long (a transfer that waits on a dead process may wait for operation_timeout_s).
void probe_until_stopped(ClusterConnectionString connection, std::atomic<bool>* stop,
                         Ledger* ledger) {
  run_client([&]() -> Future<Void> {
    Database database = Database::open(connection);
    for (int64_t sequence = 0; !stop->load(); ++sequence) {
      Transaction tr = database.create_transaction();
      tr.set("probe", std::to_string(sequence));
      bool committed = false;
      try {
        co_await timeout_error(tr.commit(), probe_timeout_s);
        committed = true;
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
      }
      if (committed) {
        ledger->record_probe(tr.committed_version());
      } else {
        co_await delay(0.002);  // no busy loop on errors that come at once
      }
    }
  });
}

// ---- the test ----

struct Recovery {
  std::string step;
  std::string address;
  std::string roles;
  double seconds = 0;
  // The controller's own figure: from the failure it answered to the first durable commit.
  double controller_seconds = 0;
};

class ClusterTest : public ::testing::Test {
 protected:
  // The status document once `done` holds for it; fails the test at the hang guard.
  template <class Predicate>
  void wait_for_status(Predicate done, const std::string& what, Json* status) {
    const Clock::time_point start = Clock::now();
    std::optional<Json> last;
    while (seconds_between(start, Clock::now()) < hang_guard_s) {
      ASSERT_NO_FATAL_FAILURE(cluster_.drain());
      std::optional<Json> fetched = fetch_status(cluster_.connection());
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

  void wait_settled(Json* status) {
    wait_for_status([&](const Json& s) { return settled(s, cluster_); },
                    "every process to be registered and the cluster fully recovered", status);
  }

  // Waits until a transfer commits after `since` at a version above `version`; `at`: when
  // the first commit of any kind there was acknowledged.
  void wait_for_commit(Clock::time_point since, Version version, Clock::time_point* at) {
    const Clock::time_point start = Clock::now();
    while (seconds_between(start, Clock::now()) < hang_guard_s) {
      ASSERT_NO_FATAL_FAILURE(cluster_.drain());
      Ledger::FirstCommits firsts = ledger_.first_commits(since, version);
      if (firsts.transfer) {
        *at = *firsts.any;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "no transfer committed above version " << version << " within " << hang_guard_s
           << " s";
  }

  void kill_and_recover(size_t victim, const std::string& step, Json* status);
  void check_bank();

  LocalCluster cluster_;
  Ledger ledger_;
  std::vector<Recovery> recoveries_;
};

// Kills `victim`, waits until a transfer commits without it (in a new generation when it
// held a role of the current one), then starts it again and waits until the cluster has
// settled. `status`: the settled document before, and after.
void ClusterTest::kill_and_recover(size_t victim, const std::string& step, Json* status) {
  const std::string address = cluster_.address(victim);
  const std::vector<std::string> roles = roles_of(*status, address);
  std::string role_list;
  bool generation_ends = false;
  for (const std::string& role : roles) {
    role_list += (role_list.empty() ? "" : ",") + role;
    generation_ends = generation_ends || ends_generation(role);
    ASSERT_NE(role, "storage") << step << ": " << address << " holds a storage server";
  }
  ASSERT_NE(cluster_.process_class(victim), "storage") << step << ": " << address;
  const uint64_t generation = generation_of(*status);

  const Clock::time_point killed_at = Clock::now();
  const double killed_at_unix_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_NO_FATAL_FAILURE(cluster_.kill(victim));
  // Commits of the new generation are above the versions its logs begin after; with no new
  // generation, any commit after the kill shows the cluster serves.
  Version above = -1;
  Json recovered;
  if (generation_ends) {
    ASSERT_NO_FATAL_FAILURE(wait_for_status(
        [&](const Json& s) {
          std::string state = recovery_state_of(s);
          return generation_of(s) > generation &&
                 (state == "accepting_commits" || state == "fully_recovered") &&
                 first_version_after_epoch(s, generation).has_value();
        },
        "a generation after " + std::to_string(generation) + " once " + address + " was killed",
        &recovered));
    above = *first_version_after_epoch(recovered, generation);
  }
  Clock::time_point committed;
  ASSERT_NO_FATAL_FAILURE(wait_for_commit(killed_at, above, &committed));
  EXPECT_FALSE(cluster_.running(victim));

  Recovery recovery{step, address, role_list, seconds_between(killed_at, committed), 0};
  ASSERT_NO_FATAL_FAILURE(cluster_.start(victim));
  ASSERT_NO_FATAL_FAILURE(wait_settled(status));
  recovery.controller_seconds =
      (*status)["cluster"]["recovery_state"].value("last_recovery_duration_seconds", 0.0);
  std::printf(
      "[ recovery ] %-18s killed %s (%s) at %.3f: generation %llu -> %llu, first "
      "commit %.3f s after the kill (controller: %.3f s)\n",
      step.c_str(), address.c_str(), role_list.c_str(), killed_at_unix_s,
      static_cast<unsigned long long>(generation),
      static_cast<unsigned long long>(generation_of(*status)), recovery.seconds,
      recovery.controller_seconds);
  std::fflush(stdout);
  recoveries_.push_back(recovery);
}

// Every acknowledged transfer is there, the balances agree with the transfer records, and
// the money adds up.
void ClusterTest::check_bank() {
  BankState state = testing::read_bank(cluster_.connection(), hang_guard_s);
  std::lock_guard<std::mutex> lock(ledger_.mutex);
  EXPECT_GT(ledger_.acknowledged.size(), 0u) << "no transfer ever committed";
  size_t lost = testing::check_bank(state, ledger_.acknowledged, "at the end");
  std::printf("[ bank     ] %zu transfers acknowledged, %zu recorded, %zu lost\n",
              ledger_.acknowledged.size(), state.transfers.size(), lost);
}

// The coordinator to kill: not a storage process and not the controller's, preferably one
// holding a role of the current generation (its loss then needs a recovery too).
std::optional<size_t> coordinator_to_kill(const Json& status, const LocalCluster& cluster) {
  std::vector<std::string> controllers = holders_of(status, "cluster_controller");
  std::optional<size_t> chosen;
  for (const Json& entry : status["cluster"]["coordinators"]) {
    std::optional<size_t> index = cluster.index_of(entry.get<std::string>());
    if (!index || cluster.process_class(*index) == "storage") continue;
    const std::string address = cluster.address(*index);
    if (std::find(controllers.begin(), controllers.end(), address) != controllers.end()) continue;
    bool hosts = false;
    for (const std::string& role : roles_of(status, address))
      hosts = hosts || ends_generation(role);
    if (!chosen || hosts) chosen = index;
    if (hosts) break;
  }
  return chosen;
}

TEST_F(ClusterTest, RecoversFromKillsOfControllerSequencerCoordinatorAndProxies) {
  for (size_t i = 0; i < cluster_.size(); ++i)
    ASSERT_NO_FATAL_FAILURE(cluster_.start(i));
  Json status;
  ASSERT_NO_FATAL_FAILURE(wait_settled(&status));
  const ClusterConnectionString connection = cluster_.connection();
  testing::open_accounts(connection, hang_guard_s);

  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  clients.reserve(client_threads + 1);
  for (int thread = 0; thread < client_threads; ++thread)
    clients.emplace_back([&, thread] {
      testing::transfer_until_stopped(connection, static_cast<unsigned>(thread),
                                      std::to_string(thread) + "-", operation_timeout_s, stop,
                                      [&](const std::string& id, std::optional<Version> version) {
                                        ledger_.record(id, version);
                                      });
    });
  clients.emplace_back(probe_until_stopped, connection, &stop, &ledger_);
  // Stops the clients however the test ends.
  struct Joiner {
    std::atomic<bool>* stop;
    std::vector<std::thread>* clients;
    ~Joiner() {
      *stop = true;
      for (std::thread& client : *clients)
        client.join();
    }
  } joiner{&stop, &clients};
  Clock::time_point loaded;
  ASSERT_NO_FATAL_FAILURE(wait_for_commit(Clock::now(), -1, &loaded));

  auto index_holding = [&](const std::string& role) -> size_t {
    std::vector<std::string> holders = holders_of(status, role);
    EXPECT_FALSE(holders.empty()) << "no process holds the " << role << ": " << status.dump();
    std::optional<size_t> index = holders.empty() ? std::nullopt : cluster_.index_of(holders[0]);
    EXPECT_TRUE(index) << "the " << role << " is on no process of the cluster";
    return index.value_or(0);
  };
  // The controller's process, then the sequencer's unless that was the same one.
  const size_t controller = index_holding("cluster_controller");
  const size_t sequencer = index_holding("sequencer");
  ASSERT_FALSE(HasFailure());
  ASSERT_NO_FATAL_FAILURE(kill_and_recover(controller, "cluster controller", &status));
  if (sequencer != controller) {
    ASSERT_NO_FATAL_FAILURE(kill_and_recover(index_holding("sequencer"), "sequencer", &status));
  }
  std::optional<size_t> coordinator = coordinator_to_kill(status, cluster_);
  ASSERT_TRUE(coordinator) << "no coordinator that is not a storage process: " << status.dump();
  ASSERT_NO_FATAL_FAILURE(kill_and_recover(*coordinator, "coordinator", &status));
  const size_t proxies = index_holding("commit_proxy");
  ASSERT_FALSE(HasFailure());
  ASSERT_NO_FATAL_FAILURE(kill_and_recover(proxies, "commit proxies", &status));

  stop = true;
  for (std::thread& client : clients)
    client.join();
  clients.clear();
  check_bank();
  for (const Recovery& recovery : recoveries_) {
    RecordProperty("recovery_s_" + std::to_string(&recovery - recoveries_.data()),
                   std::to_string(recovery.seconds) + " (" + recovery.step + ")");
  }
}

}  // namespace
}  // namespace strata
