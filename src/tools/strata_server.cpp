// strata-server: a Strata server process. With no arguments it serves on 127.0.0.1:4500,
// keeps its data in ./strata-data and writes ./strata.cluster if there is none.
// SIGINT or SIGTERM stop it cleanly.

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/combinators.h"
#include "runtime/error.h"
#include "runtime/knobs.h"
#include "runtime/real/real_environment.h"
#include "runtime/real/trace_file.h"
#include "runtime/trace.h"
#include "server/worker/worker.h"

namespace {

using namespace strata;

constexpr const char* usage_text =
    "usage: strata-server [--listen HOST:PORT] [--data DIR] [--cluster-file FILE]\n"
    "                     [--log-dir DIR] [--storage-engine memory|rocksdb]\n"
    "                     [--knob NAME=VALUE]...\n"
    "\n"
    "  --listen HOST:PORT   address to serve on (default 127.0.0.1:4500)\n"
    "  --data DIR           folder for this server's data (default ./strata-data)\n"
    "  --cluster-file FILE  the cluster file; written if missing (default ./strata.cluster)\n"
    "  --log-dir DIR        folder for trace logs (default DATA/logs)\n"
    "  --storage-engine E   memory or rocksdb, for storage servers created from now on\n"
    "                       (default memory); existing ones keep theirs\n"
    "  --knob NAME=VALUE    set a tuning knob\n"
    "  --version            print the version and exit\n";

struct ServerArguments {
  WorkerOptions worker{NetworkAddress::from_octets(127, 0, 0, 1, 4500), "strata-data",
                       "strata.cluster", std::nullopt, ClusterConfiguration{}};
  std::optional<std::string> log_dir;
  std::vector<std::pair<std::string, std::string>> knobs;
};

[[noreturn]] void usage_error(const std::string& problem) {
  std::fprintf(stderr, "strata-server: %s\n\n%s", problem.c_str(), usage_text);
  std::exit(2);
}

ServerArguments parse_arguments(int argc, char** argv) {
  ServerArguments arguments;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--listen") {
      std::string text = value();
      std::optional<NetworkAddress> address = NetworkAddress::try_parse(text);
      if (!address)
        usage_error("--listen takes an IPv4 address and port like 127.0.0.1:4500, not '" + text +
                    "'");
      arguments.worker.listen_address = *address;
    } else if (flag == "--data") {
      arguments.worker.data_dir = value();
    } else if (flag == "--cluster-file") {
      arguments.worker.cluster_file = value();
    } else if (flag == "--log-dir") {
      arguments.log_dir = value();
    } else if (flag == "--storage-engine") {
      std::string name = value();
      try {
        arguments.worker.configuration.engine = parse_storage_engine(name);
      } catch (const Error& error) {
        usage_error("--storage-engine takes memory or rocksdb, not '" + name + "'");
      }
    } else if (flag == "--knob") {
      std::string setting = value();
      size_t equals = setting.find('=');
      if (equals == std::string::npos)
        usage_error("--knob takes NAME=VALUE, not '" + setting + "'");
      arguments.knobs.emplace_back(setting.substr(0, equals), setting.substr(equals + 1));
    } else if (flag == "--version") {
      std::printf("strata-server 0.1.0\n");
      std::exit(0);
    } else if (flag == "--help" || flag == "-h") {
      std::printf("%s", usage_text);
      std::exit(0);
    } else {
      usage_error("unknown argument '" + std::string(flag) + "'");
    }
  }
  return arguments;
}

// Runs the worker until it fails or a signal asks the process to stop. Returns the exit
// status.
Future<int> serve(const ServerArguments& arguments) {
  Promise<Void> listening;
  Future<Void> started = listening.get_future();
  Future<Void> worker = run_worker(arguments.worker, std::move(listening));
  Future<Void> shutdown = env().shutdown_requested();
  size_t first = co_await first_ready(worker, started);
  if (first == 1) {
    std::printf("strata-server listening on %s (data %s, cluster file %s)\n",
                arguments.worker.listen_address.to_string().c_str(),
                arguments.worker.data_dir.c_str(), arguments.worker.cluster_file.c_str());
    std::fflush(stdout);
    first = co_await first_ready(worker, shutdown);
  }
  if (first == 0) {
    // The worker never stops by itself: it failed.
    try {
      co_await worker;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      TraceEvent(Severity::error, "ServerFailed").error(error);
      std::fprintf(stderr, "strata-server: %s\n", error.message().c_str());
    }
    co_return 1;
  }
  TraceEvent("ServerStopping");
  worker.cancel();
  std::printf("strata-server stopped\n");
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ServerArguments arguments = parse_arguments(argc, argv);
  try {
    for (const auto& [name, value] : arguments.knobs)
      set_knob(name, value);
  } catch (const Error& error) {
    usage_error(error.message());
  }
  real::RealEnvironment environment(real::RealEnvironmentOptions{
      true, ProcessIdentity{arguments.worker.listen_address, "", "", arguments.worker.data_dir}});
  std::optional<real::TraceFile> trace_file;
  try {
    trace_file.emplace(arguments.log_dir.value_or(arguments.worker.data_dir + "/logs"),
                       arguments.worker.listen_address);
  } catch (const Error& error) {
    std::fprintf(stderr, "strata-server: %s\n", error.message().c_str());
    return 1;
  }
  set_trace_sink(&*trace_file);
  int status = 1;
  // A named lambda: a coroutine lambda's captures live in the closure object, which must
  // outlive the coroutine.
  auto run = [&]() -> Future<Void> {
    status = co_await serve(arguments);
    env().stop();
  };
  Future<Void> done = run();
  environment.run();
  set_trace_sink(nullptr);
  return status;
}
