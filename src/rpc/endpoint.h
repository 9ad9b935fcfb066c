#pragma once

// An endpoint names one message receiver in one process: the process's address and a
// 128-bit token. Tokens are random, except a few well-known ones that let a process that
// knows only an address make first contact.

#include <compare>

#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {

struct Endpoint {
  NetworkAddress address;
  UID token;

  bool is_valid() const { return token.is_valid(); }
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(address, token);
  }
};

// The transport's answer to a message for a token it does not know, sent to the
// sender's well_known::endpoint_not_found: requests waiting on that token fail with
// broken_promise.
struct EndpointNotFound {
  UID token;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(token);
  }
};

// Well-known tokens have a zero first half; random tokens never do.
constexpr UID well_known_token(uint64_t index) {
  return UID(0, index);
}
constexpr bool is_well_known(const UID& token) {
  return token.first() == 0;
}

// The token of stream `index` of the role `role_id`: stable across the role's restarts,
// distinct per stream, never well-known.
constexpr UID role_token(const UID& role_id, uint64_t index) {
  return UID((role_id.first() ^ (index * 0x9e3779b97f4a7c15ULL)) | (1ULL << 63),
             role_id.second() + index);
}

namespace well_known {
// Transport-level: "the endpoint you sent to does not exist here".
constexpr UID endpoint_not_found = well_known_token(1);
// Transport-level: keeps idle connections alive and proves the peer is there.
constexpr UID ping = well_known_token(2);
// A server process's status interface (see interfaces/status_interface.h).
constexpr UID server_status = well_known_token(16);
constexpr UID server_ping = well_known_token(17);
// Asks a server process to restart (the shell's `kill`).
constexpr UID server_reboot = well_known_token(18);
// The cluster controller, on the process the coordinators elected.
constexpr UID register_worker = well_known_token(32);
constexpr UID server_db_info = well_known_token(33);
constexpr UID open_database = well_known_token(34);
// The cluster status document (see interfaces/cluster_status_interface.h).
constexpr UID cluster_status = well_known_token(35);
// The controller's management requests: configure, change the coordinators.
constexpr UID configure_database = well_known_token(36);
constexpr UID change_coordinators = well_known_token(37);
// The data distributor's request to drop a storage server (data_distributor_interface.h).
constexpr UID remove_storage_server = well_known_token(38);
// A coordinator: the generation register and the leader register (every server process
// serves them; they answer for the clusters whose connection strings name the process).
constexpr UID coordinator_read = well_known_token(40);
constexpr UID coordinator_write = well_known_token(41);
constexpr UID coordinator_candidacy = well_known_token(42);
constexpr UID coordinator_heartbeat = well_known_token(43);
constexpr UID coordinator_get_leader = well_known_token(44);
constexpr UID coordinator_forward = well_known_token(45);
// Simulation workloads.
constexpr UID test_echo = well_known_token(100);
}  // namespace well_known

}  // namespace strata
