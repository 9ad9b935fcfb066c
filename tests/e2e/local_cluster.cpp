#include "local_cluster.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <signal.h>

#include "bank_accounts.h"
#include "client/database_context.h"
#include "client_thread.h"
#include "runtime/combinators.h"
#include "strata/database.h"

namespace strata::testing {

namespace {

// How long one commit of the probe may take before the next one starts.
constexpr double probe_timeout_s = 0.2;
// How long one request for the status document may take before it is asked again.
constexpr double status_timeout_s = 10.0;

}  // namespace

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

LocalCluster::LocalCluster(std::vector<std::string> classes, size_t coordinators,
                           std::vector<std::string> arguments)
    : classes_(std::move(classes)), arguments_(std::move(arguments)) {
  std::set<int> ports;
  while (ports.size() < classes_.size())
    ports.insert(free_loopback_port());
  ports_.assign(ports.begin(), ports.end());
  std::string addresses;
  for (size_t i = 0; i < coordinators; ++i)
    addresses += (i == 0 ? "" : ",") + address(i);
  std::mt19937_64 random{std::random_device{}()};
  char id[17];
  std::snprintf(id, sizeof(id), "%016llx", static_cast<unsigned long long>(random()));
  std::ofstream(cluster_file()) << "cluster:" << id << "@" << addresses << "\n";
  processes_.resize(classes_.size());
}

LocalCluster::~LocalCluster() {
  for (std::unique_ptr<ChildProcess>& process : processes_) {
    // A paused process is woken first, so that it can be killed and reaped.
    if (process) process->send_signal(SIGCONT);
    process.reset();
  }
  if (const char* keep = std::getenv("STRATA_CLUSTER_TEST_KEEP")) {
    std::error_code error;
    std::filesystem::copy(directory_.path(), keep, std::filesystem::copy_options::recursive, error);
    std::printf("[ cluster  ] folders copied to %s%s\n", keep,
                error ? (": " + error.message()).c_str() : "");
  }
}

std::string LocalCluster::address(size_t index) const {
  return "127.0.0.1:" + std::to_string(ports_.at(index));
}

std::optional<size_t> LocalCluster::index_of(const std::string& address_text) const {
  for (size_t i = 0; i < size(); ++i) {
    if (address(i) == address_text) return i;
  }
  return std::nullopt;
}

void LocalCluster::start(size_t index) {
  ASSERT_FALSE(running(index)) << address(index) << " runs already";
  std::filesystem::create_directories(folder(index));
  std::vector<std::string> arguments = {"--listen",       address(index),
                                        "--data",         folder(index) + "/data",
                                        "--cluster-file", cluster_file(),
                                        "--class",        process_class(index),
                                        "--zone",         "zone-" + std::to_string(index)};
  arguments.insert(arguments.end(), arguments_.begin(), arguments_.end());
  processes_[index] = std::make_unique<ChildProcess>(STRATA_SERVER_PATH, arguments, folder(index));
  ASSERT_TRUE(processes_[index]->wait_for_line("listening on", hang_guard_s))
      << processes_[index]->transcript();
}

void LocalCluster::kill(size_t index) {
  ASSERT_TRUE(running(index)) << address(index) << " does not run";
  processes_[index]->send_signal(SIGKILL);
  EXPECT_EQ(processes_[index]->wait(hang_guard_s), 128 + SIGKILL)
      << processes_[index]->transcript();
  processes_[index].reset();
}

void LocalCluster::drain() {
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

// Every shard on `copies` live servers, none of them at `gone`, and nothing moving.
namespace {

// Every shard on `copies` live servers, none at `gone`; with `settled`, none moving either.
bool shards_on_live_servers(const Json& status, const std::string& gone, size_t copies,
                            bool settled) {
  const Json& cluster = status["cluster"];
  if (!cluster.contains("storage_teams") || cluster["storage_teams"].empty()) return false;
  for (const Json& team : cluster["storage_teams"]) {
    if ((settled && team.contains("moving_to")) || team["servers"].size() != copies) return false;
    for (const Json& server : team["servers"]) {
      if (!server.value("live", false) || server.value("address", "") == gone) return false;
    }
  }
  return !settled ||
         (cluster.contains("data") && cluster["data"].value("moving_partitions", -1) == 0);
}

}  // namespace

bool fully_replicated_without(const Json& status, const std::string& gone, size_t copies) {
  return shards_on_live_servers(status, gone, copies, true);
}

bool every_shard_has_live_copies(const Json& status, size_t copies) {
  return shards_on_live_servers(status, "", copies, false);
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

void Ledger::record(const std::string& id, std::optional<Version> version) {
  Clock::time_point at = Clock::now();
  std::lock_guard<std::mutex> lock(mutex);
  acknowledged.insert(id);
  if (version) transfer_commits.push_back({at, *version});
}

void Ledger::record_probe(Version version) {
  Clock::time_point at = Clock::now();
  std::lock_guard<std::mutex> lock(mutex);
  probe_commits.push_back({at, version});
}

Ledger::FirstCommits Ledger::first_commits(Clock::time_point since, Version version) {
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

ClusterLoad::ClusterLoad(ClusterConnectionString connection, int bank_clients, unsigned seed,
                         double operation_timeout_s, Ledger* ledger)
    : connection_(std::move(connection)) {
  for (int thread = 0; thread < bank_clients; ++thread) {
    threads_.emplace_back([this, thread, seed, operation_timeout_s, ledger] {
      transfer_until_stopped(connection_, seed + static_cast<unsigned>(thread),
                             std::to_string(thread) + "-", operation_timeout_s, stop_,
                             [ledger](const std::string& id, std::optional<Version> version) {
                               ledger->record(id, version);
                             });
    });
  }
  threads_.emplace_back(probe_until_stopped, connection_, &stop_, ledger);
}

void ClusterLoad::stop() {
  stop_ = true;
  for (std::thread& thread : threads_)
    thread.join();
  threads_.clear();
}

}  // namespace strata::testing
