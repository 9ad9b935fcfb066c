#pragma once

// The coordinators: the processes the cluster file names. Together they keep the
// cluster's core state (a generation register, Paxos-style) and elect the cluster
// controller (a leader register with leases). Every request names the cluster by its
// connection string, so one coordinator can serve the registers of a cluster before and
// after its coordinators change, and can ask its fellow coordinators for what it lost.
//
// Every reply may carry `forward`: the cluster's coordinators changed, and this is the new
// connection string. Whoever gets one follows it (and rewrites its cluster file).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "rpc/request_stream.h"
#include "runtime/network_address.h"
#include "runtime/uid.h"

namespace strata {

// The generation of a read or write of the register: a counter, made unique by a random
// id, ordered by both. The zero generation reads without promising anything (a peek).
struct UniqueGeneration {
  uint64_t counter = 0;
  UID id;

  bool is_zero() const { return counter == 0 && !id.is_valid(); }
  friend auto operator<=>(const UniqueGeneration&, const UniqueGeneration&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(counter, id);
  }
};

// Reads the register and promises to refuse writes of older generations from now on.
struct GenerationReadReply {
  std::optional<std::string> value;
  // The generation of the write that stored `value`, and the newest generation promised.
  UniqueGeneration write_generation;
  UniqueGeneration read_generation;
  // False when this coordinator holds nothing for the cluster yet: it is learning the
  // register from the others (answered only to peeks).
  bool initialized = true;
  std::string forward;
  // Other values this coordinator saw when it learned the register (until the next write).
  std::vector<std::string> also_seen;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(value, write_generation, read_generation, initialized, forward, also_seen);
  }
};

struct GenerationReadRequest {
  std::string connection;
  UniqueGeneration generation;
  ReplyPromise<GenerationReadReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(connection, generation, reply);
  }
};

// Stores `value` unless a read or write of a newer generation came first.
struct GenerationWriteReply {
  // The request's generation when the value was stored; otherwise the newer one that
  // stopped it.
  UniqueGeneration generation;
  std::string forward;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(generation, forward);
  }
};

struct GenerationWriteRequest {
  std::string connection;
  std::string value;
  UniqueGeneration generation;
  ReplyPromise<GenerationWriteReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(connection, value, generation, reply);
  }
};

// A process that wants to be the cluster controller, or is.
struct LeaderInfo {
  // New for every candidacy: tells a restarted process from its earlier self.
  UID change_id;
  NetworkAddress address;
  // role_fitness of the process for the controller: lower is better.
  uint8_t fitness = 0;

  bool is_valid() const { return change_id.is_valid(); }
  // Coordinators nominate the best candidate they know: lowest fitness, then lowest id.
  bool better_than(const LeaderInfo& other) const {
    if (fitness != other.fitness) return fitness < other.fitness;
    return change_id < other.change_id;
  }
  friend bool operator==(const LeaderInfo&, const LeaderInfo&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(change_id, address, fitness);
  }
};

struct NomineeReply {
  std::optional<LeaderInfo> nominee;
  std::string forward;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(nominee, forward);
  }
};

// A long poll: answered when the coordinator's nominee is not `known_nominee`, or after
// coordinator_poll_s. Sending it again keeps the candidacy alive.
struct CandidacyRequest {
  std::string connection;
  LeaderInfo candidate;
  UID known_nominee;
  ReplyPromise<NomineeReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(connection, candidate, known_nominee, reply);
  }
};

// The leader renews its lease with every coordinator that nominates it.
struct LeaderHeartbeatReply {
  // False: this coordinator nominates someone else.
  bool still_leader = false;
  std::string forward;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(still_leader, forward);
  }
};

struct LeaderHeartbeatRequest {
  std::string connection;
  LeaderInfo leader;
  ReplyPromise<LeaderHeartbeatReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(connection, leader, reply);
  }
};

// A long poll for workers and clients: answered with the elected leader (a nominee that
// holds its lease) once it is not `known_leader`, or after coordinator_poll_s.
struct GetLeaderRequest {
  std::string connection;
  UID known_leader;
  ReplyPromise<NomineeReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(connection, known_leader, reply);
  }
};

// The cluster's coordinators changed: from now on this coordinator answers every request
// for `connection` with `new_connection` (durably).
struct ForwardRequest {
  std::string connection;
  std::string new_connection;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(connection, new_connection, reply);
  }
};

// A coordinator's streams, at well-known tokens of every server process.
struct CoordinatorInterface {
  RequestStream<GenerationReadRequest> read;
  RequestStream<GenerationWriteRequest> write;
  RequestStream<CandidacyRequest> candidacy;
  RequestStream<LeaderHeartbeatRequest> heartbeat;
  RequestStream<GetLeaderRequest> get_leader;
  RequestStream<ForwardRequest> forward;

  // The streams of the coordinator at `address`.
  static CoordinatorInterface at(NetworkAddress address);
  // Serves the streams in this process.
  static CoordinatorInterface serve();
};

}  // namespace strata
