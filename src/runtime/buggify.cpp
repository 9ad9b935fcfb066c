#include "runtime/buggify.h"

#include <map>
#include <string>
#include <utility>

#include "runtime/random.h"
#include "runtime/runtime_knobs.h"

// Bounds of the linker-collected probe section (GNU ld and lld both define them for a
// section whose name is a C identifier).
extern "C" const strata::ProbeSite __start_strata_probes[] __attribute__((weak));
extern "C" const strata::ProbeSite __stop_strata_probes[] __attribute__((weak));

namespace strata {

namespace {

thread_local Random* buggify_random = nullptr;
thread_local std::map<std::pair<const char*, int>, bool>* active_sites = nullptr;

}  // namespace

bool buggify_enabled() {
  return buggify_random != nullptr;
}

bool buggify_site_fires(const char* file, int line) {
  auto key = std::make_pair(file, line);
  auto it = active_sites->find(key);
  if (it == active_sites->end()) {
    bool active = buggify_random->chance(runtime_knobs().buggify_site_activation_probability);
    it = active_sites->emplace(key, active).first;
  }
  return it->second && buggify_random->chance(runtime_knobs().buggify_fire_probability);
}

void set_buggify(Random* random) {
  delete active_sites;
  active_sites = random ? new std::map<std::pair<const char*, int>, bool>() : nullptr;
  buggify_random = random;
}

std::vector<ProbeReport> probe_report() {
  std::vector<ProbeReport> out;
  if (__start_strata_probes == nullptr) return out;
  for (const ProbeSite* site = __start_strata_probes; site != __stop_strata_probes; ++site) {
    out.push_back({site->description, site->file, site->line, site->counter->hits});
  }
  return out;
}

void reset_probes() {
  if (__start_strata_probes == nullptr) return;
  for (const ProbeSite* site = __start_strata_probes; site != __stop_strata_probes; ++site) {
    site->counter->hits = 0;
  }
}

}  // namespace strata
