// strata-redis: a Redis server whose data lives in a Strata cluster. Stateless: run any
// number against one cluster; they share every key, and any may stop or die without losing
// an acknowledged write.
//
//   strata-redis --cluster-file strata.cluster --listen 127.0.0.1:6379

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "layers/redis/instance.h"
#include "layers/redis/server.h"
#include "rpc/transport.h"
#include "runtime/combinators.h"
#include "runtime/knobs.h"
#include "runtime/real/real_environment.h"
#include "runtime/real/trace_file.h"
#include "runtime/trace.h"
#include "strata/tuple.h"

namespace {

using namespace strata;

constexpr const char* usage_text =
    "usage: strata-redis [--cluster-file FILE] [--listen HOST:PORT] [--requirepass PASSWORD]\n"
    "                    [--prefix NAME] [--log-dir DIR] [--knob NAME=VALUE]...\n"
    "\n"
    "  --cluster-file FILE   the cluster to keep the data in (default: strata.cluster)\n"
    "  --listen HOST:PORT    where Redis clients connect (default: 127.0.0.1:6379)\n"
    "  --requirepass PASS    clients must AUTH with this password first\n"
    "  --prefix NAME         the subspace the data lives in, the tuple (NAME) (default:\n"
    "                        redis); instances with the same prefix share their data\n"
    "  --log-dir DIR         write trace files there (default: none)\n"
    "  --knob NAME=VALUE     set a tuning knob (redis_knobs.def, client knobs)\n";

struct Arguments {
  std::string cluster_file = "strata.cluster";
  NetworkAddress listen = NetworkAddress::parse("127.0.0.1:6379");
  std::optional<std::string> password;
  std::string prefix = "redis";
  std::optional<std::string> log_dir;
  std::vector<std::pair<std::string, std::string>> knobs;
};

[[noreturn]] void usage_error(const std::string& problem) {
  std::fprintf(stderr, "strata-redis: %s\n\n%s", problem.c_str(), usage_text);
  std::exit(2);
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments arguments;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--cluster-file" || flag == "-C") {
      arguments.cluster_file = value();
    } else if (flag == "--listen") {
      const std::string text = value();
      std::optional<NetworkAddress> address = NetworkAddress::try_parse(text);
      if (!address) {
        usage_error("--listen takes an IPv4 address and port like 127.0.0.1:6379, not '" + text +
                    "'");
      }
      arguments.listen = *address;
    } else if (flag == "--requirepass") {
      arguments.password = value();
    } else if (flag == "--prefix") {
      arguments.prefix = value();
      if (arguments.prefix.empty()) usage_error("--prefix needs a name");
    } else if (flag == "--log-dir") {
      arguments.log_dir = value();
    } else if (flag == "--knob") {
      const std::string setting = value();
      const size_t equals = setting.find('=');
      if (equals == std::string::npos)
        usage_error("--knob takes NAME=VALUE, not '" + setting + "'");
      arguments.knobs.emplace_back(setting.substr(0, equals), setting.substr(equals + 1));
    } else if (flag == "--version") {
      std::printf("strata-redis " STRATA_VERSION_TEXT "\n");
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

// Without --log-dir trace events go nowhere.
class DiscardingSink final : public TraceSink {
 public:
  void write(Severity, std::string_view, std::string_view) override {}
};

Future<int> serve(const Arguments& arguments) {
  std::shared_ptr<Listener> listener;
  std::optional<Database> database;
  try {
    database = co_await Database::open_cluster_file(arguments.cluster_file);
    listener = env().listen(arguments.listen);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    std::fprintf(stderr, "strata-redis: %s\n", error.message().c_str());
    co_return 1;
  }
  redis::Instance instance(*database, Tuple().append_string(arguments.prefix).pack(),
                           arguments.password);
  instance.config()["port"] = std::to_string(arguments.listen.port());
  instance.config()["bind"] = arguments.listen.to_string();
  std::printf("strata-redis listening on %s (cluster file %s, prefix %s)\n",
              arguments.listen.to_string().c_str(), arguments.cluster_file.c_str(),
              arguments.prefix.c_str());
  std::fflush(stdout);
  Future<Void> server = redis::run_redis_server(instance, listener);
  Future<Void> shutdown = env().shutdown_requested();
  const size_t first = co_await first_ready(server, shutdown);
  if (first == 0) {
    try {
      co_await server;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      std::fprintf(stderr, "strata-redis: %s\n", error.message().c_str());
    }
    co_return 1;
  }
  server.cancel();
  std::printf("strata-redis stopped\n");
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Arguments arguments = parse_arguments(argc, argv);
  try {
    for (const auto& [name, value] : arguments.knobs)
      set_knob(name, value);
  } catch (const Error& error) {
    usage_error(error.message());
  }
  real::RealEnvironment environment;
  Transport::install(NetworkAddress());
  DiscardingSink discard;
  std::optional<real::TraceFile> trace_file;
  if (arguments.log_dir) {
    try {
      trace_file.emplace(*arguments.log_dir, arguments.listen);
    } catch (const Error& error) {
      std::fprintf(stderr, "strata-redis: %s\n", error.message().c_str());
      return 1;
    }
  }
  set_trace_sink(trace_file ? static_cast<TraceSink*>(&*trace_file) : &discard);
  int status = 1;
  auto run = [&]() -> Future<Void> {
    status = co_await serve(arguments);
    env().stop();
  };
  Future<Void> done = run();
  environment.run();
  set_trace_sink(nullptr);
  return status;
}
