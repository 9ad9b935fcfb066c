#include "server/log/log_server.h"

#include <algorithm>
#include <deque>
#include <map>

#include "rpc/serialize.h"
#include "runtime/combinators.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/disk/disk_queue.h"
#include "server/server_knobs.h"

namespace strata {

namespace {

// What the log writes to its disk queue.
struct LogRecord {
  enum class Type : uint8_t { commit = 0, epoch_start = 1 };

  Type type = Type::commit;
  uint64_t epoch = 0;
  // commit: the version committed; epoch_start: the recovery version.
  Version version = 0;
  Version prev_version = 0;
  Version known_committed_version = 0;
  std::vector<TaggedMutations> messages;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(type, epoch, version, prev_version, known_committed_version, messages);
    if constexpr (!Archive::is_writer) {
      if (static_cast<uint8_t>(type) > static_cast<uint8_t>(Type::epoch_start)) {
        archive.fail("unknown log record type " + std::to_string(static_cast<int>(type)));
      }
    }
  }
};

// One generation of the log: replaced when a new epoch starts, so that everything waiting
// on the old one (commits of the old chain, peeks) is released.
struct Generation {
  Generation(uint64_t epoch, Version start) : epoch(epoch), received(start), durable(start) {}

  uint64_t epoch;
  bool locked = true;
  // The last version appended (maybe not yet durable), and the last one durable.
  NotifiedValue<Version> received;
  NotifiedValue<Version> durable;
};

struct LogState {
  LogInterface interface;
  LogServerOptions options;
  std::unique_ptr<DiskQueue> queue;
  std::shared_ptr<Generation> generation;
  Version known_committed_version = 0;
  // Each tag's mutations not yet popped, oldest first.
  std::map<Tag, std::deque<VersionedMutations>> by_tag;
  std::map<Tag, Version> popped;
  // Where each commit record is in the queue, oldest first, to release the queue's front.
  std::deque<std::pair<Version, DiskQueue::Location>> records;
};

void index_commit(LogState& log, const LogRecord& record, DiskQueue::Location location) {
  for (const TaggedMutations& tagged : record.messages) {
    if (record.version <= log.popped[tagged.tag]) continue;
    log.by_tag[tagged.tag].push_back({record.version, tagged.mutations});
  }
  log.records.emplace_back(record.version, location);
  log.known_committed_version =
      std::max(log.known_committed_version, record.known_committed_version);
}

// Forgets everything after `version` (a new generation starts there).
void discard_after(LogState& log, Version version) {
  for (auto& [tag, versions] : log.by_tag) {
    while (!versions.empty() && versions.back().version > version)
      versions.pop_back();
  }
  while (!log.records.empty() && log.records.back().first > version)
    log.records.pop_back();
  log.known_committed_version = std::min(log.known_committed_version, version);
}

// Rebuilds the in-memory index from the disk queue; returns the last epoch and version.
std::pair<uint64_t, Version> replay(LogState& log,
                                    const std::vector<DiskQueue::Record>& recovered) {
  uint64_t epoch = 0;
  Version version = 0;
  for (const DiskQueue::Record& stored : recovered) {
    LogRecord record;
    try {
      record = deserialize_from_bytes<LogRecord>(stored.bytes);
    } catch (Error& error) {
      throw Error(ErrorCode::file_corrupt, "log " + log.options.id.short_string() +
                                               ": a record does not decode: " + error.message());
    }
    epoch = record.epoch;
    if (record.type == LogRecord::Type::epoch_start) {
      discard_after(log, record.version);
      version = record.version;
    } else {
      index_commit(log, record, stored.location);
      version = record.version;
    }
  }
  return {epoch, version};
}

void release_queue_front(LogState& log) {
  Version needed_after = INT64_MAX;
  for (Tag tag : log.options.tags)
    needed_after = std::min(needed_after, log.popped[tag]);
  while (!log.records.empty() && log.records.front().first <= needed_after)
    log.records.pop_front();
  log.queue->pop(log.records.empty() ? log.queue->end_location() : log.records.front().second);
}

Future<Void> handle_commit(LogState* log, LogCommitRequest request) {
  std::shared_ptr<Generation> generation = log->generation;
  try {
    co_await generation->received.when_at_least(request.prev_version);
  } catch (Error& error) {
    // The generation ended while this waited.
    if (!error.is(ErrorCode::broken_promise)) throw;
    request.reply.send_error(Error(ErrorCode::tlog_stopped, "the log's generation ended"));
    co_return;
  }
  if (request.version <= generation->received.get()) {
    // A retry of a commit already received: answer once it is durable.
    co_await generation->durable.when_at_least(request.version);
    request.reply.send(Void{});
    co_return;
  }
  if (request.epoch != generation->epoch || generation->locked) {
    request.reply.send_error(
        Error(ErrorCode::tlog_stopped,
              "the log does not accept commits of generation " + std::to_string(request.epoch)));
    co_return;
  }
  STRATA_ASSERT_MSG(generation->received.get() == request.prev_version, "a commit broke the chain");
  LogRecord record{LogRecord::Type::commit,
                   request.epoch,
                   request.version,
                   request.prev_version,
                   request.known_committed_version,
                   std::move(request.messages)};
  DiskQueue::Location location = log->queue->push(serialize_to_bytes(record));
  index_commit(*log, record, location);
  generation->received.set(request.version);
  co_await log->queue->commit();
  if (generation->durable.get() < request.version) generation->durable.set(request.version);
  request.reply.send(Void{});
}

Future<Void> handle_peek(LogState* log, LogPeekRequest request) {
  std::shared_ptr<Generation> generation = log->generation;
  if (request.begin > generation->durable.get()) {
    Future<Void> more = generation->durable.when_at_least(request.begin);
    Future<Void> timeout = delay(server_knobs().log_peek_wait_s);
    co_await first_ready(more, timeout);
    if (more.is_error()) {
      request.reply.send_error(Error(ErrorCode::tlog_stopped, "the log's generation ended"));
      co_return;
    }
  }
  Version durable = generation->durable.get();
  LogPeekReply reply;
  reply.end = durable + 1;
  int64_t bytes = 0;
  const auto& versions = log->by_tag[request.tag];
  // In version order: start at the first one asked for instead of walking past the
  // versions a storage server already has (seconds of them, until it pops).
  auto first = std::lower_bound(
      versions.begin(), versions.end(), request.begin,
      [](const VersionedMutations& versioned, Version begin) { return versioned.version < begin; });
  for (auto it = first; it != versions.end(); ++it) {
    const VersionedMutations& versioned = *it;
    if (versioned.version > durable) break;
    if (bytes > server_knobs().log_peek_reply_bytes_max) {
      reply.end = versioned.version;  // the rest in the next peek
      break;
    }
    for (const Mutation& mutation : versioned.mutations) {
      bytes += static_cast<int64_t>(mutation.param1.size() + mutation.param2.size());
    }
    reply.versions.push_back(versioned);
  }
  reply.known_committed_version = std::min(log->known_committed_version, durable);
  request.reply.send(std::move(reply));
}

Future<Void> serve_commits(LogState* log, FutureStream<LogCommitRequest> requests) {
  ActorCollection commits;
  while (true)
    commits.add(handle_commit(log, co_await requests));
}

Future<Void> serve_peeks(LogState* log, FutureStream<LogPeekRequest> requests) {
  ActorCollection peeks;
  while (true)
    peeks.add(handle_peek(log, co_await requests));
}

Future<Void> serve_pops(LogState* log, FutureStream<LogPopRequest> requests) {
  while (true) {
    LogPopRequest request = co_await requests;
    Version& popped = log->popped[request.tag];
    if (request.version > popped) {
      popped = request.version;
      auto& versions = log->by_tag[request.tag];
      while (!versions.empty() && versions.front().version <= popped)
        versions.pop_front();
      release_queue_front(*log);
    }
    request.reply.send(Void{});
  }
}

Future<Void> serve_locks(LogState* log, FutureStream<LogLockRequest> requests) {
  while (true) {
    LogLockRequest request = co_await requests;
    std::shared_ptr<Generation> generation = log->generation;
    if (request.epoch >= generation->epoch) generation->locked = true;
    TraceEvent("LogLocked")
        .id(log->interface.id)
        .detail("Epoch", generation->epoch)
        .detail("End", generation->durable.get());
    request.reply.send(
        LogLockReply{generation->durable.get(),
                     std::min(log->known_committed_version, generation->durable.get())});
  }
}

Future<Void> start_epoch(LogState* log, LogStartEpochRequest request) {
  std::shared_ptr<Generation> old = log->generation;
  if (old->epoch == request.epoch && !old->locked) {
    request.reply.send(Void{});  // a retry
    co_return;
  }
  if (request.epoch < old->epoch || request.recovery_version > old->durable.get()) {
    request.reply.send_error(Error(ErrorCode::operation_failed,
                                   "cannot start generation " + std::to_string(request.epoch) +
                                       " at version " + std::to_string(request.recovery_version)));
    co_return;
  }
  LogRecord record{LogRecord::Type::epoch_start, request.epoch, request.recovery_version, 0, 0, {}};
  log->queue->push(serialize_to_bytes(record));
  co_await log->queue->commit();
  discard_after(*log, request.recovery_version);
  // Releases whatever waited on the old generation.
  log->generation = std::make_shared<Generation>(request.epoch, request.recovery_version);
  log->generation->locked = false;
  TraceEvent("LogEpochStarted")
      .id(log->interface.id)
      .detail("Epoch", request.epoch)
      .detail("RecoveryVersion", request.recovery_version);
  request.reply.send(Void{});
}

Future<Void> serve_epoch_starts(LogState* log, FutureStream<LogStartEpochRequest> requests) {
  while (true)
    co_await start_epoch(log, co_await requests);
}

Future<Void> serve_confirms(LogState* log, FutureStream<LogConfirmRunningRequest> requests) {
  while (true) {
    LogConfirmRunningRequest request = co_await requests;
    const Generation& generation = *log->generation;
    if (generation.epoch == request.epoch && !generation.locked) {
      request.reply.send(Void{});
    } else {
      request.reply.send_error(
          Error(ErrorCode::tlog_stopped,
                "generation " + std::to_string(request.epoch) + " is no longer current"));
    }
  }
}

}  // namespace

LogInterface make_log_interface(UID id) {
  LogInterface interface;
  interface.id = id;
  interface.commit = RequestStream<LogCommitRequest>::serve();
  interface.peek = RequestStream<LogPeekRequest>::serve();
  interface.pop = RequestStream<LogPopRequest>::serve();
  interface.lock = RequestStream<LogLockRequest>::serve();
  interface.start_epoch = RequestStream<LogStartEpochRequest>::serve();
  interface.confirm_running = RequestStream<LogConfirmRunningRequest>::serve();
  interface.address = interface.commit.endpoint().address;
  return interface;
}

Future<Void> run_log_server(LogInterface interface, LogServerOptions options,
                            Promise<InitializeLogReply> started) {
  LogState log;
  log.interface = interface;
  log.options = std::move(options);
  co_await env().create_directories(log.options.directory);
  DiskQueue::Recovery recovery = co_await DiskQueue::open(log.options.directory + "/log");
  log.queue = std::move(recovery.queue);
  auto [epoch, end] = replay(log, recovery.records);
  log.generation = std::make_shared<Generation>(epoch, end);
  TraceEvent("LogRecovered")
      .id(interface.id)
      .detail("Epoch", epoch)
      .detail("End", end)
      .detail("Records", recovery.records.size());
  recovery.records.clear();

  ActorCollection actors;
  actors.add(serve_commits(&log, interface.commit.requests()));
  actors.add(serve_peeks(&log, interface.peek.requests()));
  actors.add(serve_pops(&log, interface.pop.requests()));
  actors.add(serve_locks(&log, interface.lock.requests()));
  actors.add(serve_epoch_starts(&log, interface.start_epoch.requests()));
  actors.add(serve_confirms(&log, interface.confirm_running.requests()));
  started.send(InitializeLogReply{interface, end, std::min(log.known_committed_version, end)});
  co_await actors.result();
}

}  // namespace strata
