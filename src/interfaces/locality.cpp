#include "interfaces/locality.h"

#include <array>

namespace strata {

std::string_view process_class_name(ProcessClass process_class) {
  switch (process_class) {
    case ProcessClass::unset:
      return "unset";
    case ProcessClass::stateless:
      return "stateless";
    case ProcessClass::log:
      return "log";
    case ProcessClass::storage:
      return "storage";
  }
  return "unknown";
}

std::optional<ProcessClass> parse_process_class(std::string_view name) {
  for (ProcessClass candidate :
       {ProcessClass::unset, ProcessClass::stateless, ProcessClass::log, ProcessClass::storage}) {
    if (process_class_name(candidate) == name) return candidate;
  }
  return std::nullopt;
}

std::string_view role_kind_name(RoleKind role) {
  switch (role) {
    case RoleKind::cluster_controller:
      return "cluster_controller";
    case RoleKind::sequencer:
      return "sequencer";
    case RoleKind::commit_proxy:
      return "commit_proxy";
    case RoleKind::grv_proxy:
      return "grv_proxy";
    case RoleKind::resolver:
      return "resolver";
    case RoleKind::log:
      return "log";
    case RoleKind::storage:
      return "storage";
    case RoleKind::data_distributor:
      return "data_distributor";
    case RoleKind::ratekeeper:
      return "ratekeeper";
  }
  return "unknown";
}

int role_fitness(ProcessClass process_class, RoleKind role) {
  // Rows: the class's preferred kind of role; columns: unset, stateless, log, storage.
  // A class built for the role is best (0), an unset process next (1); a process built for
  // another kind of role is a last resort, and storage processes, which need their memory
  // and disk for data, come last for every role but their own.
  enum Column { unset = 0, stateless = 1, log = 2, storage = 3 };
  static constexpr std::array<int, 4> stateless_role = {1, 0, 2, 3};
  static constexpr std::array<int, 4> log_role = {1, 2, 0, 3};
  static constexpr std::array<int, 4> storage_role = {1, 3, 2, 0};
  const auto column = static_cast<size_t>(process_class);
  switch (role) {
    case RoleKind::log:
      return log_role[column];
    case RoleKind::storage:
      return storage_role[column];
    default:
      return stateless_role[column];
  }
}

}  // namespace strata
