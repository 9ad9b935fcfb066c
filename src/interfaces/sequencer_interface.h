#pragma once

// The sequencer hands out commit versions (one per commit batch, in order, advancing about
// 1,000,000 per second of clock time) and knows the latest version committed on every
// log, which read versions are taken from.

#include <cstdint>

#include "interfaces/types.h"
#include "interfaces/wait_failure.h"
#include "rpc/request_stream.h"

namespace strata {

struct GetCommitVersionReply {
  // The version of the batch before this one (from any proxy); logs and resolvers accept
  // batches only in this chain.
  Version prev_version = 0;
  Version version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(prev_version, version);
  }
};

struct GetCommitVersionRequest {
  UID proxy_id;
  // Numbered per proxy from 1, so that a retried request gets the same answer.
  uint64_t request_number = 0;
  ReplyPromise<GetCommitVersionReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(proxy_id, request_number, reply);
  }
};

// A commit proxy reports a version once it is durable on every log.
struct ReportCommittedVersionRequest {
  Version version = 0;
  ReplyPromise<Void> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(version, reply);
  }
};

struct GetLiveCommittedVersionReply {
  Version version = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(version);
  }
};

struct GetLiveCommittedVersionRequest {
  ReplyPromise<GetLiveCommittedVersionReply> reply;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(reply);
  }
};

struct SequencerInterface {
  UID id;
  NetworkAddress address;
  RequestStream<GetCommitVersionRequest> get_commit_version;
  RequestStream<ReportCommittedVersionRequest> report_committed_version;
  RequestStream<GetLiveCommittedVersionRequest> get_live_committed_version;
  RequestStream<WaitFailureRequest> wait_failure;

  bool is_valid() const { return id.is_valid(); }

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, address, get_commit_version, report_committed_version, get_live_committed_version,
            wait_failure);
  }
};

}  // namespace strata
