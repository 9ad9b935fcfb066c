#include "runtime/sim/simulator.h"

#include <algorithm>
#include <bit>
#include <cstdio>

#include <xxhash.h>

#include "runtime/buggify.h"
#include "runtime/sim/sim_knobs.h"
#include "runtime/sim/sim_network.h"

namespace strata::sim {

// Hashes every trace event (they carry virtual time and the process) into the run's
// trace hash, counts error-severity events, and optionally prints events.
class Simulator::TraceHasher final : public TraceSink {
 public:
  TraceHasher() : state_(XXH64_createState()) { XXH64_reset(state_, 0); }
  ~TraceHasher() override { XXH64_freeState(state_); }

  void write(Severity severity, std::string_view type, std::string_view json) override {
    XXH64_update(state_, json.data(), json.size());
    if (severity >= Severity::error) {
      ++error_events_;
      if (first_error_.empty()) first_error_ = std::string(json);
    }
    if (severity >= echo_severity_min_) {
      std::printf("%.*s\n", static_cast<int>(json.size()), json.data());
    }
  }
  void add(const void* bytes, size_t length) { XXH64_update(state_, bytes, length); }
  uint64_t digest() const { return XXH64_digest(state_); }
  uint64_t error_events() const { return error_events_; }
  const std::string& first_error() const { return first_error_; }
  void set_echo(Severity severity) { echo_severity_min_ = severity; }

 private:
  XXH64_state_t* state_;
  uint64_t error_events_ = 0;
  std::string first_error_;
  Severity echo_severity_min_ = static_cast<Severity>(1000);
};

namespace {
// A fixed start for wall_time(): traces of the same seed must not depend on the host clock.
constexpr double simulated_epoch_s = 1.7e9;
}  // namespace

Simulator::Simulator(uint64_t seed)
    : random_(seed),
      wall_clock_start_(simulated_epoch_s),
      system_context_(ProcessIdentity{}),
      network_(std::make_unique<SimNetwork>(*this)),
      trace_hasher_(std::make_unique<TraceHasher>()),
      previous_environment_(has_env() ? &env() : nullptr),
      previous_sink_(trace_sink()) {
  set_env(this);
  set_trace_sink(trace_hasher_.get());
}

Simulator::~Simulator() {
  // Kill everything still running, so that every actor is cancelled while the world it
  // lives in still exists.
  for (auto& process : processes_) {
    if (process->alive_) kill_process(*process, KillMode::crash);
  }
  while (!tasks_.empty())
    tasks_.pop();
  for (auto& process : processes_)
    process->context_.reset();
  set_buggify(nullptr);
  set_trace_sink(previous_sink_ == trace_hasher_.get() ? nullptr : previous_sink_);
  set_env(previous_environment_);
}

Simulator& simulator() {
  STRATA_ASSERT_MSG(has_env() && env().is_simulated(), "not running in simulation");
  return static_cast<Simulator&>(env());
}

ScopedProcess::ScopedProcess(Simulator& simulator, SimProcess* process)
    : simulator_(simulator), previous_(simulator.current_) {
  simulator_.current_ = process;
}

ScopedProcess::~ScopedProcess() {
  simulator_.current_ = previous_;
}

SimMachine& Simulator::add_machine(std::string id, std::string zone) {
  auto machine = std::make_unique<SimMachine>();
  machine->id = std::move(id);
  machine->zone = std::move(zone);
  // 10.0.x.y, one address per machine, in order of creation.
  auto number = static_cast<uint32_t>(machines_.size() + 1);
  machine->ip = (10u << 24) | (number & 0xffffff);
  machines_.push_back(std::move(machine));
  return *machines_.back();
}

SimProcess& Simulator::add_process(SimMachine& machine, std::string name, uint16_t port,
                                   std::string data_dir, std::function<Future<Void>()> main,
                                   bool killable) {
  auto process = std::make_unique<SimProcess>();
  process->name = std::move(name);
  process->machine = &machine;
  process->address = NetworkAddress(machine.ip, port);
  process->data_dir = std::move(data_dir);
  process->killable = killable;
  process->main = std::move(main);
  process->index_ = static_cast<int>(processes_.size());
  processes_.push_back(std::move(process));
  SimProcess& added = *processes_.back();
  boot_process(added);
  return added;
}

void Simulator::boot_process(SimProcess& process) {
  STRATA_ASSERT(!process.alive_);
  ++process.incarnation_;
  process.alive_ = true;
  process.shutdown_ = Promise<Void>();
  ProcessIdentity identity{process.address, process.machine->id, process.machine->zone,
                           process.data_dir};
  process.context_ = std::make_unique<ProcessContext>(std::move(identity));
  schedule(&process, 0, [this, &process] {
    TraceEvent("SimProcessBooted")
        .detail("Name", process.name)
        .detail("Incarnation", process.incarnation_);
    process.root_ = watch_root(process, process.main());
  });
}

// A process's main function failing with an error is a crash nobody asked for: it fails
// the simulation (an error-severity event), unless the process was being killed.
Future<Void> Simulator::watch_root(SimProcess& process, Future<Void> main) {
  try {
    co_await main;
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    TraceEvent(Severity::error, "SimProcessFailed").detail("Name", process.name).error(error);
    throw;
  }
}

void Simulator::kill_process(SimProcess& process, KillMode mode) {
  if (!process.alive_) return;
  ScopedProcess in_process(*this, &process);
  if (mode == KillMode::graceful) {
    TraceEvent("SimProcessShutdownRequested").detail("Name", process.name);
    if (!process.shutdown_.is_set()) process.shutdown_.send(Void{});
    return;
  }
  TraceEvent("SimProcessKilled")
      .detail("Name", process.name)
      .detail("Incarnation", process.incarnation_);
  // Dead before anything else: whatever its actors do while they unwind must not reach
  // the network or the disk.
  process.alive_ = false;
  network_->break_connections_of(process, "process " + process.name + " died");
  process.root_.cancel();
  process.context_->clear_services();
  crash_files(process);
  // Tasks it left behind are recognised by their stale incarnation and dropped.
  ++process.incarnation_;
}

void Simulator::reboot_process(SimProcess& process, double downtime_s) {
  kill_process(process, KillMode::crash);
  schedule(nullptr, downtime_s, [this, &process] {
    if (!process.alive_) boot_process(process);
  });
}

void Simulator::crash_files(SimProcess& process) {
  for (const std::shared_ptr<SimFileData>& data : process.open_files_) {
    crash_file(*data, random_, sim_knobs().sim_disk_page_bytes);
  }
  process.open_files_.clear();
}

void Simulator::track_open_file(std::shared_ptr<SimFileData> data) {
  if (!current_) return;
  std::vector<std::shared_ptr<SimFileData>>& open = current_->open_files_;
  if (std::find(open.begin(), open.end(), data) == open.end()) open.push_back(std::move(data));
}

void Simulator::schedule(SimProcess* process, double delay_s, std::function<void()> task) {
  Task entry{now_ + std::max(0.0, delay_s), sequence_++, process,
             process ? process->incarnation_ : 0, std::move(task)};
  tasks_.push(std::move(entry));
}

bool Simulator::step() {
  if (tasks_.empty()) return false;
  // priority_queue only hands out const references; the task is moved out before pop.
  Task task = std::move(const_cast<Task&>(tasks_.top()));
  tasks_.pop();
  STRATA_ASSERT(task.time >= now_);
  now_ = task.time;
  if (task.process && (!task.process->alive_ || task.process->incarnation_ != task.incarnation)) {
    return true;  // its process died since
  }
  ++events_;
  uint64_t stamp[2] = {std::bit_cast<uint64_t>(now_),
                       task.process ? static_cast<uint64_t>(task.process->index_) + 1 : 0};
  trace_hasher_->add(stamp, sizeof(stamp));
  ScopedProcess in_process(*this, task.process);
  task.body();
  return true;
}

bool Simulator::run_until(const Future<Void>& done, double time_limit_s) {
  while (!done.is_ready() && !stopped_) {
    if (!tasks_.empty() && tasks_.top().time > time_limit_s) break;
    if (!step()) break;
  }
  stopped_ = false;
  return done.is_ready();
}

void Simulator::run() {
  while (!stopped_ && step()) {
  }
  stopped_ = false;
}

void Simulator::run_in(SimProcess& process, const std::function<void()>& body) {
  ScopedProcess in_process(*this, &process);
  body();
}

void Simulator::fail(std::string reason) {
  TraceEvent(Severity::warn_always, "SimulationFailure").detail("Reason", reason);
  failures_.push_back(std::move(reason));
}

uint64_t Simulator::trace_hash() const {
  return trace_hasher_->digest();
}

void Simulator::set_trace_echo(Severity severity) {
  trace_hasher_->set_echo(severity);
}

SimulationResult Simulator::result() const {
  SimulationResult result;
  result.failures = failures_;
  if (trace_hasher_->error_events() > 0) {
    result.failures.push_back("error-severity trace event: " + trace_hasher_->first_error());
  }
  result.passed = result.failures.empty();
  result.simulated_seconds = now_;
  result.events = events_;
  result.trace_hash = trace_hasher_->digest();
  result.error_events = trace_hasher_->error_events();
  return result;
}

Future<Void> Simulator::delay(double seconds) {
  Promise<Void> promise;
  Future<Void> fired = promise.get_future();
  schedule(current_, seconds, [promise]() mutable { promise.send(Void{}); });
  return fired;
}

Future<Void> Simulator::yield() {
  return delay(0);
}

ProcessContext& Simulator::process() {
  return current_ ? *current_->context_ : system_context_;
}

Future<Void> Simulator::shutdown_requested() {
  if (!current_) return never<Void>();
  return current_->shutdown_.get_future();
}

SimMachine& Simulator::current_machine() {
  STRATA_ASSERT_MSG(current_ != nullptr, "file access outside a simulated process");
  return *current_->machine;
}

Future<Void> Simulator::disk_delay(double base_latency_s) {
  double latency = base_latency_s * current_machine().disk_slowdown;
  latency *= random_.uniform_real(0.5, 1.5);
  if (BUGGIFY) latency += random_.uniform_real(0, 0.1);  // a slow I/O now and then
  return delay(latency);
}

Future<std::shared_ptr<Connection>> Simulator::connect(NetworkAddress address) {
  return network_->connect(address);
}

std::shared_ptr<Listener> Simulator::listen(NetworkAddress address) {
  return network_->listen(address);
}

namespace {

Future<std::shared_ptr<File>> open_sim_file(Simulator& simulator, std::string path,
                                            unsigned flags) {
  co_await simulator.disk_delay(sim_knobs().sim_disk_read_latency_s);
  SimFileSystem& files = simulator.current_machine().files;
  std::shared_ptr<SimFileData> data = files.find(path);
  if (data && (flags & open_flags::create) && (flags & open_flags::exclusive)) {
    throw Error(ErrorCode::io_error, "opening " + path + ": the file exists");
  }
  if (!data) {
    if (!(flags & open_flags::create)) {
      throw Error(ErrorCode::file_not_found, "opening " + path + ": no such file");
    }
    data = files.create(path);
  }
  bool locked = (flags & open_flags::lock) != 0;
  if (locked && !files.try_lock(path)) {
    throw Error(ErrorCode::lock_file_failure,
                path + " is locked: another process is using this data folder");
  }
  simulator.track_open_file(data);
  co_return make_sim_file(simulator, std::move(data), std::move(path),
                          (flags & open_flags::read_write) != 0, locked);
}

Future<Void> metadata_operation(Simulator& simulator, std::function<void(SimFileSystem&)> change) {
  co_await simulator.disk_delay(sim_knobs().sim_disk_write_latency_s);
  change(simulator.current_machine().files);
}

}  // namespace

Future<std::shared_ptr<File>> Simulator::open_file(std::string path, unsigned flags) {
  return open_sim_file(*this, std::move(path), flags);
}

// Creations, renames and deletions are durable at once in simulation (as after a
// sync_directory that always follows them in correct code).
Future<Void> Simulator::delete_file(std::string path) {
  return metadata_operation(*this, [path](SimFileSystem& files) { files.remove(path); });
}

Future<Void> Simulator::rename_file(std::string from, std::string to) {
  return metadata_operation(*this, [from, to](SimFileSystem& files) { files.rename(from, to); });
}

Future<bool> Simulator::file_exists(std::string path) {
  co_await disk_delay(sim_knobs().sim_disk_read_latency_s);
  co_return current_machine().files.exists(path);
}

Future<Void> Simulator::create_directories(std::string path) {
  return metadata_operation(*this, [path](SimFileSystem& files) {
    for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
      files.add_directory(path.substr(0, slash));
      if (slash == std::string::npos) break;
    }
  });
}

Future<Void> Simulator::delete_directory(std::string path) {
  return metadata_operation(*this, [path](SimFileSystem& files) { files.remove_tree(path); });
}

Future<std::vector<std::string>> Simulator::list_directory(std::string path) {
  co_await disk_delay(sim_knobs().sim_disk_read_latency_s);
  co_return current_machine().files.list(path);
}

Future<Void> Simulator::sync_directory(std::string path) {
  return disk_delay(sim_knobs().sim_disk_sync_latency_s);
}

void Simulator::run_blocking(std::unique_ptr<BlockingJob> job) {
  std::shared_ptr<BlockingJob> shared(std::move(job));
  schedule(current_, sim_knobs().sim_blocking_job_latency_s * random_.uniform_real(0.5, 2.0),
           [shared] {
             shared->execute();
             shared->complete();
           });
}

}  // namespace strata::sim
