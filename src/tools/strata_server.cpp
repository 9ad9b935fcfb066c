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
    "                     [--class stateless|log|storage|unset] [--zone ZONE]\n"
    "                     [--machine MACHINE] [--log-dir DIR]\n"
    "                     [--storage-engine memory|rocksdb]\n"
    "                     [--redundancy single|double|triple] [--knob NAME=VALUE]...\n"
    "\n"
    "  --listen HOST:PORT   address to serve on (default 127.0.0.1:4500)\n"
    "  --data DIR           folder for this server's data (default ./strata-data)\n"
    "  --cluster-file FILE  the cluster file naming the coordinators; written, naming this\n"
    "                       server alone, if missing (default ./strata.cluster)\n"
    "  --class CLASS        the roles this process is for: stateless (controller,\n"
    "                       sequencer, proxies, resolvers), log, storage, or unset (any;\n"
    "                       the default)\n"
    "  --zone ZONE          its failure domain (rack, power feed, room): copies of data are\n"
    "                       spread over zones (default: its machine)\n"
    "  --machine MACHINE    the machine it runs on (default: its IP address)\n"
    "  --log-dir DIR        folder for trace logs (default DATA/logs)\n"
    "  --storage-engine E   memory or rocksdb: the storage engine of a database this\n"
    "                       process creates (default memory); `configure' changes it later\n"
    "  --redundancy MODE    copies of every key and log record, in distinct zones, of a\n"
    "                       database this process creates: single, double or triple\n"
    "                       (default single)\n"
    "  --knob NAME=VALUE    set a tuning knob\n"
    "  --version            print the version and exit\n";

struct ServerArguments {
  WorkerOptions worker{NetworkAddress::from_octets(127, 0, 0, 1, 4500),
                       "strata-data",
                       "strata.cluster",
                       std::nullopt,
                       Locality{},
                       ClusterConfiguration{},
                       nullptr};
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
    } else if (flag == "--class") {
      std::string name = value();
      std::optional<ProcessClass> process_class = parse_process_class(name);
      if (!process_class) {
        usage_error("--class takes stateless, log, storage or unset, not '" + name + "'");
      }
      arguments.worker.locality.process_class = *process_class;
    } else if (flag == "--zone") {
      arguments.worker.locality.zone = value();
      if (arguments.worker.locality.zone.empty()) usage_error("--zone needs a name");
    } else if (flag == "--machine") {
      arguments.worker.locality.machine = value();
      if (arguments.worker.locality.machine.empty()) usage_error("--machine needs a name");
    } else if (flag == "--storage-engine") {
      std::string name = value();
      if (name != "memory" && name != "rocksdb") {
        usage_error("--storage-engine takes memory or rocksdb, not '" + name + "'");
      }
      arguments.worker.new_database.database.storage_engine = name;
    } else if (flag == "--redundancy") {
      std::string name = value();
      if (name != "single" && name != "double" && name != "triple") {
        usage_error("--redundancy takes single, double or triple, not '" + name + "'");
      }
      DatabaseConfiguration& database = arguments.worker.new_database.database;
      database = apply_configuration_words(database, {name});
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
  arguments.worker.tell_operator = [](const std::string& message) {
    std::fprintf(stderr, "strata-server: %s\n", message.c_str());
    std::fflush(stderr);
  };
  // A database this process creates gets a log per log process.
  arguments.worker.new_database.database.logs = 0;
  // A process's machine is its IP address unless named; its zone is its machine.
  Locality& locality = arguments.worker.locality;
  if (locality.machine.empty()) {
    std::string address = arguments.worker.listen_address.to_string();
    locality.machine = address.substr(0, address.rfind(':'));
  }
  if (locality.zone.empty()) locality.zone = locality.machine;
  return arguments;
}

// Runs the worker until it fails or a signal asks the process to stop. Returns the exit
// status.
Future<int> serve(const ServerArguments& arguments) {
  Promise<Void> listening;
  Future<Void> started = listening.get_future();
  Future<Void> worker = run_worker_rebooting(arguments.worker, std::move(listening));
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
      true, ProcessIdentity{arguments.worker.listen_address, arguments.worker.locality.machine,
                            arguments.worker.locality.zone, arguments.worker.data_dir}});
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
