#pragma once

// The roles a worker hosts. At start it restarts the logs and storage servers whose data
// its folder holds (logs locked: their generation ended with the process). Then it starts
// the roles the cluster controller recruits, answering a repeated recruitment with the same
// role, and retires what newer generations no longer need: stateless roles of older
// generations, logs no generation lists any more, storage servers that never became part
// of the database.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "server/log/log_server.h"
#include "server/storage/storage_server.h"

namespace strata {

class WorkerRoles {
 public:
  WorkerRoles(std::string data_dir, Locality locality,
              std::shared_ptr<AsyncVar<ServerDBInfo>> db_info);
  WorkerRoles(const WorkerRoles&) = delete;
  WorkerRoles& operator=(const WorkerRoles&) = delete;
  ~WorkerRoles();

  WorkerInterface interface() const { return interface_; }
  // Restarts the stored roles, then serves recruitments until the object is destroyed.
  Future<Void> serve();

  // The logs and storage servers this worker runs, for its registration.
  std::vector<StoredRole> stored_roles() const;
  // Bumped whenever stored_roles() changes.
  const AsyncVar<uint64_t>& stored_roles_changes() const { return stored_roles_changes_; }
  // Names of the roles running now, for status.
  std::vector<std::string> running_roles() const;

 private:
  struct Role;

  Future<Void> restore_stored_roles();
  void start_log(UID id, uint64_t epoch, std::optional<NewLog> create);
  void start_storage(UID id, std::optional<NewStorage> create);
  Future<Void> serve_logs();
  Future<Void> serve_storage();
  Future<Void> serve_sequencers();
  Future<Void> serve_resolvers();
  Future<Void> serve_commit_proxies();
  Future<Void> serve_grv_proxies();
  Future<Void> serve_data_distributors();
  Future<Void> serve_ratekeepers();
  Future<Void> retire_unneeded_roles();
  void retire(const std::string& key);
  void start(const std::string& key, std::unique_ptr<Role> role);
  bool running(const std::string& key) const;
  std::string folder_of(const std::string& prefix, const UID& id) const;

  std::string data_dir_;
  std::shared_ptr<AsyncVar<ServerDBInfo>> db_info_;
  WorkerInterface interface_;
  // Running roles by "kind/id" (logs, storage) or "kind/epoch/index" (stateless).
  std::map<std::string, std::unique_ptr<Role>> roles_;
  // Answers already given, for repeated recruitments.
  std::map<UID, Future<LogStarted>> log_starts_;
  std::map<UID, Future<StorageStarted>> storage_starts_;
  std::map<std::string, SequencerInterface> sequencers_;
  std::map<std::string, ResolverInterface> resolvers_;
  std::map<std::string, CommitProxyInterface> commit_proxies_;
  std::map<std::string, GrvProxyInterface> grv_proxies_;
  std::map<std::string, DataDistributorInterface> data_distributors_;
  std::map<std::string, RatekeeperInterface> ratekeepers_;
  AsyncVar<uint64_t> stored_roles_changes_{0};
  // Folders being deleted after their roles retired.
  ActorCollection cleanups_;
};

}  // namespace strata
