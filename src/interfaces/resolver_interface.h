#pragma once

// A resolver decides, for a key range, which transactions of each commit batch conflict
// with ones committed after their read version. Batches are resolved strictly in version
// order (each names the version of the batch before it).

#include <cstdint>
#include <vector>

#include "interfaces/resolver_types.h"
#include "interfaces/types.h"
#include "interfaces/wait_failure.h"
#include "rpc/request_stream.h"

namespace strata {

struct ResolveBatchReply {
  // One per transaction of the request, in order.
  std::vector<ResolveOutcome> outcomes;
  // For the transactions that conflicted and asked (report_conflicts): their place in the
  // batch, and the read ranges written after their snapshot.
  std::vector<std::pair<uint32_t, std::vector<KeyRange>>> conflicting_ranges;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(outcomes, conflicting_ranges);
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
  std::vector<ConflictTransaction> transactions;
  ReplyPromise<ResolveBatchReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(prev_version, version, transactions, reply);
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
