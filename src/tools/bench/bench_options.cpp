#include "tools/bench/bench_options.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace strata::bench {

namespace {

constexpr const char* usage_text =
    "usage: strata-bench --workload NAME [--target strata|postgres|etcd|redis]\n"
    "                    [--cluster-file FILE] [--postgres CONNINFO] [--etcd HOST:PORT]\n"
    "                    [--redis HOST:PORT] [--duration SECONDS] [--warmup SECONDS]\n"
    "                    [--connections N] [--in-flight N] [--rate TPS] [--keys N]\n"
    "                    [--key-bytes N] [--value-bytes N] [--distribution uniform|zipfian]\n"
    "                    [--range-rows N] [--warehouses N] [--no-load] [--seed N]\n"
    "                    [--priority default|batch|system_immediate] [--json FILE]\n"
    "                    [--knob NAME=VALUE]... [--tenant NAME]\n"
    "\n"
    "Workloads:\n"
    "  reads      ten point reads per transaction\n"
    "  writes     one write per transaction\n"
    "  writes10   ten writes per transaction\n"
    "  mixed90    nine reads and one write per transaction\n"
    "  range      one range read of --range-rows keys per transaction\n"
    "  ycsb-a     50% reads, 50% updates        ycsb-b   95% reads, 5% updates\n"
    "  ycsb-c     100% reads                    ycsb-d   95% reads of recent keys, 5% inserts\n"
    "  ycsb-e     95% short scans, 5% inserts   ycsb-f   50% reads, 50% read-modify-writes\n"
    "  tpcc       TPC-C-style new-order and payment transactions\n"
    "\n"
    "  --target T          the store: strata (default), or a peer to compare with\n"
    "  --cluster-file FILE Strata's cluster file (default ./strata.cluster)\n"
    "  --postgres CONNINFO libpq connection string (default host=127.0.0.1 port=5432\n"
    "                      dbname=postgres)\n"
    "  --etcd HOST:PORT    etcd's client address (default 127.0.0.1:2379)\n"
    "  --redis HOST:PORT   Redis's address (default 127.0.0.1:6379)\n"
    "  --duration SECONDS  how long to measure (default 20)\n"
    "  --warmup SECONDS    load before measuring starts (default 2)\n"
    "  --connections N     client connections (default 1)\n"
    "  --in-flight N       transactions in flight per connection (default 100); peers,\n"
    "                      whose connections carry one at a time, get N x connections\n"
    "  --rate TPS          at most this many transactions per second (default: no limit)\n"
    "  --keys N            key space, loaded first (default 100000)\n"
    "  --key-bytes N       key size, at least 18 (default 18)\n"
    "  --value-bytes N     value size (default 100)\n"
    "  --distribution D    uniform or zipfian key choice (default: zipfian for ycsb-*,\n"
    "                      uniform otherwise)\n"
    "  --range-rows N      rows per range read (default 1000; ycsb-e scans up to 100)\n"
    "  --warehouses N      TPC-C warehouses (default 4)\n"
    "  --no-load           skip loading (the data is there from an earlier run)\n"
    "  --seed N            seed of the key choices (default 1)\n"
    "  --priority P        Strata's transaction priority: default, batch (held back first\n"
    "                      when the cluster is overloaded) or system_immediate (never held)\n"
    "  --json FILE         also write the results as JSON\n"
    "  --knob NAME=VALUE   set one of Strata's client or runtime knobs (Strata only)\n"
    "  --tenant NAME       run every transaction in tenant NAME, created if missing (Strata\n"
    "                      only; the cluster's tenant_mode must allow tenants)\n";

[[noreturn]] void usage_error(const std::string& problem) {
  std::fprintf(stderr, "strata-bench: %s\n\n%s", problem.c_str(), usage_text);
  std::exit(2);
}

}  // namespace

const std::vector<std::string>& workload_names() {
  static const std::vector<std::string> names = {"reads",  "writes", "writes10", "mixed90",
                                                 "range",  "ycsb-a", "ycsb-b",   "ycsb-c",
                                                 "ycsb-d", "ycsb-e", "ycsb-f",   "tpcc"};
  return names;
}

std::string target_name(Target target) {
  switch (target) {
    case Target::strata:
      return "strata";
    case Target::postgres:
      return "postgres";
    case Target::etcd:
      return "etcd";
    case Target::redis:
      return "redis";
  }
  return "?";
}

BenchOptions parse_arguments(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    auto number = [&](std::string text) {
      char* end = nullptr;
      double parsed = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || parsed < 0) {
        usage_error(std::string(flag) + " takes a non-negative number, not '" + text + "'");
      }
      return parsed;
    };
    auto whole = [&](std::string text) {
      double parsed = number(text);
      if (parsed != static_cast<double>(static_cast<int64_t>(parsed)))
        usage_error(std::string(flag) + " takes a whole number, not '" + text + "'");
      return static_cast<int64_t>(parsed);
    };
    if (flag == "--workload") {
      options.workload = value();
    } else if (flag == "--target") {
      std::string name = value();
      if (name == "strata") {
        options.target = Target::strata;
      } else if (name == "postgres") {
        options.target = Target::postgres;
      } else if (name == "etcd") {
        options.target = Target::etcd;
      } else if (name == "redis") {
        options.target = Target::redis;
      } else {
        usage_error("--target takes strata, postgres, etcd or redis, not '" + name + "'");
      }
    } else if (flag == "--cluster-file") {
      options.cluster_file = value();
    } else if (flag == "--postgres") {
      options.postgres = value();
    } else if (flag == "--etcd") {
      options.etcd = value();
    } else if (flag == "--redis") {
      options.redis = value();
    } else if (flag == "--duration") {
      options.duration_s = number(value());
    } else if (flag == "--warmup") {
      options.warmup_s = number(value());
    } else if (flag == "--connections") {
      options.connections = static_cast<int>(whole(value()));
    } else if (flag == "--in-flight" || flag == "--concurrency") {
      options.in_flight = static_cast<int>(whole(value()));
    } else if (flag == "--rate") {
      options.rate = number(value());
    } else if (flag == "--keys") {
      options.keys = whole(value());
    } else if (flag == "--key-bytes") {
      options.key_bytes = static_cast<int>(whole(value()));
    } else if (flag == "--value-bytes") {
      options.value_bytes = static_cast<int>(whole(value()));
    } else if (flag == "--distribution") {
      options.distribution = value();
      if (*options.distribution != "uniform" && *options.distribution != "zipfian")
        usage_error("--distribution takes uniform or zipfian, not '" + *options.distribution + "'");
    } else if (flag == "--range-rows") {
      options.range_rows = static_cast<int>(whole(value()));
    } else if (flag == "--warehouses") {
      options.warehouses = static_cast<int>(whole(value()));
    } else if (flag == "--no-load") {
      options.load = false;
    } else if (flag == "--seed") {
      options.seed = static_cast<uint64_t>(whole(value()));
    } else if (flag == "--priority") {
      const std::string name = value();
      if (name == "default") {
        options.priority = ReadVersionPriority::normal;
      } else if (name == "batch") {
        options.priority = ReadVersionPriority::batch;
      } else if (name == "system_immediate") {
        options.priority = ReadVersionPriority::immediate;
      } else {
        usage_error("--priority takes default, batch or system_immediate, not '" + name + "'");
      }
    } else if (flag == "--json") {
      options.json_file = value();
    } else if (flag == "--tenant") {
      options.tenant = value();
    } else if (flag == "--knob") {
      const std::string setting = value();
      const size_t equals = setting.find('=');
      if (equals == std::string::npos || equals == 0)
        usage_error("--knob takes NAME=VALUE, not '" + setting + "'");
      options.knobs.emplace_back(setting.substr(0, equals), setting.substr(equals + 1));
    } else if (flag == "--help" || flag == "-h") {
      std::printf("%s", usage_text);
      std::exit(0);
    } else {
      usage_error("unknown argument '" + std::string(flag) + "'");
    }
  }
  const std::vector<std::string>& names = workload_names();
  if (std::find(names.begin(), names.end(), options.workload) == names.end()) {
    std::string list;
    for (const std::string& name : names)
      list += (list.empty() ? "" : ", ") + name;
    usage_error("--workload takes one of " + list +
                (options.workload.empty() ? "" : ", not '" + options.workload + "'"));
  }
  if (options.connections < 1 || options.in_flight < 1 || options.keys < 1)
    usage_error("--connections, --in-flight and --keys must be at least 1");
  if (options.key_bytes < 18 || options.key_bytes > 10000)
    usage_error("--key-bytes takes 18 to 10,000");
  if (options.value_bytes > 100000) usage_error("--value-bytes takes at most 100,000");
  if (options.range_rows < 1) usage_error("--range-rows must be at least 1");
  if (options.warehouses < 1) usage_error("--warehouses must be at least 1");
  return options;
}

}  // namespace strata::bench
