#pragma once

// The one network of a process using libfdb_c.so: Strata's runtime (a real environment
// and a client transport) running on the thread that calls fdb_run_network(), and the way
// other threads hand it work.
//
// Every native client object (databases, transactions, the operations behind futures) is
// created, used and destroyed on the network thread only; the C functions, called from
// any thread, post closures to it. Closures run in the order they were posted, so a
// thread's set() followed by its commit() reach the transaction in that order.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>  // lint: allows thread because applications call in from their threads
#include <optional>
#include <string>
#include <thread>  // lint: allows thread because applications call in from their threads
#include <utility>
#include <vector>

#include "foundationdb/fdb_c_types.h"

namespace strata::real {
class RealEnvironment;
}

namespace strata::fdb_c {

class Network {
 public:
  static Network& instance();

  // FoundationDB's handshake: 2201 once a version was chosen, 2203 for a header newer
  // than this library or a version below 13, 2202 when the runtime version is above the
  // header's.
  fdb_error_t select_api_version(int runtime_version, int header_version);
  // 0 until a version was selected.
  int api_version() const { return api_version_.load(); }

  fdb_error_t setup();
  // Whether setup() was called.
  bool is_set_up() const;
  // Runs the loop on the calling thread until stop(); then runs the completion hooks.
  fdb_error_t run();
  fdb_error_t stop();
  fdb_error_t add_completion_hook(void (*hook)(void*), void* parameter);

  // The client's trace files (network options trace_enable, trace_log_group,
  // trace_file_identifier): set before setup(), opened by run() on the network thread.
  void set_trace_directory(std::string directory);
  void set_trace_log_group(std::string group);
  void set_trace_file_identifier(std::string identifier);

  // Runs `task` on the network thread after every task posted before it. Before run(),
  // tasks wait for it. Returns false (and drops the task) once the network has stopped.
  bool post(std::function<void()> task);
  // Whether the calling thread is the network thread.
  bool on_network_thread() const;

  // Counts the handles (databases, transactions, futures) alive: when none is left once
  // the loop stops, the environment is torn down; otherwise it stays for them.
  void handle_created() { ++live_handles_; }
  void handle_destroyed() { --live_handles_; }

 private:
  enum class State { idle, set_up, running, stopped };

  std::atomic<int> api_version_{0};
  std::atomic<int64_t> live_handles_{0};
  mutable std::mutex mutex_;  // lint: allows thread because applications call from theirs
  State state_ = State::idle;
  bool stop_requested_ = false;
  std::vector<std::function<void()>> waiting_tasks_;
  real::RealEnvironment* environment_ = nullptr;
  std::thread::id network_thread_;  // lint: allows thread because it names the loop's thread
  std::vector<std::pair<void (*)(void*), void*>> completion_hooks_;
  std::optional<std::string> trace_directory_;
  std::string trace_log_group_;
  std::string trace_file_identifier_;
};

// A member that counts its owner as a live handle.
class CountedHandle {
 public:
  CountedHandle() { Network::instance().handle_created(); }
  CountedHandle(const CountedHandle&) = delete;
  CountedHandle& operator=(const CountedHandle&) = delete;
  ~CountedHandle() { Network::instance().handle_destroyed(); }
};

}  // namespace strata::fdb_c
