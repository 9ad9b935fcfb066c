#pragma once

// strata-bench's command line: which store to load, which workload, how hard.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "interfaces/types.h"

namespace strata::bench {

enum class Target { strata, postgres, etcd, redis };

struct BenchOptions {
  std::string workload;
  Target target = Target::strata;
  std::string cluster_file = "strata.cluster";
  // Peers' addresses: a libpq connection string, host:port for etcd and Redis.
  std::string postgres = "host=127.0.0.1 port=5432 dbname=postgres";
  std::string etcd = "127.0.0.1:2379";
  std::string redis = "127.0.0.1:6379";

  double duration_s = 20;
  double warmup_s = 2;
  // Concurrency is connections x transactions in flight on each. Strata multiplexes a
  // connection; the peers' clients cannot, so they get connections x in_flight sessions.
  int connections = 1;
  int in_flight = 100;
  // At most this many transactions per second in all (0: as fast as they go).
  double rate = 0;

  int64_t keys = 100000;
  int key_bytes = 18;
  int value_bytes = 100;
  // uniform or zipfian; the YCSB workloads default to zipfian, the others to uniform.
  std::optional<std::string> distribution;
  // Rows of each range read (the range workload; YCSB-E draws up to this many).
  int range_rows = 1000;
  // Warehouses of the TPC-C-style workload.
  int warehouses = 4;
  bool load = true;
  uint64_t seed = 1;
  // Strata's transaction priority.
  ReadVersionPriority priority = ReadVersionPriority::normal;
  std::optional<std::string> json_file;
  // Client and runtime knobs (NAME, VALUE), set before the database opens (Strata only).
  std::vector<std::pair<std::string, std::string>> knobs;
  // Every transaction in this tenant (Strata only).
  std::optional<std::string> tenant;

  int concurrency() const { return connections * in_flight; }
};

// The workload names, in the order the usage lists them.
const std::vector<std::string>& workload_names();
std::string target_name(Target target);

// Parses argv; prints the usage and exits on --help or on an error, naming it.
BenchOptions parse_arguments(int argc, char** argv);

}  // namespace strata::bench
