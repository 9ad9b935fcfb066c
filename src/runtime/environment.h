#pragma once

// The one interface through which Strata touches the outside world: clock and timers,
// randomness, network, files, blocking work and process identity. Two backends implement
// it: real/ (epoll, POSIX files, the monotonic clock) and sim/ (many processes in one
// thread, virtual time, a seeded generator and injected faults). Code outside those
// backends must not use OS clocks, threads, sockets, files or randomness directly; a lint
// test enforces it.
//
// All calls are made from the event loop's thread. Calls that return a Future may
// suspend; none blocks the thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "runtime/future.h"
#include "runtime/network_address.h"
#include "runtime/process_context.h"
#include "runtime/random.h"
#include "runtime/uid.h"

namespace strata {

// A byte stream to another process.
class Connection {
 public:
  virtual ~Connection() = default;

  // Queues bytes to send. Never blocks and never fails here: a broken connection shows
  // up as an error from read(). Bytes are sent in order.
  virtual void write(std::string_view bytes) = 0;
  // The next bytes received (at least one). Fails with connection_failed once the
  // connection is broken or closed by either side. One read at a time.
  virtual Future<std::string> read() = 0;
  // Bytes queued by write() that the network has not taken yet.
  virtual size_t unsent_bytes() const = 0;
  // Closes both directions now; unsent bytes are dropped. Idempotent.
  virtual void close() = 0;

  // The address of the other end as this side sees it.
  virtual NetworkAddress peer_address() const = 0;
  // Identifies the connection in trace events.
  virtual UID debug_id() const = 0;
};

class Listener {
 public:
  virtual ~Listener() = default;
  // The next incoming connection. Stops accepting when the listener is destroyed.
  virtual Future<std::shared_ptr<Connection>> accept() = 0;
  virtual NetworkAddress address() const = 0;
};

namespace open_flags {
constexpr unsigned read_only = 1u << 0;
constexpr unsigned read_write = 1u << 1;
// Create the file if it does not exist.
constexpr unsigned create = 1u << 2;
// With create: fail with io_error if the file exists.
constexpr unsigned exclusive = 1u << 3;
// Hold an exclusive lock on the file while it is open; fail with lock_file_failure if
// another process (or another open in this one) holds it. Guards a data folder against
// two servers at once.
constexpr unsigned lock = 1u << 4;
}  // namespace open_flags

// A file opened for positional I/O. Data written is durable only once a later sync()
// has completed; a crash may lose, keep, or (in simulation) garble any unsynced write.
// Operations on one file may complete out of order; callers order them.
class File {
 public:
  virtual ~File() = default;

  // Up to `length` bytes from `offset` (fewer at the end of the file).
  virtual Future<std::string> read(int64_t offset, int64_t length) = 0;
  virtual Future<Void> write(int64_t offset, std::string data) = 0;
  virtual Future<Void> truncate(int64_t size) = 0;
  // Makes every completed write and the file's size durable.
  virtual Future<Void> sync() = 0;
  // write() then sync(), as one step: a real file does both in one trip to a pool
  // thread, which is one thread hand-off less on a log's commit path. The file must
  // outlive the returned future.
  virtual Future<Void> write_and_sync(int64_t offset, std::string data);
  virtual Future<int64_t> size() = 0;
  virtual const std::string& path() const = 0;
};

// Work that blocks (a system call, a RocksDB call) and so must not run on the loop.
class BlockingJob {
 public:
  virtual ~BlockingJob() = default;
  // On a pool thread (in simulation: on the loop, later in virtual time). Touches only
  // the job's own data.
  virtual void execute() = 0;
  // Back on the loop's thread, after execute().
  virtual void complete() = 0;
};

// What the process has used of the machine, for INFO and status.
struct ProcessUsage {
  // CPU seconds since the process started, in user and in kernel mode.
  double cpu_user_s = 0;
  double cpu_system_s = 0;
  // Resident memory, in bytes.
  int64_t resident_bytes = 0;
};

class Environment {
 public:
  virtual ~Environment() = default;

  virtual bool is_simulated() const = 0;

  // Monotonic seconds (virtual time in simulation).
  virtual double now() const = 0;
  // Seconds since the Unix epoch (in simulation, a fixed start plus now()).
  virtual double wall_time() const = 0;
  virtual Future<Void> delay(double seconds) = 0;
  // Ready once every task queued before it has run.
  virtual Future<Void> yield() = 0;

  virtual Random& random() = 0;

  // Fails with connection_failed when nobody accepts.
  virtual Future<std::shared_ptr<Connection>> connect(NetworkAddress address) = 0;
  // Throws address_in_use or bind_failed, naming the address.
  virtual std::shared_ptr<Listener> listen(NetworkAddress address) = 0;

  // Fails with file_not_found when the file is missing and open_flags::create is not set.
  virtual Future<std::shared_ptr<File>> open_file(std::string path, unsigned flags) = 0;
  // Deleting a missing file is not an error.
  virtual Future<Void> delete_file(std::string path) = 0;
  // Atomically replaces `to` with `from`.
  virtual Future<Void> rename_file(std::string from, std::string to) = 0;
  virtual Future<bool> file_exists(std::string path) = 0;
  virtual Future<Void> create_directories(std::string path) = 0;
  // Deletes a folder and everything in it; nothing happens when it does not exist.
  virtual Future<Void> delete_directory(std::string path) = 0;
  // Names (not paths) of the entries of a directory, sorted.
  virtual Future<std::vector<std::string>> list_directory(std::string path) = 0;
  // Makes creations, renames and deletions inside the directory durable.
  virtual Future<Void> sync_directory(std::string path) = 0;

  virtual void run_blocking(std::unique_ptr<BlockingJob> job) = 0;

  // The process the calling code runs in. In simulation it changes with every task.
  virtual ProcessContext& process() = 0;
  // The operating system's figures for this process (in simulation, where processes share
  // one real process, zeros: a figure of the host would make runs differ).
  virtual ProcessUsage process_usage() const = 0;
  // Ready when the process is asked to stop cleanly (SIGINT or SIGTERM; in simulation,
  // a graceful shutdown).
  virtual Future<Void> shutdown_requested() = 0;

  // Runs the loop until stop(). A stop() made before run() ends the next run() at once.
  virtual void run() = 0;
  virtual void stop() = 0;
};

// The environment of this thread. Set by the backend that owns the loop.
Environment& env();
bool has_env();
void set_env(Environment* environment);

// The folder a file path names its file in ("." for a bare name), for sync_directory.
std::string directory_of(const std::string& path);

inline double now() {
  return env().now();
}
Future<Void> delay(double seconds);
inline Future<Void> yield() {
  return env().yield();
}

// What run_blocking's future carries: the work's result, or Void for void work.
template <class Work>
using BlockingResult = std::conditional_t<std::is_void_v<std::invoke_result_t<Work&>>, Void,
                                          std::invoke_result_t<Work&>>;

// Runs `work` off the loop and completes with its result (or the Error it threw).
template <class Work>
Future<BlockingResult<Work>> run_blocking(Work work) {
  using Result = std::invoke_result_t<Work&>;
  using Stored = BlockingResult<Work>;

  class Job final : public BlockingJob {
   public:
    explicit Job(Work work) : work_(std::move(work)) {}
    void execute() override {
      try {
        if constexpr (std::is_void_v<Result>) {
          work_();
          result_.emplace(Void{});
        } else {
          result_.emplace(work_());
        }
      } catch (Error& error) {
        error_.emplace(std::move(error));
      }
    }
    void complete() override {
      if (error_) {
        promise_.send_error(std::move(*error_));
      } else {
        promise_.send(std::move(*result_));
      }
    }
    Future<Stored> future() const { return promise_.get_future(); }

   private:
    Work work_;
    std::optional<Stored> result_;
    std::optional<Error> error_;
    Promise<Stored> promise_;
  };

  auto job = std::make_unique<Job>(std::move(work));
  Future<Stored> result = job->future();
  env().run_blocking(std::move(job));
  return result;
}

}  // namespace strata
