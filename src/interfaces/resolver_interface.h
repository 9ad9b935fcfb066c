#pragma once

// A resolver decides, for a key range, which transactions of each commit batch conflict
// with ones committed after their read version. Batches are resolved strictly in version
// order (each names the version of the batch before it).
//
// The resolver whose range holds the system keys also relays changes to the shard map
// between the commit proxies: a transaction that changes \xff/keyServers/ keeps its
// conflict ranges inside the system keys, so that resolver alone decides it, and it hands
// every proxy the committed changes of every batch in version order, so that each proxy
// tags mutations with the map as of their version.

#include <cstdint>
#include <vector>

#include "interfaces/resolver_types.h"
#include "interfaces/types.h"
#include "interfaces/wait_failure.h"
#include "rpc/request_stream.h"

namespace strata {

// The committed changes to the shard map of one batch, in commit order.
struct MetadataMutations {
  Version version = 0;
  std::vector<Mutation> mutations;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(version, mutations);
  }
};

struct ResolveBatchReply {
  // From the metadata resolver: the shard map changes of every batch after the previous
  // batch of the asking proxy, up to and including this one, in version order.
  std::vector<MetadataMutations> metadata;
  // One per transaction of the request, in order.
  std::vector<ResolveOutcome> outcomes;
  // For the transactions that conflicted and asked (report_conflicts): their place in the
  // batch, and the read ranges written after their snapshot.
  std::vector<std::pair<uint32_t, std::vector<KeyRange>>> conflicting_ranges;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(metadata, outcomes, conflicting_ranges);
    if constexpr (!Archive::is_writer) {
      for (ResolveOutcome outcome : outcomes) {
        if (static_cast<uint8_t>(outcome) > static_cast<uint8_t>(ResolveOutcome::too_old)) {
          archive.fail("unknown resolve outcome " + std::to_string(static_cast<int>(outcome)));
        }
      }
    }
  }
};

struct ResolveBatchRequest {
  Version prev_version = 0;
  Version version = 0;
  // Which commit proxy of the generation asks.
  uint32_t proxy_index = 0;
  std::vector<ConflictTransaction> transactions;
  // For the metadata resolver only: the shard map mutations of the transactions that have
  // any, by their place in `transactions`.
  std::vector<std::pair<uint32_t, std::vector<Mutation>>> metadata;
  ReplyPromise<ResolveBatchReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(prev_version, version, proxy_index, transactions, metadata, reply);
  }
};

struct ResolverInterface {
  UID id;
  NetworkAddress address;
  RequestStream<ResolveBatchRequest> resolve;
  RequestStream<WaitFailureRequest> wait_failure;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, resolve, wait_failure);
  }
};

}  // namespace strata
