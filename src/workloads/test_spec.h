#pragma once

// Simulation test specs: which workloads run together, with which options. A spec is a
// small text file under tests/sim/{fast,slow}/:
//
//   title = Request/reply across five processes under faults
//   duration_s = 60
//
//   [workload rpc_requests]
//   processes = 5
//
//   [workload attrition]
//   kills = 4
//
// Top-level keys configure the run (duration_s, time_limit_s, buggify, randomize_knobs,
// and knob.NAME = VALUE to pin a knob); each [workload NAME] section names a workload
// and its options.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

struct WorkloadSpec {
  std::string name;
  std::map<std::string, std::string> options;
  int line = 0;
};

struct TestSpec {
  std::string name;
  // "fast" (every CI run) or "slow" (nightly-sized runs).
  std::string suite;
  std::map<std::string, std::string> options;
  std::vector<WorkloadSpec> workloads;
};

// Throws test_specification_invalid naming the line and what is wrong with it.
TestSpec parse_test_spec(std::string name, std::string suite, std::string_view text);

// Every spec built into this binary, sorted by name.
const std::vector<TestSpec>& builtin_test_specs();
const TestSpec* find_test_spec(std::string_view name);

// Typed access to a string map of options. Reading records the key, so that an option
// nobody read (a typo) can be reported.
class Options {
 public:
  Options(std::string owner, std::map<std::string, std::string> values)
      : owner_(std::move(owner)), values_(std::move(values)) {}

  double get_double(const std::string& key, double fallback);
  int64_t get_int(const std::string& key, int64_t fallback);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key, const std::string& fallback);
  bool has(const std::string& key) const { return values_.count(key) > 0; }
  // Keys with this prefix, with the prefix removed (e.g. "knob." entries).
  std::map<std::string, std::string> with_prefix(const std::string& prefix);
  // Throws test_specification_invalid naming every option that was given but not read.
  void check_all_read() const;

 private:
  const std::string* find(const std::string& key);
  [[noreturn]] void bad(const std::string& key, const std::string& expected) const;

  std::string owner_;
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> read_;
};

}  // namespace strata
