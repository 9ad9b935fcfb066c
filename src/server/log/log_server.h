#pragma once

// A log server: one generation's durable, ordered record of committed mutations, indexed
// by storage-server tag.
//
// - A log is created for one generation (epoch) and holds the versions after the
//   generation's recovery version (`begin`). Commits arrive from the commit proxies as
//   (prev_version, version) links of one chain and are accepted strictly in chain order;
//   each is appended to a DiskQueue and answered once it is durable (group commit).
//   A retried commit of a version already received is answered when that version is
//   durable.
// - Lock (a newer generation is recovering): from then on every commit is refused, and
//   commits waiting for their turn are released with tlog_stopped. The lock answers once
//   everything received is durable, with that end: so the end covers every commit the log
//   has acknowledged or ever will, and the recovery version, which is at most the end of
//   every log it locked, never falls below an acknowledged commit.
// - Peeks return a tag's mutations from a version on, only up to what is durable, waiting
//   a bounded time when nothing new is durable yet. A locked log keeps serving peeks (its
//   generation is an old generation storage servers may still need).
// - Pops release a tag's mutations up to a version; the queue's front is released once no
//   tag needs it, but the newest record is always kept so that the log knows its end.
//
// - Spilling: unpopped mutations are kept in memory, indexed by tag, up to
//   log_spill_threshold_bytes; past it the oldest durable versions leave memory (down to
//   half the threshold) and peeks of them read the disk queue's records, which every
//   version keeps until every tag popped it. A storage server that is down for long (or
//   lost for good) so costs the log disk, not memory.
//
// A log that restarts recovers from its files locked: its generation ended with its
// process (the controller recovers when a process of the current generation restarts).

#include <optional>
#include <string>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/future.h"

namespace strata {

// The interface of log `id` in this process (its tokens derive from the id).
LogInterface make_log_interface(UID id);

struct NewLog {
  uint64_t epoch = 0;
  Version begin = 0;
  std::vector<Tag> tags;
};

struct LogServerOptions {
  UID id;
  // Where the log keeps its files: DIRECTORY/meta (its generation and tags, written once)
  // and its disk queue, DIRECTORY/log.
  std::string directory;
  // Set to create the log; unset to recover an existing one from its folder.
  std::optional<NewLog> create;
};

struct LogStarted {
  LogInterface interface;
  uint64_t epoch = 0;
};

// Creates or recovers the log and serves it until cancelled. `started` is answered once it
// serves: a new log once its generation is durable, a recovered one once it has read its
// files.
Future<Void> run_log_server(LogServerOptions options, Promise<LogStarted> started);

// The generation a log folder was created for (from its meta file); nullopt when the
// folder holds no complete log.
Future<std::optional<uint64_t>> stored_log_epoch(std::string directory);

}  // namespace strata
