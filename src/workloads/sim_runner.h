#pragma once

// Runs a test spec in the simulator for one seed: builds the simulated world, runs every
// workload from a tester process that faults never touch, checks, and reports. The same
// spec and seed always give the same result and the same trace hash.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/sim/simulator.h"
#include "runtime/trace.h"
#include "workloads/test_spec.h"

namespace strata {

struct RunOptions {
  uint64_t seed = 1;
  // Overrides the spec's buggify setting when set.
  std::optional<bool> buggify;
  // Pins knobs after the spec's own (name -> value).
  std::map<std::string, std::string> knobs;
  // Prints trace events of at least this severity while running.
  std::optional<Severity> echo_severity;
};

struct TestRunResult {
  sim::SimulationResult simulation;
  std::vector<std::pair<std::string, std::string>> metrics;
};

// Throws test_specification_invalid for a bad spec; everything else is in the result.
TestRunResult run_simulation_test(const TestSpec& spec, const RunOptions& options);

}  // namespace strata
