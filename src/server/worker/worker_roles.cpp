#include "server/worker/worker_roles.h"

#include "runtime/environment.h"
#include "runtime/trace.h"
#include "server/log/log_server.h"
#include "server/proxy/commit_proxy.h"
#include "server/proxy/grv_proxy.h"
#include "server/resolver/resolver.h"
#include "server/sequencer/sequencer.h"
#include "server/storage/storage_server.h"

namespace strata {

struct WorkerRoles::Role {
  // The generation a stateless role belongs to; 0 for logs and storage servers, which
  // outlive generations.
  uint64_t epoch = 0;
  Future<Void> actor;
};

namespace {

const std::string log_folder_prefix = "log-";
const std::string storage_folder_prefix = "storage-";

// Runs a role; a role that fails is reported, and the worker goes on.
Future<Void> supervise(std::string key, Future<Void> work) {
  try {
    co_await work;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    TraceEvent(Severity::warn_always, "RoleFailed").detail("Role", key).error(error);
  }
}

template <class T>
Future<Void> answer_when_started(ReplyPromise<T> reply, Future<T> started) {
  try {
    reply.send(co_await started);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    reply.send_error(error);
  }
}

}  // namespace

WorkerRoles::WorkerRoles(std::string data_dir, std::shared_ptr<AsyncVar<ServerDBInfo>> db_info)
    : data_dir_(std::move(data_dir)), db_info_(std::move(db_info)) {
  interface_.id = env().random().unique_id();
  interface_.initialize_log = RequestStream<InitializeLogRequest>::serve();
  interface_.initialize_storage = RequestStream<InitializeStorageRequest>::serve();
  interface_.initialize_sequencer = RequestStream<InitializeSequencerRequest>::serve();
  interface_.initialize_resolver = RequestStream<InitializeResolverRequest>::serve();
  interface_.initialize_commit_proxy = RequestStream<InitializeCommitProxyRequest>::serve();
  interface_.initialize_grv_proxy = RequestStream<InitializeGrvProxyRequest>::serve();
  interface_.address = interface_.initialize_log.endpoint().address;
}

WorkerRoles::~WorkerRoles() {
  // Stop the roles before the maps they answer from go away.
  roles_.clear();
}

void WorkerRoles::start(const std::string& key, uint64_t epoch, Future<Void> work) {
  auto role = std::make_unique<Role>();
  role->epoch = epoch;
  role->actor = supervise(key, std::move(work));
  roles_[key] = std::move(role);
  TraceEvent("RoleStarted").detail("Role", key).detail("Epoch", epoch);
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

Future<Void> WorkerRoles::serve_logs() {
  FutureStream<InitializeLogRequest> requests = interface_.initialize_log.requests();
  ActorCollection answers;
  while (true) {
    InitializeLogRequest request = co_await requests;
    std::string key = "log/" + request.log_id.to_string();
    if (!running(key)) {
      Promise<InitializeLogReply> started;
      log_starts_[key] = started.get_future();
      LogServerOptions options{request.log_id,
                               data_dir_ + "/" + log_folder_prefix + request.log_id.to_string(),
                               request.tags};
      start(key, 0,
            run_log_server(make_log_interface(request.log_id), std::move(options), started));
    }
    answers.add(answer_when_started(request.reply, log_starts_[key]));
  }
}

Future<Void> WorkerRoles::serve_storage() {
  FutureStream<InitializeStorageRequest> requests = interface_.initialize_storage.requests();
  ActorCollection answers;
  while (true) {
    InitializeStorageRequest request = co_await requests;
    std::string key = "storage/" + request.storage_id.to_string();
    if (!running(key)) {
      Promise<InitializeStorageReply> started;
      storage_starts_[key] = started.get_future();
      StorageServerOptions options;
      options.id = request.storage_id;
      options.tag = request.tag;
      options.engine = static_cast<StorageEngine>(request.engine);
      options.shards = request.shards;
      options.directory = data_dir_ + "/" + storage_folder_prefix + request.storage_id.to_string();
      start(key, 0,
            run_storage_server(make_storage_interface(request.storage_id, request.tag),
                               std::move(options), db_info_, started));
    }
    answers.add(answer_when_started(request.reply, storage_starts_[key]));
  }
}

Future<Void> WorkerRoles::serve_sequencers() {
  FutureStream<InitializeSequencerRequest> requests = interface_.initialize_sequencer.requests();
  std::map<uint64_t, SequencerInterface> started;
  while (true) {
    InitializeSequencerRequest request = co_await requests;
    std::string key = "sequencer/" + std::to_string(request.epoch);
    if (!running(key)) {
      started[request.epoch] = make_sequencer_interface(env().random().unique_id());
      start(key, request.epoch,
            run_sequencer(started[request.epoch], request.epoch, request.recovery_version));
    }
    request.reply.send(started[request.epoch]);
  }
}

Future<Void> WorkerRoles::serve_resolvers() {
  FutureStream<InitializeResolverRequest> requests = interface_.initialize_resolver.requests();
  std::map<uint64_t, ResolverInterface> started;
  while (true) {
    InitializeResolverRequest request = co_await requests;
    std::string key = "resolver/" + std::to_string(request.epoch);
    if (!running(key)) {
      started[request.epoch] = make_resolver_interface(env().random().unique_id());
      start(key, request.epoch,
            run_resolver(started[request.epoch], request.epoch, request.recovery_version));
    }
    request.reply.send(started[request.epoch]);
  }
}

Future<Void> WorkerRoles::serve_commit_proxies() {
  FutureStream<InitializeCommitProxyRequest> requests =
      interface_.initialize_commit_proxy.requests();
  std::map<uint64_t, CommitProxyInterface> started;
  while (true) {
    InitializeCommitProxyRequest request = co_await requests;
    std::string key = "commit_proxy/" + std::to_string(request.epoch);
    if (!running(key)) {
      started[request.epoch] = make_commit_proxy_interface(env().random().unique_id());
      CommitProxyOptions options{request.epoch,     request.recovery_version,
                                 request.sequencer, request.resolvers,
                                 request.logs,      request.shards};
      start(key, request.epoch, run_commit_proxy(started[request.epoch], std::move(options)));
    }
    request.reply.send(started[request.epoch]);
  }
}

Future<Void> WorkerRoles::serve_grv_proxies() {
  FutureStream<InitializeGrvProxyRequest> requests = interface_.initialize_grv_proxy.requests();
  std::map<uint64_t, GrvProxyInterface> started;
  while (true) {
    InitializeGrvProxyRequest request = co_await requests;
    std::string key = "grv_proxy/" + std::to_string(request.epoch);
    if (!running(key)) {
      started[request.epoch] = make_grv_proxy_interface(env().random().unique_id());
      GrvProxyOptions options{request.epoch, request.sequencer, request.logs};
      start(key, request.epoch, run_grv_proxy(started[request.epoch], std::move(options)));
    }
    request.reply.send(started[request.epoch]);
  }
}

// Stateless roles of a generation end once a newer generation is published.
Future<Void> WorkerRoles::retire_old_generations() {
  while (true) {
    co_await db_info_->on_change();
    uint64_t current = db_info_->get().epoch;
    for (auto it = roles_.begin(); it != roles_.end();) {
      if (it->second->epoch != 0 && it->second->epoch < current) {
        TraceEvent("RoleRetired").detail("Role", it->first).detail("Epoch", current);
        it = roles_.erase(it);
      } else {
        ++it;
      }
    }
  }
}

Future<Void> WorkerRoles::serve() {
  ActorCollection actors;
  actors.add(serve_logs());
  actors.add(serve_storage());
  actors.add(serve_sequencers());
  actors.add(serve_resolvers());
  actors.add(serve_commit_proxies());
  actors.add(serve_grv_proxies());
  actors.add(retire_old_generations());
  co_await actors.result();
}

Future<std::vector<StoredRole>> WorkerRoles::find_stored_roles(std::string data_dir) {
  std::vector<StoredRole> found;
  for (const std::string& name : co_await env().list_directory(data_dir)) {
    auto match = [&name](const std::string& prefix) -> std::optional<UID> {
      if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
      return UID::parse(std::string_view(name).substr(prefix.size()));
    };
    if (std::optional<UID> id = match(log_folder_prefix)) {
      found.push_back({StoredRole::Kind::log, *id});
    } else if (std::optional<UID> id = match(storage_folder_prefix)) {
      found.push_back({StoredRole::Kind::storage, *id});
    }
  }
  co_return found;
}

}  // namespace strata
