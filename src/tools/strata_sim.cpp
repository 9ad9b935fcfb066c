// strata-sim: runs simulation tests. Every run is a pure function of its test and seed,
// so any failure it prints can be replayed exactly with the command it prints.

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/buggify.h"
#include "runtime/error.h"
#include "workloads/sim_runner.h"
#include "workloads/test_spec.h"
#include "workloads/workload.h"

namespace {

using namespace strata;

constexpr const char* usage_text =
    "usage: strata-sim --list\n"
    "       strata-sim --test NAME [--seed N] [--runs K] [--check-determinism]\n"
    "                  [--buggify on|off] [--knob NAME=VALUE]... [--trace SEVERITY]\n"
    "                  [--metrics] [--probes]\n"
    "\n"
    "  --list               the tests, one a line: name, suite (fast or slow), title\n"
    "  --test NAME          the test to run\n"
    "  --seed N             the first seed (default 1)\n"
    "  --runs K             run seeds N, N+1, ..., N+K-1 (default 1)\n"
    "  --check-determinism  run every seed twice and fail if the traces differ\n"
    "  --buggify on|off     force fault injection points on or off (default: the test's)\n"
    "  --knob NAME=VALUE    pin a knob (after the test's own settings)\n"
    "  --trace SEVERITY     print trace events of at least this severity (5 debug, 10 info,\n"
    "                       20 warn, 30 warn_always, 40 error)\n"
    "  --metrics            print each workload's metrics after each run\n"
    "  --probes             after all runs, list every probe and how often it fired\n";

struct Arguments {
  bool list = false;
  std::string test;
  uint64_t seed = 1;
  uint64_t runs = 1;
  bool check_determinism = false;
  bool metrics = false;
  bool probes = false;
  RunOptions run;
};

[[noreturn]] void usage_error(const std::string& problem) {
  std::fprintf(stderr, "strata-sim: %s\n\n%s", problem.c_str(), usage_text);
  std::exit(2);
}

uint64_t parse_count(std::string_view flag, const char* text) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  if (*text == '\0' || *end != '\0')
    usage_error(std::string(flag) + " takes a number, not '" + text + "'");
  return value;
}

Arguments parse_arguments(int argc, char** argv) {
  Arguments arguments;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--list") {
      arguments.list = true;
    } else if (flag == "--test") {
      arguments.test = value();
    } else if (flag == "--seed") {
      arguments.seed = parse_count(flag, value());
    } else if (flag == "--runs") {
      arguments.runs = parse_count(flag, value());
    } else if (flag == "--check-determinism") {
      arguments.check_determinism = true;
    } else if (flag == "--buggify") {
      std::string_view setting = value();
      if (setting != "on" && setting != "off") usage_error("--buggify takes on or off");
      arguments.run.buggify = setting == "on";
    } else if (flag == "--knob") {
      std::string_view setting = value();
      size_t equals = setting.find('=');
      if (equals == std::string_view::npos) usage_error("--knob takes NAME=VALUE");
      arguments.run.knobs[std::string(setting.substr(0, equals))] =
          std::string(setting.substr(equals + 1));
    } else if (flag == "--trace") {
      arguments.run.echo_severity = static_cast<Severity>(parse_count(flag, value()));
    } else if (flag == "--metrics") {
      arguments.metrics = true;
    } else if (flag == "--probes") {
      arguments.probes = true;
    } else if (flag == "--help" || flag == "-h") {
      std::printf("%s", usage_text);
      std::exit(0);
    } else {
      usage_error("unknown argument '" + std::string(flag) + "'");
    }
  }
  if (!arguments.list && arguments.test.empty()) usage_error("say --list or --test NAME");
  if (arguments.runs == 0) usage_error("--runs must be at least 1");
  return arguments;
}

std::string reproduce_command(const Arguments& arguments, uint64_t seed) {
  std::string command = "strata-sim --test " + arguments.test + " --seed " + std::to_string(seed);
  if (arguments.run.buggify) command += *arguments.run.buggify ? " --buggify on" : " --buggify off";
  for (const auto& [name, value] : arguments.run.knobs)
    command += " --knob " + name + "=" + value;
  return command;
}

// Runs one seed (twice when checking determinism); prints its line; returns success.
bool run_seed(const TestSpec& spec, const Arguments& arguments, uint64_t seed) {
  RunOptions options = arguments.run;
  options.seed = seed;
  TestRunResult result = run_simulation_test(spec, options);
  sim::SimulationResult& simulation = result.simulation;
  if (arguments.check_determinism) {
    TestRunResult again = run_simulation_test(spec, options);
    if (again.simulation.trace_hash != simulation.trace_hash ||
        again.simulation.events != simulation.events) {
      simulation.passed = false;
      char text[160];
      std::snprintf(text, sizeof(text),
                    "not deterministic: the second run gave trace hash %016" PRIx64
                    " after %" PRIu64 " events",
                    again.simulation.trace_hash, again.simulation.events);
      simulation.failures.emplace_back(text);
    }
  }
  std::printf("test=%s seed=%" PRIu64 " simulated_s=%.3f events=%" PRIu64 " trace_hash=%016" PRIx64
              " %s\n",
              spec.name.c_str(), seed, simulation.simulated_seconds, simulation.events,
              simulation.trace_hash, simulation.passed ? "PASS" : "FAIL");
  for (const std::string& failure : simulation.failures)
    std::printf("  failure: %s\n", failure.c_str());
  if (!simulation.passed) {
    std::printf("  reproduce: %s\n", reproduce_command(arguments, seed).c_str());
  }
  if (arguments.metrics) {
    for (const auto& [name, value] : result.metrics) {
      std::printf("  metric %s = %s\n", name.c_str(), value.c_str());
    }
  }
  std::fflush(stdout);
  return simulation.passed;
}

void print_probes() {
  std::printf("probes (hits over all runs):\n");
  for (const ProbeReport& probe : probe_report()) {
    std::printf("  %10" PRIu64 "  %s  (%s:%d)%s\n", probe.hits, probe.description.c_str(),
                probe.file.c_str(), probe.line, probe.hits == 0 ? "  NEVER FIRED" : "");
  }
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments = parse_arguments(argc, argv);
  try {
    if (arguments.list) {
      for (const TestSpec& spec : builtin_test_specs()) {
        Options options("test " + spec.name, spec.options);
        std::printf("%s\t%s\t%s\n", spec.name.c_str(), spec.suite.c_str(),
                    options.get_string("title", "").c_str());
      }
      return 0;
    }
    const TestSpec* spec = find_test_spec(arguments.test);
    if (spec == nullptr)
      usage_error("there is no test named '" + arguments.test + "' (see --list)");
    uint64_t failed = 0;
    for (uint64_t seed = arguments.seed; seed < arguments.seed + arguments.runs; ++seed) {
      if (!run_seed(*spec, arguments, seed)) ++failed;
    }
    if (arguments.runs > 1) {
      std::printf("%s: %" PRIu64 " of %" PRIu64 " seeds passed\n", spec->name.c_str(),
                  arguments.runs - failed, arguments.runs);
    }
    if (arguments.probes) print_probes();
    return failed == 0 ? 0 : 1;
  } catch (const Error& error) {
    std::fprintf(stderr, "strata-sim: %s\n", error.message().c_str());
    return 2;
  }
}
