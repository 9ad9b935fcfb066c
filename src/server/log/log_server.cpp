#include "server/log/log_server.h"

#include <algorithm>
#include <deque>
#include <map>

#include "rpc/endpoint.h"
#include "rpc/sealed_record.h"
#include "rpc/serialize.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/file_utils.h"
#include "runtime/notified.h"
#include "runtime/trace.h"
#include "server/disk/disk_queue.h"
#include "server/server_knobs.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

// DIRECTORY/meta: what the log was created for. Written once, before the log answers its
// recruitment.
struct LogMeta {
  UID id;
  uint64_t epoch = 0;
  Version begin = 0;
  std::vector<Tag> tags;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, epoch, begin, tags);
  }
};

// A commit as the log writes it to its disk queue.
struct LogRecord {
  uint64_t epoch = 0;
  Version version = 0;
  Version prev_version = 0;
  Version known_committed_version = 0;
  std::vector<TaggedMutations> messages;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(epoch, version, prev_version, known_committed_version, messages);
  }
};

constexpr int64_t meta_file_bytes_max = 1024 * 1024;

struct LogState {
  LogInterface interface;
  LogServerOptions options;
  LogMeta meta;
  std::unique_ptr<DiskQueue> queue;
  bool locked = false;
  // Sent when the log is locked: releases the commits waiting for their turn.
  Promise<Void> stopped;
  // The last version appended (maybe not yet durable), and the last one durable.
  NotifiedValue<Version> received;
  NotifiedValue<Version> durable;
  Version known_committed_version = 0;
  // Each tag's mutations not yet popped nor spilled, oldest first, and their bytes.
  std::map<Tag, std::deque<VersionedMutations>> by_tag;
  int64_t memory_bytes = 0;
  // Bytes that ever entered memory, for the ratekeeper.
  int64_t memory_input_bytes = 0;
  // Versions up to this one left memory: peeks of them read the disk queue.
  Version spilled_through = 0;
  std::map<Tag, Version> popped;
  // Where each commit record is in the queue, oldest first, to release the queue's front.
  std::deque<std::pair<Version, DiskQueue::Location>> records;
};

std::string meta_path(const std::string& directory) {
  return directory + "/meta";
}

Future<std::optional<LogMeta>> read_meta(std::string directory) {
  std::string path = meta_path(directory);
  std::optional<std::string> bytes = co_await read_file_if_exists(path, meta_file_bytes_max);
  if (!bytes) co_return std::nullopt;
  std::string_view body = unseal_record(*bytes, path);
  try {
    co_return deserialize_from_bytes<LogMeta>(body);
  } catch (Error& error) {
    if (!error.is(ErrorCode::serialization_failed)) throw;
    throw Error(ErrorCode::file_corrupt, path + " does not decode: " + error.message());
  }
}

// What a version's mutations of one tag cost in memory, roughly.
int64_t memory_cost(const VersionedMutations& versioned) {
  int64_t bytes = 32;
  for (const Mutation& mutation : versioned.mutations)
    bytes += static_cast<int64_t>(mutation.param1.size() + mutation.param2.size()) + 32;
  return bytes;
}

void index_commit(LogState& log, const LogRecord& record, DiskQueue::Location location) {
  STRATA_ASSERT(record.version > log.spilled_through);
  for (const TaggedMutations& tagged : record.messages) {
    if (record.version <= log.popped[tagged.tag]) continue;
    log.by_tag[tagged.tag].push_back({record.version, tagged.mutations});
    const int64_t cost = memory_cost(log.by_tag[tagged.tag].back());
    log.memory_bytes += cost;
    log.memory_input_bytes += cost;
  }
  log.records.emplace_back(record.version, location);
  log.known_committed_version =
      std::max(log.known_committed_version, record.known_committed_version);
}

// Rebuilds the in-memory index from the disk queue; returns the last version it holds.
Version replay(LogState& log, const std::vector<DiskQueue::Record>& recovered) {
  Version end = log.meta.begin;
  for (const DiskQueue::Record& stored : recovered) {
    LogRecord record;
    try {
      record = deserialize_from_bytes<LogRecord>(stored.bytes);
    } catch (Error& error) {
      throw Error(ErrorCode::file_corrupt, "log " + log.options.id.short_string() +
                                               ": a record does not decode: " + error.message());
    }
    STRATA_ASSERT_MSG(record.epoch == log.meta.epoch && record.version > end,
                      "a log record is out of its generation or out of order");
    index_commit(log, record, stored.location);
    end = record.version;
  }
  return end;
}

// Forgets the queue's records that every tag has popped, but never the newest: it tells the
// log its end after a restart.
void release_queue_front(LogState& log) {
  Version needed_after = INT64_MAX;
  for (Tag tag : log.meta.tags)
    needed_after = std::min(needed_after, log.popped[tag]);
  while (log.records.size() > 1 && log.records.front().first <= needed_after)
    log.records.pop_front();
  if (!log.records.empty()) log.queue->pop(log.records.front().second);
}

// Past the threshold, drops the oldest durable versions from memory (all tags at once, so
// that one version marks where memory starts) until half the threshold is left.
void spill_if_needed(LogState& log) {
  const int64_t threshold = server_knobs().log_spill_threshold_bytes;
  if (log.memory_bytes <= threshold) return;
  const Version durable = log.durable.get();
  auto record =
      std::upper_bound(log.records.begin(), log.records.end(), log.spilled_through,
                       [](Version version, const auto& entry) { return version < entry.first; });
  for (; record != log.records.end() && log.memory_bytes > threshold / 2; ++record) {
    const Version version = record->first;
    if (version > durable) break;
    for (auto& [tag, versions] : log.by_tag) {
      while (!versions.empty() && versions.front().version <= version) {
        log.memory_bytes -= memory_cost(versions.front());
        versions.pop_front();
      }
    }
    log.spilled_through = version;
  }
  STRATA_PROBE(true, "a log spilled versions out of memory");
  TraceEvent(Severity::debug, "LogSpilled")
      .id(log.options.id)
      .detail("Through", log.spilled_through)
      .detail("MemoryBytes", log.memory_bytes);
}

// The tag's mutations of the spilled versions from `begin` on, read from the disk queue,
// into `reply`. Returns the version the memory part continues from, or nullopt when the
// reply is full (reply.end says where the next peek starts).
Future<std::optional<Version>> peek_spilled(LogState* log, const LogPeekRequest& request,
                                            LogPeekReply* reply, int64_t* bytes) {
  const Version spilled = log->spilled_through;
  auto first =
      std::lower_bound(log->records.begin(), log->records.end(), request.begin,
                       [](const auto& entry, Version begin) { return entry.first < begin; });
  if (first == log->records.end() || first->first > spilled) co_return spilled + 1;
  const int64_t limit = server_knobs().log_peek_reply_bytes_max;
  STRATA_PROBE(true, "a peek reads spilled versions from the disk queue");
  std::vector<DiskQueue::Record> stored = co_await log->queue->read(first->second, limit);
  Version read_through = request.begin - 1;
  for (const DiskQueue::Record& bytes_on_disk : stored) {
    LogRecord record;
    try {
      record = deserialize_from_bytes<LogRecord>(bytes_on_disk.bytes);
    } catch (Error& error) {
      throw Error(ErrorCode::file_corrupt,
                  "log " + log->options.id.short_string() +
                      ": a spilled record does not decode: " + error.message());
    }
    if (record.version > spilled) break;
    if (*bytes > limit) break;
    for (const TaggedMutations& tagged : record.messages) {
      if (tagged.tag != request.tag || record.version < request.begin) continue;
      VersionedMutations versioned{record.version, tagged.mutations};
      *bytes += memory_cost(versioned);
      reply->versions.push_back(std::move(versioned));
    }
    read_through = record.version;
  }
  // Memory may have moved on while the disk was read: continue from it only if it still
  // holds everything after what was read.
  if (read_through < spilled || log->spilled_through != spilled) {
    reply->end = read_through + 1;
    co_return std::nullopt;
  }
  co_return spilled + 1;
}

Future<Void> handle_commit(LogState* log, LogCommitRequest request) {
  if (log->received.get() < request.prev_version) {
    Future<Void> turn = log->received.when_at_least(request.prev_version);
    Future<Void> stopped = log->stopped.get_future();
    co_await first_ready(turn, stopped);
  }
  if (request.version <= log->received.get()) {
    // A retry of a commit already received: answer once it is durable.
    co_await log->durable.when_at_least(request.version);
    request.reply.send(Void{});
    co_return;
  }
  if (log->locked || request.epoch != log->meta.epoch) {
    request.reply.send_error(
        Error(ErrorCode::tlog_stopped, "log " + log->interface.id.short_string() +
                                           " of generation " + std::to_string(log->meta.epoch) +
                                           " no longer accepts commits"));
    co_return;
  }
  STRATA_ASSERT_MSG(log->received.get() == request.prev_version, "a commit broke the chain");
  LogRecord record{request.epoch, request.version, request.prev_version,
                   request.known_committed_version, std::move(request.messages)};
  DiskQueue::Location location = log->queue->push(serialize_to_bytes(record));
  index_commit(*log, record, location);
  // From here the version counts as received: a lock now waits for it to be durable and
  // reports it, because this commit will be acknowledged.
  log->received.set(request.version);
  if (BUGGIFY) co_await delay(env().random().uniform_real(0, 0.05));
  co_await log->queue->commit();
  if (log->durable.get() < request.version) log->durable.set(request.version);
  spill_if_needed(*log);
  request.reply.send(Void{});
}

Future<Void> handle_peek(LogState* log, LogPeekRequest request) {
  if (request.begin > log->durable.get()) {
    Future<Void> more = log->durable.when_at_least(request.begin);
    Future<Void> timeout = delay(server_knobs().log_peek_wait_s);
    co_await first_ready(more, timeout);
  }
  Version durable = log->durable.get();
  LogPeekReply reply;
  reply.end = std::max(durable, request.begin - 1) + 1;
  int64_t bytes = 0;
  Version from = request.begin;
  if (from <= log->spilled_through) {
    std::optional<Version> rest = co_await peek_spilled(log, request, &reply, &bytes);
    if (!rest) {
      reply.known_committed_version = std::min(log->known_committed_version, durable);
      request.reply.send(std::move(reply));
      co_return;
    }
    from = *rest;
  }
  const auto& versions = log->by_tag[request.tag];
  // In version order: start at the first one asked for instead of walking past the
  // versions a storage server already has (seconds of them, until it pops).
  auto first = std::lower_bound(
      versions.begin(), versions.end(), from,
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
  while (true) {
    LogCommitRequest request = co_await requests;
    commits.add(handle_commit(log, std::move(request)));
  }
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
      while (!versions.empty() && versions.front().version <= popped) {
        log->memory_bytes -= memory_cost(versions.front());
        versions.pop_front();
      }
      release_queue_front(*log);
    }
    request.reply.send(Void{});
  }
}

Future<Void> lock(LogState* log, LogLockRequest request) {
  if (!log->locked) {
    log->locked = true;
    log->stopped.send(Void{});
  }
  // Every commit received will be acknowledged once durable: the end must cover it.
  const Version end = log->received.get();
  co_await log->durable.when_at_least(end);
  TraceEvent("LogLocked")
      .id(log->interface.id)
      .detail("Epoch", log->meta.epoch)
      .detail("LockedBy", request.epoch)
      .detail("End", end);
  request.reply.send(LogLockReply{end, std::min(log->known_committed_version, end)});
}

Future<Void> serve_locks(LogState* log, FutureStream<LogLockRequest> requests) {
  ActorCollection locks;
  while (true)
    locks.add(lock(log, co_await requests));
}

Future<Void> serve_confirms(LogState* log, FutureStream<LogConfirmRunningRequest> requests) {
  while (true) {
    LogConfirmRunningRequest request = co_await requests;
    if (request.epoch == log->meta.epoch && !log->locked) {
      request.reply.send(Void{});
    } else {
      request.reply.send_error(
          Error(ErrorCode::tlog_stopped,
                "generation " + std::to_string(request.epoch) + " is no longer current"));
    }
  }
}

Future<Void> serve_status(LogState* log, FutureStream<LogStatusRequest> requests) {
  while (true) {
    LogStatusRequest request = co_await requests;
    Version popped = INT64_MAX;
    for (Tag tag : log->meta.tags)
      popped = std::min(popped, log->popped[tag]);
    if (log->meta.tags.empty()) popped = log->durable.get();
    LogStatusReply reply{log->meta.epoch,
                         log->locked,
                         log->meta.begin,
                         log->durable.get(),
                         popped,
                         log->queue->bytes_on_disk(),
                         log->memory_bytes,
                         log->spilled_through,
                         {},
                         log->memory_input_bytes,
                         0};
    for (Tag tag : log->meta.tags)
      reply.popped_by_tag[tag] = log->popped[tag];
    for (const auto& [tag, versions] : log->by_tag) {
      if (versions.empty()) continue;
      const Version oldest = versions.front().version;
      if (reply.memory_oldest == 0 || oldest < reply.memory_oldest) reply.memory_oldest = oldest;
    }
    request.reply.send(std::move(reply));
  }
}

}  // namespace

LogInterface make_log_interface(UID id) {
  auto at = [&](uint64_t index) { return role_token(id, index); };
  LogInterface interface;
  interface.id = id;
  interface.commit = RequestStream<LogCommitRequest>::serve_at(at(1));
  interface.peek = RequestStream<LogPeekRequest>::serve_at(at(2));
  interface.pop = RequestStream<LogPopRequest>::serve_at(at(3));
  interface.lock = RequestStream<LogLockRequest>::serve_at(at(4));
  interface.confirm_running = RequestStream<LogConfirmRunningRequest>::serve_at(at(5));
  interface.status = RequestStream<LogStatusRequest>::serve_at(at(6));
  interface.wait_failure = RequestStream<WaitFailureRequest>::serve_at(at(7));
  interface.address = interface.commit.endpoint().address;
  STRATA_ASSERT(interface.status.endpoint() ==
                log_interface_at(id, interface.address).status.endpoint());
  return interface;
}

Future<std::optional<uint64_t>> stored_log_epoch(std::string directory) {
  std::optional<LogMeta> meta = co_await read_meta(directory);
  if (!meta) co_return std::nullopt;
  co_return meta->epoch;
}

Future<Void> run_log_server(LogServerOptions options, Promise<LogStarted> started) {
  LogState log;
  log.options = std::move(options);
  co_await env().create_directories(log.options.directory);
  std::optional<LogMeta> meta = co_await read_meta(log.options.directory);
  if (log.options.create) {
    const NewLog& create = *log.options.create;
    if (meta) {
      // Created before (this is a repeated recruitment after a restart): it must be the same.
      STRATA_ASSERT_MSG(meta->epoch == create.epoch && meta->begin == create.begin,
                        "a log was recruited again for another generation");
    } else {
      meta = LogMeta{log.options.id, create.epoch, create.begin, create.tags};
      co_await write_file_atomically(meta_path(log.options.directory),
                                     seal_record(serialize_to_bytes(*meta)));
    }
  } else if (!meta) {
    throw Error(ErrorCode::file_not_found,
                "log folder " + log.options.directory + " holds no log (its meta file is missing)");
  }
  STRATA_ASSERT_MSG(meta->id == log.options.id, "a log folder holds another log");
  log.meta = *meta;
  DiskQueue::Recovery recovery = co_await DiskQueue::open(log.options.directory + "/log");
  log.queue = std::move(recovery.queue);
  log.spilled_through = log.meta.begin;
  Version end = replay(log, recovery.records);
  recovery.records.clear();
  // A log that existed before this start (a restart, or a repeated recruitment after one)
  // lost its generation with its process: it serves peeks but takes no more commits.
  log.locked = !log.options.create || end > log.meta.begin || log.queue->end_location() > 0;
  log.received.set(end);
  log.durable.set(end);
  spill_if_needed(log);
  log.interface = make_log_interface(log.options.id);
  TraceEvent("LogStarted")
      .id(log.interface.id)
      .detail("Epoch", log.meta.epoch)
      .detail("Begin", log.meta.begin)
      .detail("End", end)
      .detail("Locked", log.locked);

  ActorCollection actors;
  actors.add(serve_commits(&log, log.interface.commit.requests()));
  actors.add(serve_peeks(&log, log.interface.peek.requests()));
  actors.add(serve_pops(&log, log.interface.pop.requests()));
  actors.add(serve_locks(&log, log.interface.lock.requests()));
  actors.add(serve_confirms(&log, log.interface.confirm_running.requests()));
  actors.add(serve_status(&log, log.interface.status.requests()));
  actors.add(serve_wait_failure(log.interface.wait_failure.requests()));
  started.send(LogStarted{log.interface, log.meta.epoch});
  co_await actors.result();
}

}  // namespace strata
