#include "server/worker/worker_roles.h"

#include <algorithm>

#include "runtime/buggify.h"
#include "runtime/environment.h"
#include "runtime/trace.h"
#include "server/data_distributor/data_distributor.h"
#include "server/proxy/commit_proxy.h"
#include "server/proxy/grv_proxy.h"
#include "server/ratekeeper/ratekeeper.h"
#include "server/resolver/resolver.h"
#include "server/sequencer/sequencer.h"

namespace strata {

struct WorkerRoles::Role {
  enum class Kind { log, storage, stateless };
  Kind kind = Kind::stateless;
  UID id;
  // The generation it belongs to (stateless roles) or was created for (logs, storage).
  uint64_t epoch = 0;
  Future<Void> actor;
};

namespace {

const std::string log_folder_prefix = "log-";
const std::string storage_folder_prefix = "storage-";
// Written first when a role's folder is created and deleted first when it is retired: a
// folder without it is one whose creation or deletion a crash interrupted.
const std::string log_marker_file = "meta";
const std::string storage_marker_file = "engine";

// Runs a role; a role that fails is reported, and the worker goes on.
Future<Void> supervise(std::string key, Future<Void> work) {
  try {
    co_await work;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    TraceEvent(Severity::warn_always, "RoleFailed").detail("Role", key).error(error);
  }
}

template <class T, class Reply>
Future<Void> answer_when_started(ReplyPromise<Reply> reply, Future<T> started,
                                 Reply (*answer)(const T&)) {
  try {
    reply.send(answer(co_await started));
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    reply.send_error(error);
  }
}

LogInterface log_answer(const LogStarted& started) {
  return started.interface;
}

InitializeStorageReply storage_answer(const StorageStarted& started) {
  return InitializeStorageReply{started.interface, started.durable_version};
}

// Deletes a retired role's folder: the marker first (durably), so that a crash in the
// middle leaves a folder the next start recognises as incomplete and deletes.
Future<Void> delete_folder(std::string folder, std::string marker) {
  co_await env().delete_file(folder + "/" + marker);
  co_await env().sync_directory(folder);
  co_await env().delete_directory(folder);
  TraceEvent("RoleFolderDeleted").detail("Folder", folder);
}

bool names_log(const ServerDBInfo& info, const UID& id) {
  auto has = [&id](const LogGeneration& generation) {
    return std::any_of(generation.logs.begin(), generation.logs.end(),
                       [&id](const LogInterface& log) { return log.id == id; });
  };
  return has(info.logs) || std::any_of(info.old_logs.begin(), info.old_logs.end(), has);
}

bool names_storage(const ServerDBInfo& info, const UID& id) {
  return std::any_of(info.storage_servers.begin(), info.storage_servers.end(),
                     [&id](const StorageInterface& storage) { return storage.id == id; });
}

std::string key_of(const std::string& kind, uint64_t epoch, int index) {
  return kind + "/" + std::to_string(epoch) + "/" + std::to_string(index);
}

}  // namespace

WorkerRoles::WorkerRoles(std::string data_dir, Locality locality,
                         std::shared_ptr<AsyncVar<ServerDBInfo>> db_info)
    : data_dir_(std::move(data_dir)), db_info_(std::move(db_info)) {
  interface_.id = env().random().unique_id();
  interface_.locality = std::move(locality);
  interface_.initialize_log = RequestStream<InitializeLogRequest>::serve();
  interface_.initialize_storage = RequestStream<InitializeStorageRequest>::serve();
  interface_.initialize_sequencer = RequestStream<InitializeSequencerRequest>::serve();
  interface_.initialize_resolver = RequestStream<InitializeResolverRequest>::serve();
  interface_.initialize_data_distributor = RequestStream<InitializeDataDistributorRequest>::serve();
  interface_.initialize_commit_proxy = RequestStream<InitializeCommitProxyRequest>::serve();
  interface_.initialize_grv_proxy = RequestStream<InitializeGrvProxyRequest>::serve();
  interface_.initialize_ratekeeper = RequestStream<InitializeRatekeeperRequest>::serve();
  interface_.address = interface_.initialize_log.endpoint().address;
}

WorkerRoles::~WorkerRoles() {
  // Stop the roles before the maps they answer from go away.
  roles_.clear();
}

std::string WorkerRoles::folder_of(const std::string& prefix, const UID& id) const {
  return data_dir_ + "/" + prefix + id.to_string();
}

void WorkerRoles::start(const std::string& key, std::unique_ptr<Role> role) {
  role->actor = supervise(key, std::move(role->actor));
  TraceEvent("RoleStarted").detail("Role", key).detail("Epoch", role->epoch);
  bool stored = role->kind != Role::Kind::stateless;
  roles_[key] = std::move(role);
  if (stored) stored_roles_changes_.set(stored_roles_changes_.get() + 1);
}

bool WorkerRoles::running(const std::string& key) const {
  auto it = roles_.find(key);
  return it != roles_.end() && !it->second->actor.is_ready();
}

std::vector<std::string> WorkerRoles::running_roles() const {
  std::vector<std::string> names;
  for (const auto& [key, role] : roles_) {
    if (!role->actor.is_ready()) names.push_back(key);
  }
  return names;
}

std::vector<StoredRole> WorkerRoles::stored_roles() const {
  std::vector<StoredRole> stored;
  for (const auto& [key, role] : roles_) {
    if (role->kind == Role::Kind::log)
      stored.push_back({StoredRole::Kind::log, role->id, role->epoch});
    if (role->kind == Role::Kind::storage) {
      stored.push_back({StoredRole::Kind::storage, role->id, role->epoch});
    }
  }
  return stored;
}

void WorkerRoles::start_log(UID id, uint64_t epoch, std::optional<NewLog> create) {
  Promise<LogStarted> started;
  log_starts_[id] = started.get_future();
  auto role = std::make_unique<Role>();
  role->kind = Role::Kind::log;
  role->id = id;
  role->epoch = epoch;
  role->actor = run_log_server(LogServerOptions{id, folder_of(log_folder_prefix, id), create},
                               std::move(started));
  start("log/" + id.to_string(), std::move(role));
}

void WorkerRoles::start_storage(UID id, std::optional<NewStorage> create) {
  Promise<StorageStarted> started;
  storage_starts_[id] = started.get_future();
  auto role = std::make_unique<Role>();
  role->kind = Role::Kind::storage;
  role->id = id;
  role->epoch = create ? create->epoch : 0;
  role->actor =
      run_storage_server(StorageServerOptions{id, folder_of(storage_folder_prefix, id), create},
                         db_info_, std::move(started));
  start("storage/" + id.to_string(), std::move(role));
}

Future<Void> WorkerRoles::restore_stored_roles() {
  for (const std::string& name : co_await env().list_directory(data_dir_)) {
    auto match = [&name](const std::string& prefix) -> std::optional<UID> {
      if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
      return UID::parse(std::string_view(name).substr(prefix.size()));
    };
    if (std::optional<UID> id = match(log_folder_prefix)) {
      std::string folder = folder_of(log_folder_prefix, *id);
      std::optional<uint64_t> epoch = co_await stored_log_epoch(folder);
      if (!epoch) {
        TraceEvent(Severity::warn, "IncompleteLogFolder").detail("Folder", folder);
        co_await env().delete_directory(folder);
        continue;
      }
      start_log(*id, *epoch, std::nullopt);
    } else if (std::optional<UID> id = match(storage_folder_prefix)) {
      std::string folder = folder_of(storage_folder_prefix, *id);
      if (!co_await env().file_exists(folder + "/" + storage_marker_file)) {
        TraceEvent(Severity::warn, "IncompleteStorageFolder").detail("Folder", folder);
        co_await env().delete_directory(folder);
        continue;
      }
      start_storage(*id, std::nullopt);
      // Its creation epoch comes with its start.
      Future<StorageStarted> starting = storage_starts_[*id];
      std::optional<Error> failure;
      try {
        StorageStarted started = co_await starting;
        auto role = roles_.find("storage/" + id->to_string());
        if (role != roles_.end()) role->second->epoch = started.epoch;
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        failure = error;
      }
      if (failure && failure->is(ErrorCode::storage_engine_not_initialized)) {
        // Its creation never completed: nothing in it was ever part of the database.
        roles_.erase("storage/" + id->to_string());
        storage_starts_.erase(*id);
        TraceEvent(Severity::warn, "IncompleteStorageFolder").detail("Folder", folder);
        co_await env().delete_directory(folder);
      }
    }
  }
  stored_roles_changes_.set(stored_roles_changes_.get() + 1);
}

Future<Void> WorkerRoles::serve_logs() {
  FutureStream<InitializeLogRequest> requests = interface_.initialize_log.requests();
  ActorCollection answers;
  while (true) {
    InitializeLogRequest request = co_await requests;
    if (!running("log/" + request.log_id.to_string())) {
      start_log(request.log_id, request.epoch, NewLog{request.epoch, request.begin, request.tags});
    }
    answers.add(answer_when_started(request.reply, log_starts_[request.log_id], log_answer));
  }
}

Future<Void> WorkerRoles::serve_storage() {
  FutureStream<InitializeStorageRequest> requests = interface_.initialize_storage.requests();
  ActorCollection answers;
  while (true) {
    InitializeStorageRequest request = co_await requests;
    if (!running("storage/" + request.storage_id.to_string())) {
      start_storage(request.storage_id,
                    NewStorage{request.tag, request.epoch, parse_storage_engine(request.engine),
                               request.shards, request.initial_rows, request.start_version});
    }
    answers.add(
        answer_when_started(request.reply, storage_starts_[request.storage_id], storage_answer));
  }
}

Future<Void> WorkerRoles::serve_sequencers() {
  FutureStream<InitializeSequencerRequest> requests = interface_.initialize_sequencer.requests();
  while (true) {
    InitializeSequencerRequest request = co_await requests;
    std::string key = key_of("sequencer", request.epoch, 0);
    if (!running(key)) {
      sequencers_[key] = make_sequencer_interface(env().random().unique_id());
      auto role = std::make_unique<Role>();
      role->epoch = request.epoch;
      role->actor = run_sequencer(sequencers_[key], request.epoch, request.start_version);
      start(key, std::move(role));
    }
    request.reply.send(sequencers_[key]);
  }
}

Future<Void> WorkerRoles::serve_resolvers() {
  FutureStream<InitializeResolverRequest> requests = interface_.initialize_resolver.requests();
  while (true) {
    InitializeResolverRequest request = co_await requests;
    std::string key = key_of("resolver", request.epoch, request.index);
    if (!running(key)) {
      resolvers_[key] = make_resolver_interface(env().random().unique_id());
      auto role = std::make_unique<Role>();
      role->epoch = request.epoch;
      role->actor =
          run_resolver(resolvers_[key], ResolverOptions{request.epoch, request.start_version,
                                                        request.range, request.commit_proxies});
      start(key, std::move(role));
    }
    request.reply.send(resolvers_[key]);
  }
}

Future<Void> WorkerRoles::serve_commit_proxies() {
  FutureStream<InitializeCommitProxyRequest> requests =
      interface_.initialize_commit_proxy.requests();
  while (true) {
    InitializeCommitProxyRequest request = co_await requests;
    std::string key = key_of("commit_proxy", request.epoch, request.index);
    if (!running(key)) {
      commit_proxies_[key] = make_commit_proxy_interface(env().random().unique_id());
      CommitProxyOptions options{request.epoch,     request.index,     request.start_version,
                                 request.sequencer, request.resolvers, request.resolver_ranges,
                                 request.logs,      request.shard_map, request.storage_servers};
      auto role = std::make_unique<Role>();
      role->epoch = request.epoch;
      role->actor = run_commit_proxy(commit_proxies_[key], std::move(options));
      start(key, std::move(role));
    }
    request.reply.send(commit_proxies_[key]);
  }
}

Future<Void> WorkerRoles::serve_grv_proxies() {
  FutureStream<InitializeGrvProxyRequest> requests = interface_.initialize_grv_proxy.requests();
  while (true) {
    InitializeGrvProxyRequest request = co_await requests;
    std::string key = key_of("grv_proxy", request.epoch, request.index);
    if (!running(key)) {
      grv_proxies_[key] = make_grv_proxy_interface(env().random().unique_id());
      GrvProxyOptions options{request.epoch, request.sequencer, request.logs, db_info_};
      auto role = std::make_unique<Role>();
      role->epoch = request.epoch;
      role->actor = run_grv_proxy(grv_proxies_[key], std::move(options));
      start(key, std::move(role));
    }
    request.reply.send(grv_proxies_[key]);
  }
}

Future<Void> WorkerRoles::serve_data_distributors() {
  FutureStream<InitializeDataDistributorRequest> requests =
      interface_.initialize_data_distributor.requests();
  while (true) {
    InitializeDataDistributorRequest request = co_await requests;
    std::string key = key_of("data_distributor", request.epoch, request.replication);
    if (!running(key)) {
      data_distributors_[key] = make_data_distributor_interface(env().random().unique_id());
      Database database = Database::open(ClusterConnectionString::parse(request.connection));
      auto role = std::make_unique<Role>();
      role->epoch = request.epoch;
      role->actor = run_data_distributor(data_distributors_[key], request.epoch,
                                         request.replication, database);
      start(key, std::move(role));
    }
    request.reply.send(data_distributors_[key]);
  }
}

Future<Void> WorkerRoles::serve_ratekeepers() {
  FutureStream<InitializeRatekeeperRequest> requests = interface_.initialize_ratekeeper.requests();
  while (true) {
    InitializeRatekeeperRequest request = co_await requests;
    std::string key = key_of("ratekeeper", request.epoch, request.replication);
    if (!running(key)) {
      ratekeepers_[key] = make_ratekeeper_interface(env().random().unique_id());
      auto role = std::make_unique<Role>();
      role->epoch = request.epoch;
      role->actor = run_ratekeeper(ratekeepers_[key], request.replication, db_info_);
      start(key, std::move(role));
    }
    request.reply.send(ratekeepers_[key]);
  }
}

void WorkerRoles::retire(const std::string& key) {
  auto it = roles_.find(key);
  STRATA_ASSERT(it != roles_.end());
  const Role::Kind kind = it->second->kind;
  const UID id = it->second->id;
  TraceEvent("RoleRetired").detail("Role", key).detail("Epoch", it->second->epoch);
  // The role stops (its files close) before its folder is deleted.
  roles_.erase(it);
  sequencers_.erase(key);
  resolvers_.erase(key);
  commit_proxies_.erase(key);
  grv_proxies_.erase(key);
  data_distributors_.erase(key);
  ratekeepers_.erase(key);
  if (kind == Role::Kind::log) {
    log_starts_.erase(id);
    cleanups_.add(delete_folder(folder_of(log_folder_prefix, id), log_marker_file));
  } else if (kind == Role::Kind::storage) {
    storage_starts_.erase(id);
    cleanups_.add(delete_folder(folder_of(storage_folder_prefix, id), storage_marker_file));
  }
  if (kind != Role::Kind::stateless) stored_roles_changes_.set(stored_roles_changes_.get() + 1);
}

// Retires what the published generation no longer needs: at once (the info may have
// arrived while the stored roles were restored, e.g. a storage server removed while its
// process was down), then whenever a newer one is published.
Future<Void> WorkerRoles::retire_unneeded_roles() {
  for (bool first = true;; first = false) {
    if (!first) co_await db_info_->on_change();
    const ServerDBInfo& info = db_info_->get();
    // Only a database's own info may retire its data (the worker checked the cluster id).
    if (!info.cluster_id.is_valid() || info.epoch == 0) continue;
    std::vector<std::string> retiring;
    for (const auto& [key, role] : roles_) {
      switch (role->kind) {
        case Role::Kind::stateless:
          // A data distributor and a ratekeeper outlive generations: the first ends when a
          // newer one takes the move lock, the second when ServerDBInfo names another.
          if (role->epoch < info.epoch && !key.starts_with("data_distributor/") &&
              !key.starts_with("ratekeeper/")) {
            retiring.push_back(key);
          }
          break;
        case Role::Kind::log:
          // A log of this generation or an older one that no generation lists: an ended
          // generation dropped, or a recruitment whose recovery never completed.
          if (role->epoch != 0 && role->epoch <= info.epoch && !names_log(info, role->id)) {
            retiring.push_back(key);
          }
          break;
        case Role::Kind::storage:
          // Created by a recovery that never completed, or removed from the database (its
          // shards now live elsewhere and its tag is no longer kept by the logs).
          if (role->epoch != 0 && role->epoch <= info.epoch && !info.storage_servers.empty() &&
              !names_storage(info, role->id)) {
            STRATA_PROBE(first,
                         "a storage server removed while its process was down is "
                         "deleted when the process returns");
            retiring.push_back(key);
          }
          break;
      }
    }
    for (const std::string& key : retiring)
      retire(key);
  }
}

Future<Void> WorkerRoles::serve() {
  co_await restore_stored_roles();
  ActorCollection actors;
  actors.add(serve_logs());
  actors.add(serve_storage());
  actors.add(serve_sequencers());
  actors.add(serve_resolvers());
  actors.add(serve_commit_proxies());
  actors.add(serve_grv_proxies());
  actors.add(serve_data_distributors());
  actors.add(serve_ratekeepers());
  actors.add(retire_unneeded_roles());
  co_await first_ready(actors.result(), cleanups_.result());
  co_await actors.result();
  co_await cleanups_.result();
}

}  // namespace strata
