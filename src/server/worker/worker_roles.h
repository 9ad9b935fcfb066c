#pragma once

// The roles a worker hosts: started when the cluster controller recruits them, each
// recruitment answered the same way when repeated, and the stateless roles of a
// generation stopped once a newer generation is published.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"

namespace strata {

class WorkerRoles {
 public:
  WorkerRoles(std::string data_dir, std::shared_ptr<AsyncVar<ServerDBInfo>> db_info);
  WorkerRoles(const WorkerRoles&) = delete;
  WorkerRoles& operator=(const WorkerRoles&) = delete;
  ~WorkerRoles();

  // The recruitment streams, served until the object is destroyed.
  WorkerInterface interface() const { return interface_; }
  Future<Void> serve();

  // Roles whose data lies in the data folder (log-ID and storage-ID folders).
  static Future<std::vector<StoredRole>> find_stored_roles(std::string data_dir);
  // Names of the roles running now, for status.
  std::vector<std::string> running_roles() const;

 private:
  struct Role;

  Future<Void> serve_logs();
  Future<Void> serve_storage();
  Future<Void> serve_sequencers();
  Future<Void> serve_resolvers();
  Future<Void> serve_commit_proxies();
  Future<Void> serve_grv_proxies();
  Future<Void> retire_old_generations();
  void start(const std::string& key, uint64_t epoch, Future<Void> work);
  bool running(const std::string& key) const;

  std::string data_dir_;
  std::shared_ptr<AsyncVar<ServerDBInfo>> db_info_;
  WorkerInterface interface_;
  // Running roles by "kind/id" (or "kind/epoch" for one per generation).
  std::map<std::string, std::unique_ptr<Role>> roles_;
  // Answers already given, by the same key, for repeated recruitments.
  std::map<std::string, Future<InitializeLogReply>> log_starts_;
  std::map<std::string, Future<InitializeStorageReply>> storage_starts_;
  std::map<std::string, std::string> interfaces_;  // serialized replies of stateless roles
};

}  // namespace strata
