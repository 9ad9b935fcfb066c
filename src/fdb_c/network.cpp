#include "fdb_c/network.h"

#include <cstdio>

#include <unistd.h>  // lint: allows file because client trace files are named after the process id

#include "fdb_c/options.h"
#include "rpc/transport.h"
#include "runtime/error.h"
#include "runtime/real/real_environment.h"
#include "runtime/real/trace_file.h"
#include "runtime/trace.h"

namespace strata::fdb_c {

namespace {

constexpr int max_api_version = 730;
constexpr int min_api_version = 13;

fdb_error_t code(ErrorCode error) {
  return static_cast<fdb_error_t>(error);
}

}  // namespace

Network& Network::instance() {
  static Network network;
  return network;
}

fdb_error_t Network::select_api_version(int runtime_version, int header_version) {
  if (api_version_.load() != 0) return code(ErrorCode::api_version_already_set);
  if (header_version > max_api_version || runtime_version < min_api_version)
    return code(ErrorCode::api_version_not_supported);
  if (runtime_version > header_version) return code(ErrorCode::api_version_invalid);
  int expected = 0;
  if (!api_version_.compare_exchange_strong(expected, runtime_version))
    return code(ErrorCode::api_version_already_set);
  return 0;
}

fdb_error_t Network::setup() {
  if (api_version() == 0) return code(ErrorCode::api_version_unset);
  if (is_set_up()) return code(ErrorCode::network_already_setup);
  if (fdb_error_t error = set_network_options_from_environment()) return error;
  std::lock_guard lock(mutex_);
  if (state_ != State::idle) return code(ErrorCode::network_already_setup);
  state_ = State::set_up;
  return 0;
}

bool Network::is_set_up() const {
  std::lock_guard lock(mutex_);
  return state_ != State::idle;
}

fdb_error_t Network::run() {
  real::RealEnvironment* environment;
  std::optional<std::string> trace_directory;
  std::string trace_name;
  std::string trace_log_group;
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::idle) return code(ErrorCode::network_not_setup);
    if (state_ != State::set_up) return code(ErrorCode::network_cannot_be_restarted);
    environment = new real::RealEnvironment();
    Transport::install(NetworkAddress());
    for (std::function<void()>& task : waiting_tasks_)
      environment->post(std::move(task));
    waiting_tasks_.clear();
    if (stop_requested_) environment->stop();
    environment_ = environment;
    network_thread_ = std::this_thread::get_id();  // lint: allows thread because it is ours
    state_ = State::running;
    trace_directory = trace_directory_;
    trace_name = trace_file_identifier_.empty() ? "client." + std::to_string(::getpid())
                                                : trace_file_identifier_;
    trace_log_group = trace_log_group_.empty() ? "default" : trace_log_group_;
  }
  std::optional<real::TraceFile> trace_file;
  if (trace_directory) {
    try {
      trace_file.emplace(*trace_directory, trace_name);
    } catch (const Error& error) {
      std::fprintf(stderr, "libfdb_c: no trace files: %s\n", error.message().c_str());
    }
  }
  if (trace_file) {
    set_trace_sink(&*trace_file);
    TraceEvent("ClientStarted")
        .detail("LogGroup", trace_log_group)
        .detail("ApiVersion", api_version())
        .detail("TraceFile", trace_file->current_path());
  }
  environment->run();
  if (trace_file) {
    trace_file->flush();
    set_trace_sink(nullptr);
  }
  std::vector<std::pair<void (*)(void*), void*>> hooks;
  {
    std::lock_guard lock(mutex_);
    state_ = State::stopped;
    environment_ = nullptr;
    hooks = completion_hooks_;
  }
  // Handles the application has not destroyed still hold objects of the loop's
  // environment: then it stays (tearing it down under them would be worse than leaking it
  // at exit). Otherwise it goes, with the transport and every connection.
  if (live_handles_.load() == 0) delete environment;
  for (auto& [hook, parameter] : hooks)
    hook(parameter);
  return 0;
}

fdb_error_t Network::stop() {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::idle:
      return code(ErrorCode::network_not_setup);
    case State::set_up:
      stop_requested_ = true;
      return 0;
    case State::running:
      environment_->post_from_any_thread([] { env().stop(); });
      return 0;
    case State::stopped:
      return 0;
  }
  return 0;
}

void Network::set_trace_directory(std::string directory) {
  std::lock_guard lock(mutex_);
  trace_directory_ = std::move(directory);
}

void Network::set_trace_log_group(std::string group) {
  std::lock_guard lock(mutex_);
  trace_log_group_ = std::move(group);
}

void Network::set_trace_file_identifier(std::string identifier) {
  std::lock_guard lock(mutex_);
  trace_file_identifier_ = std::move(identifier);
}

fdb_error_t Network::add_completion_hook(void (*hook)(void*), void* parameter) {
  std::lock_guard lock(mutex_);
  if (state_ == State::idle) return code(ErrorCode::network_not_setup);
  completion_hooks_.emplace_back(hook, parameter);
  return 0;
}

bool Network::post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  switch (state_) {
    case State::idle:
    case State::set_up:
      waiting_tasks_.push_back(std::move(task));
      return true;
    case State::running:
      environment_->post_from_any_thread(std::move(task));
      return true;
    case State::stopped:
      return false;
  }
  return false;
}

bool Network::on_network_thread() const {
  std::lock_guard lock(mutex_);
  return state_ == State::running &&
         network_thread_ == std::this_thread::get_id();  // lint: allows thread because ours
}

}  // namespace strata::fdb_c
