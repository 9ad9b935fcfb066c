#pragma once

// A log server: the durable, ordered record of committed mutations of the current
// generation, indexed by storage-server tag.
//
// - Commits arrive from the commit proxies as (prev_version, version) links of one chain
//   and are accepted strictly in chain order; each is appended to a DiskQueue and answered
//   once it is durable (group commit shares the fsync among concurrent commits).
//   A retried commit of a version already received is answered when that version is
//   durable.
// - Peeks return a tag's mutations from a version on, only up to what is durable, waiting
//   a bounded time when nothing new is durable yet.
// - Pops release a tag's mutations up to a version; the queue's front is released once no
//   tag needs it.
// - Generations: every record carries its epoch. A lock refuses commits from then on and
//   reports the durable end; start_epoch begins a new generation at a recovery version,
//   durably discarding anything after it.
//
// All unpopped mutations are kept in memory (the ratekeeper, to come, bounds how far
// storage servers may fall behind).

#include <memory>
#include <string>
#include <vector>

#include "interfaces/cluster_interface.h"
#include "runtime/future.h"

namespace strata {

LogInterface make_log_interface(UID id);

struct LogServerOptions {
  UID id;
  // Where the log keeps its files; its disk queue is DIRECTORY/log.
  std::string directory;
  // The tags it serves (every storage server's).
  std::vector<Tag> tags;
};

// Opens (or recovers) the log's files and serves `interface` until cancelled. `started`
// receives what the log holds durably once it is ready, locked until start_epoch.
Future<Void> run_log_server(LogInterface interface, LogServerOptions options,
                            Promise<InitializeLogReply> started);

}  // namespace strata
