#pragma once

// How the processes of a cluster find each other. The coordinators elect a cluster
// controller; workers register with it, it recruits the roles onto them and publishes
// where every role is: ServerDBInfo to the workers, ClientDBInfo to clients. Its streams
// are at well-known tokens of its process, which workers and clients learn from the
// coordinators.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "interfaces/data_distributor_interface.h"
#include "interfaces/locality.h"
#include "interfaces/log_interface.h"
#include "interfaces/proxy_interface.h"
#include "interfaces/ratekeeper_interface.h"
#include "interfaces/resolver_interface.h"
#include "interfaces/sequencer_interface.h"
#include "interfaces/shard_map.h"
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

// The logs of one generation and the versions they hold: those after `begin` (the
// generation's recovery version) and, once a later recovery ended the generation, up to
// `end`. Every log of a generation holds every version of it (each commit waits for all of
// them), so a storage server may peek any of them.
struct LogGeneration {
  uint64_t epoch = 0;
  Version begin = 0;
  Version end = std::numeric_limits<Version>::max();
  std::vector<LogInterface> logs;

  bool holds(Version version) const { return begin < version && version <= end; }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, begin, end, logs);
  }
};

// What servers need: every role of the current generation, and the older generations of
// logs whose data some storage server may still need.
struct ServerDBInfo {
  UID id;
  uint64_t epoch = 0;
  // The database this belongs to (recorded in every server's data folder).
  UID cluster_id;
  // The version the generation started from: storage servers drop anything newer that
  // they applied from an older generation.
  Version recovery_version = 0;
  SequencerInterface sequencer;
  std::vector<ResolverInterface> resolvers;
  LogGeneration logs;
  // Newest first; each one's end is the next one's begin.
  std::vector<LogGeneration> old_logs;
  std::vector<StorageInterface> storage_servers;
  ClientDBInfo client;
  // The ratekeeper, once recruited (it outlives generations; invalid until then).
  RatekeeperInterface ratekeeper;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, epoch, cluster_id, recovery_version, sequencer, resolvers, logs, old_logs,
            storage_servers, client, ratekeeper);
  }
};

// ---- recruitment: the controller asks a worker to start a role ----

// Creates log `log_id` for generation `epoch`, holding the versions after `begin`. A
// repeated request gets the same log.
struct InitializeLogRequest {
  UID log_id;
  uint64_t epoch = 0;
  Version begin = 0;
  std::vector<Tag> tags;
  ReplyPromise<LogInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(log_id, epoch, begin, tags, reply);
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

// Creates storage server `storage_id` for `shards` (a repeated request gets the same
// server). It serves once a ServerDBInfo of generation `epoch` or later lists it.
struct InitializeStorageRequest {
  UID storage_id;
  Tag tag = 0;
  uint64_t epoch = 0;
  // memory or rocksdb.
  std::string engine;
  std::vector<KeyRange> shards;
  // A new database's system rows (its shard map); the server keeps those in its shards.
  std::vector<KeyValue> initial_rows;
  // The version it starts at: 0 for a new database's; a server added to a database (with no
  // shards) starts at the recovery version of the generation that adds it, whose logs are
  // the first to keep its tag.
  Version start_version = 0;
  ReplyPromise<InitializeStorageReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(storage_id, tag, epoch, engine, shards, initial_rows, start_version, reply);
  }
};

// The roles of a generation start from its first version (`start_version`), which the
// recovery made durable on its logs.
struct InitializeSequencerRequest {
  uint64_t epoch = 0;
  Version start_version = 0;
  ReplyPromise<SequencerInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, start_version, reply);
  }
};

// Resolver `index` of the generation decides conflicts on `range`. The one whose range
// holds the system keys relays shard map changes to the generation's `commit_proxies`.
struct InitializeResolverRequest {
  uint64_t epoch = 0;
  int index = 0;
  Version start_version = 0;
  KeyRange range;
  int commit_proxies = 1;
  ReplyPromise<ResolverInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, index, start_version, range, commit_proxies, reply);
  }
};

struct InitializeCommitProxyRequest {
  uint64_t epoch = 0;
  int index = 0;
  Version start_version = 0;
  SequencerInterface sequencer;
  std::vector<ResolverInterface> resolvers;
  // The key range each resolver decides, in the order of `resolvers`: together the whole
  // key space.
  std::vector<KeyRange> resolver_ranges;
  std::vector<LogInterface> logs;
  // The shard map as of the generation's recovery version, and the storage servers it names.
  std::vector<ShardMapEntry> shard_map;
  std::vector<StorageInterface> storage_servers;
  ReplyPromise<CommitProxyInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, index, start_version, sequencer, resolvers, resolver_ranges, logs, shard_map,
            storage_servers, reply);
  }
};

struct InitializeGrvProxyRequest {
  uint64_t epoch = 0;
  int index = 0;
  SequencerInterface sequencer;
  std::vector<LogInterface> logs;
  ReplyPromise<GrvProxyInterface> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, index, sequencer, logs, reply);
  }
};

struct WorkerInterface {
  // New for every start of the process.
  UID id;
  NetworkAddress address;
  Locality locality;
  RequestStream<InitializeLogRequest> initialize_log;
  RequestStream<InitializeStorageRequest> initialize_storage;
  RequestStream<InitializeSequencerRequest> initialize_sequencer;
  RequestStream<InitializeResolverRequest> initialize_resolver;
  RequestStream<InitializeCommitProxyRequest> initialize_commit_proxy;
  RequestStream<InitializeGrvProxyRequest> initialize_grv_proxy;
  RequestStream<InitializeDataDistributorRequest> initialize_data_distributor;
  RequestStream<InitializeRatekeeperRequest> initialize_ratekeeper;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, locality, initialize_log, initialize_storage, initialize_sequencer,
            initialize_resolver, initialize_commit_proxy, initialize_grv_proxy,
            initialize_data_distributor, initialize_ratekeeper);
  }
};

// ---- the cluster controller ----

// A role whose data a worker holds in its data folder (and runs).
struct StoredRole {
  enum class Kind : uint8_t { log = 0, storage = 1 };
  Kind kind = Kind::log;
  UID id;
  // The generation it was created for.
  uint64_t epoch = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(kind, id, epoch);
    if constexpr (!Archive::is_writer) {
      if (static_cast<uint8_t>(kind) > static_cast<uint8_t>(Kind::storage)) {
        archive.fail("unknown stored role kind " + std::to_string(static_cast<int>(kind)));
      }
    }
  }
};

// Fails with invalid_cluster_id when the worker's data folder belongs to another database.
struct RegisterWorkerRequest {
  WorkerInterface worker;
  std::vector<StoredRole> stored_roles;
  // The database the worker's data folder belongs to; invalid when it belongs to none yet.
  UID cluster_id;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(worker, stored_roles, cluster_id, reply);
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

// `configure`: changes the database configuration (FoundationDB's words: logs=N, ...),
// records it in the core state and recovers into it. Answered once the change is recorded,
// with the new configuration; fails with client_invalid_operation naming a bad word.
struct ConfigureReply {
  std::string configuration;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(configuration);
  }
};

struct ConfigureRequest {
  std::vector<std::string> words;
  ReplyPromise<ConfigureReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(words, reply);
  }
};

// `coordinators`: moves the core state to a new set of coordinators (`automatic`: one the
// controller picks across zones) and forwards the old set to it. Answered with the new
// connection string once the move is durable; the controller then steps down and the
// cluster re-forms around the new coordinators.
struct ChangeCoordinatorsReply {
  std::string connection;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(connection);
  }
};

struct ChangeCoordinatorsRequest {
  std::vector<NetworkAddress> coordinators;
  bool automatic = false;
  ReplyPromise<ChangeCoordinatorsReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(coordinators, automatic, reply);
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
inline RequestStream<ConfigureRequest> configure_stream_at(NetworkAddress address) {
  return RequestStream<ConfigureRequest>(Endpoint{address, well_known::configure_database});
}
inline RequestStream<ChangeCoordinatorsRequest> change_coordinators_stream_at(
    NetworkAddress address) {
  return RequestStream<ChangeCoordinatorsRequest>(
      Endpoint{address, well_known::change_coordinators});
}

}  // namespace strata
