#pragma once

// The deterministic simulator: many machines and processes in one OS thread, virtual
// time, one seeded generator, and a fault model (network latency, clogged links and
// partitions, broken connections, corrupted bytes, process kills and reboots, disks that
// lose or garble unsynced writes on a kill, slow and full disks). A run is a pure
// function of its seed: the same seed gives the same sequence of events and the same
// trace hash.
//
// Every task belongs to a process. While it runs, env().process() is that process, and
// timers, connections and files it creates belong to it. Killing a process drops its
// pending tasks, breaks its connections, cancels its root actor (and so every actor it
// owns), destroys its per-process services and applies crash semantics to the files it
// had open. A rebooted process starts its main function again over the files it left.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "runtime/environment.h"
#include "runtime/sim/sim_disk.h"
#include "runtime/trace.h"

namespace strata::sim {

class SimNetwork;
class SimConnection;
class SimListener;

struct SimMachine {
  std::string id;
  std::string zone;
  uint32_t ip = 0;
  SimFileSystem files;
  // Multiplies every disk latency on this machine (a slow disk).
  double disk_slowdown = 1.0;
  uint16_t next_ephemeral_port = 40000;
};

class SimProcess {
 public:
  std::string name;
  SimMachine* machine = nullptr;
  NetworkAddress address;
  std::string data_dir;
  // Whether fault workloads may kill it (testers and checkers are protected).
  bool killable = true;
  std::function<Future<Void>()> main;

  bool is_alive() const { return alive_; }
  uint64_t incarnation() const { return incarnation_; }
  int index() const { return index_; }
  ProcessContext& context() { return *context_; }
  // Ready when the current incarnation's main function finished (or failed).
  Future<Void> root() const { return root_; }

 private:
  friend class Simulator;
  friend class SimNetwork;

  int index_ = 0;
  bool alive_ = false;
  uint64_t incarnation_ = 0;
  std::unique_ptr<ProcessContext> context_;
  Future<Void> root_;
  Promise<Void> shutdown_;
  std::vector<std::weak_ptr<SimConnection>> connections_;
  // In the order they were first opened: a crash damages them in that order, drawing from
  // the run's random numbers (an order by address would differ between runs).
  std::vector<std::shared_ptr<SimFileData>> open_files_;
};

enum class KillMode {
  // The process dies at once (kill -9 and a power cut of its files): unsynced writes of
  // the files it had open may be lost or garbled; peers see their connections break.
  crash,
  // Asked to stop; its main function gets shutdown_requested() and may finish cleanly.
  graceful,
};

struct SimulationResult {
  bool passed = true;
  std::vector<std::string> failures;
  double simulated_seconds = 0;
  uint64_t events = 0;
  uint64_t trace_hash = 0;
  uint64_t error_events = 0;
};

class Simulator final : public Environment {
 public:
  explicit Simulator(uint64_t seed);
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;
  ~Simulator() override;

  // ---- the simulated world ----
  SimMachine& add_machine(std::string id, std::string zone);
  // Adds a process and boots it (runs `main` in a task of its own at the current time).
  SimProcess& add_process(SimMachine& machine, std::string name, uint16_t port,
                          std::string data_dir, std::function<Future<Void>()> main,
                          bool killable = true);
  void kill_process(SimProcess& process, KillMode mode);
  // Kills (crash) and boots the process again after `downtime_s`.
  void reboot_process(SimProcess& process, double downtime_s);
  void boot_process(SimProcess& process);
  const std::vector<std::unique_ptr<SimProcess>>& processes() const { return processes_; }
  const std::vector<std::unique_ptr<SimMachine>>& machines() const { return machines_; }
  SimNetwork& network() { return *network_; }

  // ---- running ----
  // Runs tasks until `done` is ready, the queue is empty, or simulated time passes
  // `time_limit_s`. Returns whether `done` became ready.
  bool run_until(const Future<Void>& done, double time_limit_s);
  // Runs `body` as the task of `process` now (used to start workloads inside a process).
  void run_in(SimProcess& process, const std::function<void()>& body);
  // Schedules `task` on `process` after `delay_s` (nullptr: the simulator's own context).
  void schedule(SimProcess* process, double delay_s, std::function<void()> task);

  // Marks the run as failed; the reason is reported with the result.
  void fail(std::string reason);
  SimulationResult result() const;
  uint64_t events() const { return events_; }
  uint64_t trace_hash() const;
  SimProcess* current_process() const { return current_; }
  // Prints trace events of at least `severity` as they happen.
  void set_trace_echo(Severity severity);

  // ---- Environment ----
  bool is_simulated() const override { return true; }
  double now() const override { return now_; }
  double wall_time() const override { return wall_clock_start_ + now_; }
  Future<Void> delay(double seconds) override;
  Future<Void> yield() override;
  Random& random() override { return random_; }
  Future<std::shared_ptr<Connection>> connect(NetworkAddress address) override;
  std::shared_ptr<Listener> listen(NetworkAddress address) override;
  Future<std::shared_ptr<File>> open_file(std::string path, unsigned flags) override;
  Future<Void> delete_file(std::string path) override;
  Future<Void> rename_file(std::string from, std::string to) override;
  Future<bool> file_exists(std::string path) override;
  Future<Void> create_directories(std::string path) override;
  Future<Void> delete_directory(std::string path) override;
  Future<std::vector<std::string>> list_directory(std::string path) override;
  Future<Void> sync_directory(std::string path) override;
  void run_blocking(std::unique_ptr<BlockingJob> job) override;
  ProcessContext& process() override;
  ProcessUsage process_usage() const override { return ProcessUsage{}; }
  Future<Void> shutdown_requested() override;
  void run() override;
  void stop() override { stopped_ = true; }

  // The disk of the calling process's machine, and a delay scaled to its speed.
  SimMachine& current_machine();
  Future<Void> disk_delay(double base_latency_s);
  void track_open_file(std::shared_ptr<SimFileData> data);

 private:
  struct Task {
    double time;
    uint64_t sequence;
    SimProcess* process;
    uint64_t incarnation;
    std::function<void()> body;
  };
  struct TaskLater {
    bool operator()(const Task& a, const Task& b) const {
      return a.time != b.time ? a.time > b.time : a.sequence > b.sequence;
    }
  };
  class TraceHasher;
  friend class ScopedProcess;

  // Runs one task; false when the queue is empty.
  bool step();
  Future<Void> watch_root(SimProcess& process, Future<Void> main);
  void crash_files(SimProcess& process);

  Random random_;
  double now_ = 0;
  double wall_clock_start_;
  uint64_t sequence_ = 0;
  uint64_t events_ = 0;
  bool stopped_ = false;
  std::priority_queue<Task, std::vector<Task>, TaskLater> tasks_;
  SimProcess* current_ = nullptr;
  // The context of code that runs outside every simulated process (setup, checks).
  ProcessContext system_context_;
  std::vector<std::unique_ptr<SimMachine>> machines_;
  std::vector<std::unique_ptr<SimProcess>> processes_;
  std::unique_ptr<SimNetwork> network_;
  std::unique_ptr<TraceHasher> trace_hasher_;
  std::vector<std::string> failures_;
  Environment* previous_environment_;
  TraceSink* previous_sink_;
};

// Makes `process` the current one for the lifetime of the guard.
class ScopedProcess {
 public:
  ScopedProcess(Simulator& simulator, SimProcess* process);
  ~ScopedProcess();
  ScopedProcess(const ScopedProcess&) = delete;
  ScopedProcess& operator=(const ScopedProcess&) = delete;

 private:
  Simulator& simulator_;
  SimProcess* previous_;
};

// The simulator behind env(); asserts that this thread runs a simulation.
Simulator& simulator();

}  // namespace strata::sim
