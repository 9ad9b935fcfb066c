#pragma once

// How the processes of a cluster find each other. Workers register with the cluster
// controller, which recruits the roles onto them and publishes where every role is:
// ServerDBInfo to the workers, ClientDBInfo to clients. Until coordinators elect it, the
// cluster controller runs on the first coordinator named in the cluster file, at
// well-known tokens.

#include <cstdint>
#include <string>
#include <vector>

#include "interfaces/log_interface.h"
#include "interfaces/proxy_interface.h"
#include "interfaces/resolver_interface.h"
#include "interfaces/sequencer_interface.h"
#include "interfaces/storage_interface.h"
#include "interfaces/types.h"
#include "rpc/request_stream.h"

namespace strata {

// What clients need: the proxies of the current generation.
struct ClientDBInfo {
  // Changes whenever the proxies change.
  UID id;
  uint64_t epoch = 0;
  std::vector<GrvProxyInterface> grv_proxies;
  std::vector<CommitProxyInterface> commit_proxies;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, epoch, grv_proxies, commit_proxies);
  }
};

// What servers need: every role of the current generation.
struct ServerDBInfo {
  UID id;
  uint64_t epoch = 0;
  // The version the generation started from: storage servers drop anything newer that
  // they hold from an older generation.
  Version recovery_version = 0;
  SequencerInterface sequencer;
  std::vector<ResolverInterface> resolvers;
  std::vector<LogInterface> logs;
  std::vector<StorageInterface> storage_servers;
  ClientDBInfo client;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, epoch, recovery_version, sequencer, resolvers, logs, storage_servers, client);
  }
};

// ---- recruitment: the controller asks a worker to start a role ----

// Starts (or, after a restart, recovers) a log. Replies when it is ready, locked: the
// controller then starts its epoch.
struct InitializeLogReply {
  LogInterface log;
  // Everything up to here is durable on the log (0 for a new one).
  Version end = 0;
  Version known_committed_version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(log, end, known_committed_version);
  }
};

struct InitializeLogRequest {
  UID log_id;
  std::vector<Tag> tags;
  ReplyPromise<InitializeLogReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(log_id, tags, reply);
  }
};

struct InitializeStorageReply {
  StorageInterface storage;
  // The version its engine holds durably (0 for a new one).
  Version durable_version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(storage, durable_version);
  }
};

// Starts (or recovers) a storage server for `shards`, with the given engine when new.
struct InitializeStorageRequest {
  UID storage_id;
  Tag tag = 0;
  // 0: memory, 1: rocksdb (StorageEngine).
  uint8_t engine = 0;
  std::vector<KeyRange> shards;
  ReplyPromise<InitializeStorageReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(storage_id, tag, engine, shards, reply);
  }
};

struct InitializeSequencerRequest {
  uint64_t epoch = 0;
  Version recovery_version = 0;
  ReplyPromise<SequencerInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, recovery_version, reply);
  }
};

struct InitializeResolverRequest {
  uint64_t epoch = 0;
  Version recovery_version = 0;
  ReplyPromise<ResolverInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, recovery_version, reply);
  }
};

struct InitializeCommitProxyRequest {
  uint64_t epoch = 0;
  Version recovery_version = 0;
  SequencerInterface sequencer;
  std::vector<ResolverInterface> resolvers;
  std::vector<LogInterface> logs;
  // The shard map: which storage servers hold which keys.
  std::vector<ShardLocation> shards;
  ReplyPromise<CommitProxyInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, recovery_version, sequencer, resolvers, logs, shards, reply);
  }
};

struct InitializeGrvProxyRequest {
  uint64_t epoch = 0;
  SequencerInterface sequencer;
  std::vector<LogInterface> logs;
  ReplyPromise<GrvProxyInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, sequencer, logs, reply);
  }
};

struct WorkerInterface {
  UID id;
  NetworkAddress address;
  RequestStream<InitializeLogRequest> initialize_log;
  RequestStream<InitializeStorageRequest> initialize_storage;
  RequestStream<InitializeSequencerRequest> initialize_sequencer;
  RequestStream<InitializeResolverRequest> initialize_resolver;
  RequestStream<InitializeCommitProxyRequest> initialize_commit_proxy;
  RequestStream<InitializeGrvProxyRequest> initialize_grv_proxy;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, initialize_log, initialize_storage, initialize_sequencer,
            initialize_resolver, initialize_commit_proxy, initialize_grv_proxy);
  }
};

// ---- the cluster controller ----

// A role whose data a worker found on its disk.
struct StoredRole {
  enum class Kind : uint8_t { log = 0, storage = 1 };
  Kind kind = Kind::log;
  UID id;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(kind, id);
  }
};

struct RegisterWorkerRequest {
  WorkerInterface worker;
  std::vector<StoredRole> stored_roles;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(worker, stored_roles, reply);
  }
};

// Answered with the current info once it differs from `known_id` (a long poll).
struct GetServerDBInfoRequest {
  UID known_id;
  ReplyPromise<ServerDBInfo> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(known_id, reply);
  }
};

struct OpenDatabaseRequest {
  UID known_id;
  ReplyPromise<ClientDBInfo> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(known_id, reply);
  }
};

// The cluster controller's streams, all at well-known tokens of its process.
inline RequestStream<RegisterWorkerRequest> register_worker_stream_at(NetworkAddress address) {
  return RequestStream<RegisterWorkerRequest>(Endpoint{address, well_known::register_worker});
}
inline RequestStream<GetServerDBInfoRequest> server_db_info_stream_at(NetworkAddress address) {
  return RequestStream<GetServerDBInfoRequest>(Endpoint{address, well_known::server_db_info});
}
inline RequestStream<OpenDatabaseRequest> open_database_stream_at(NetworkAddress address) {
  return RequestStream<OpenDatabaseRequest>(Endpoint{address, well_known::open_database});
}

}  // namespace strata
