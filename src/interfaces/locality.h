#pragma once

// Where a process is and what it is for: its class (which roles it should host), its zone
// (a failure domain: a rack, a power feed, a data center room) and its machine. The
// cluster controller recruits by class and spreads copies of a role over zones.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata {

// FoundationDB's process classes, those that Strata has roles for.
enum class ProcessClass : uint8_t {
  // No preference: any role.
  unset = 0,
  // The roles without data: cluster controller, sequencer, proxies, resolvers.
  stateless = 1,
  // Logs.
  log = 2,
  // Storage servers.
  storage = 3,
};

std::string_view process_class_name(ProcessClass process_class);
// nullopt for a name that is not a class.
std::optional<ProcessClass> parse_process_class(std::string_view name);

// The roles a controller recruits, for fitness.
enum class RoleKind : uint8_t {
  cluster_controller,
  sequencer,
  commit_proxy,
  grv_proxy,
  resolver,
  log,
  storage,
  data_distributor,
  ratekeeper,
};

std::string_view role_kind_name(RoleKind role);

// How well a process of `process_class` suits `role`: 0 is best. Every class can host
// every role (a cluster of one process hosts them all); recruitment takes the best
// fitness available, so a stateless role lands on a log or storage process only when no
// stateless or unset process is left.
int role_fitness(ProcessClass process_class, RoleKind role);

struct Locality {
  ProcessClass process_class = ProcessClass::unset;
  std::string zone;
  std::string machine;

  friend bool operator==(const Locality&, const Locality&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(process_class, zone, machine);
    if constexpr (!Archive::is_writer) {
      if (static_cast<uint8_t>(process_class) > static_cast<uint8_t>(ProcessClass::storage)) {
        archive.fail("unknown process class " + std::to_string(static_cast<int>(process_class)));
      }
    }
  }
};

}  // namespace strata
