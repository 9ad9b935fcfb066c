#pragma once

// Fault injection and coverage probes for simulation.
//
// BUGGIFY is true only in a simulation run with buggify on: each site (file and line) is
// switched on for the whole run with buggify_site_activation_probability, and an active
// site fires on each evaluation with buggify_fire_probability. Use it to take rare paths
// on purpose: `if (BUGGIFY) co_await delay(1.0);`. Outside simulation it is always false.
//
// STRATA_PROBE(condition, "what happened") counts how often a rare branch ran, so that
// a report over many seeds shows the branches no seed reached. Probes are collected at
// link time, so even the ones that never fired are listed.

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

class Random;

bool buggify_enabled();
bool buggify_site_fires(const char* file, int line);
// Turns buggify on for a simulation run, drawing from `random`; nullptr turns it off and
// forgets which sites were active.
void set_buggify(Random* random);

struct ProbeCounter {
  uint64_t hits = 0;
};

struct ProbeSite {
  const char* description;
  const char* file;
  int line;
  ProbeCounter* counter;
};

struct ProbeReport {
  std::string description;
  std::string file;
  int line;
  uint64_t hits;
};

// Every probe linked into the program, with its hits since the last reset.
std::vector<ProbeReport> probe_report();
void reset_probes();

}  // namespace strata

#define BUGGIFY (::strata::buggify_enabled() && ::strata::buggify_site_fires(__FILE__, __LINE__))

#define STRATA_PROBE(condition, description)                                               \
  do {                                                                                     \
    static ::strata::ProbeCounter strata_probe_counter_;                                   \
    [[gnu::used,                                                                           \
      gnu::section("strata_probes")]] static const ::strata::ProbeSite strata_probe_site_{ \
        description, __FILE__, __LINE__, &strata_probe_counter_};                          \
    if (condition) ++strata_probe_counter_.hits;                                           \
  } while (false)
