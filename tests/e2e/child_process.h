#pragma once

// Starting and stopping real processes from end-to-end tests: a child with its standard
// output on a pipe, lines read as they come, signals, and its exit status.

#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "client/cluster_connection.h"

namespace strata::testing {

class ChildProcess {
 public:
  // Starts `program` with `arguments` in `directory`; stderr goes to the same pipe.
  ChildProcess(const std::string& program, const std::vector<std::string>& arguments,
               const std::string& directory);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills the child if it still runs.
  ~ChildProcess();

  // The next line of output, or nullopt at end of output or after `timeout_s` (a guard
  // against hangs, not a performance bound).
  std::optional<std::string> read_line(double timeout_s);
  // Reads lines until one contains `text`; returns it, or nullopt.
  std::optional<std::string> wait_for_line(const std::string& text, double timeout_s);
  void send_signal(int signal_number);
  // The exit status (or 128 + signal), waiting up to `timeout_s`; nullopt if still running.
  // Once the child has exited, its remaining output is read into the transcript.
  std::optional<int> wait(double timeout_s);
  pid_t pid() const { return pid_; }
  // Everything read so far, for failure messages.
  const std::string& transcript() const { return transcript_; }

 private:
  pid_t pid_ = -1;
  int output_fd_ = -1;
  std::string buffer_;
  std::string transcript_;
  std::optional<int> status_;
};

// A directory that is removed with everything in it when the object goes away.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
int free_loopback_port();

// A one-process strata-server on a free loopback port, started in `folder` (its data and
// its cluster file, strata.cluster, go there), once it listens; throws (failing the test)
// if it does not within `hang_guard_s`.
std::unique_ptr<ChildProcess> start_single_server(const std::string& folder, double hang_guard_s);

// The connection string in the cluster file at `path` (a server writes one when it
// starts without); fails the test when there is none.
ClusterConnectionString cluster_file_at(const std::string& path);

}  // namespace strata::testing
