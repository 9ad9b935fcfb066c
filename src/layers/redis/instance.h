#pragma once

// What one strata-redis process shares between its connections: the database, where the
// layer's keys lie, the password, the clients connected (CLIENT LIST, INFO), counters, and
// the SCAN cursors it handed out. Nothing here is data: every instance on a cluster sees
// the same keys, and any of them may stop at any time.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "layers/redis/keyspace.h"
#include "layers/redis/pubsub_hub.h"
#include "layers/redis/session.h"
#include "runtime/future.h"
#include "runtime/uid.h"
#include "strata/database.h"

namespace strata::redis {

class CommandLanes;

// A connected client as CLIENT LIST shows it.
struct ClientInfo {
  Session session;
  std::string address;
  std::string local_address;
  double connected_at = 0;
  double last_command_at = 0;
  std::string last_command;
  bool in_multi = false;
  // Pub/sub subscriptions (CLIENT LIST's sub, psub, ssub).
  int64_t channels = 0;
  int64_t patterns = 0;
  int64_t shard_channels = 0;
  // Waiting in a blocking command (BLPOP, ...); CLIENT UNBLOCK sets `unblock` (with an
  // error reply when `unblock_error`, else as on a timeout).
  bool blocked = false;
  std::optional<Promise<Void>> unblock;
  bool unblock_error = false;
};

// SCAN's cursors: a cursor is a number (clients parse it as one), standing for the last
// key name a scan returned.
class ScanCursors {
 public:
  // A new cursor continuing after `name`.
  uint64_t save(std::string name);
  // The name a cursor stands for; nullopt if unknown or forgotten.
  std::optional<std::string> find(uint64_t cursor) const;

 private:
  uint64_t next_ = 1;
  std::unordered_map<uint64_t, std::string> names_;
  std::deque<uint64_t> order_;
};

// INFO commandstats: one command's calls, the microseconds they took, and how many were
// refused before running (wrong arity, NOAUTH, ...) or failed (answered an error).
struct CommandStats {
  int64_t calls = 0;
  int64_t usec = 0;
  int64_t rejected_calls = 0;
  int64_t failed_calls = 0;
};

struct InstanceStats {
  int64_t connections_received = 0;
  int64_t commands_processed = 0;
  int64_t rejected_connections = 0;
  int64_t transaction_retries = 0;
  int64_t unknown_results_resolved = 0;
  int64_t expired_keys = 0;
  // By command name, lower case.
  std::map<std::string, CommandStats> commands;
  // INFO errorstats: error replies by their code (ERR, WRONGTYPE, NOGROUP, ...).
  std::map<std::string, int64_t> errors;
  int64_t error_replies = 0;

  // Counts an error reply (`message` starts with its code, as ReplyWriter::error's does).
  void count_error(std::string_view message);
};

class Instance {
 public:
  Instance(Database database, std::string prefix, std::optional<std::string> password);
  ~Instance();

  Database& database() { return database_; }
  const Keyspace& keyspace() const { return keyspace_; }
  const std::optional<std::string>& password() const { return password_; }
  UID id() const { return id_; }
  double started_at() const { return started_at_; }

  // The clients connected, by id.
  std::map<uint64_t, ClientInfo>& clients() { return clients_; }
  uint64_t next_client_id() { return next_client_id_++; }

  ScanCursors& scan_cursors() { return scan_cursors_; }
  // CONFIG GET and SET: the settings clients probe, by name. Settings that would change
  // how data is kept (persistence, memory limits) mean nothing here; they are shown with
  // the values that describe what Strata does, and setting them changes only the answer.
  std::map<std::string, std::string>& config() { return config_; }
  InstanceStats& stats() { return stats_; }
  const InstanceStats& stats() const { return stats_; }
  // Pub/sub: this instance's subscribers and its part of the registry (pubsub_hub.h).
  PubSubHub& pubsub() { return pubsub_; }

  // The lanes clients' plain commands share transactions in (command_lanes.h); they work
  // while their run() runs.
  CommandLanes& lanes() { return *lanes_; }

  // A key no other transaction writes: the proof that a write command committed (see
  // command_executor.h).
  std::string next_commit_marker(int64_t now_ms);

 private:
  Database database_;
  Keyspace keyspace_;
  std::optional<std::string> password_;
  UID id_;
  double started_at_;
  uint64_t next_client_id_ = 1;
  uint64_t next_marker_ = 0;
  std::map<uint64_t, ClientInfo> clients_;
  std::map<std::string, std::string> config_;
  ScanCursors scan_cursors_;
  InstanceStats stats_;
  PubSubHub pubsub_;
  std::unique_ptr<CommandLanes> lanes_;
};

}  // namespace strata::redis
