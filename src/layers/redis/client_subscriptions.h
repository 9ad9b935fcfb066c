#pragma once

// One connection's pub/sub subscriptions: SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their
// UNSUBSCRIBEs with Redis 7.0's replies, and the messages the instance's pump hands it
// (pubsub_hub.h), written to the connection as they come.
//
// - A subscription is registered (pubsub_registry.h) before its reply, so a PUBLISH that
//   starts after the reply counts it and its message reaches the client; an
//   unsubscription too, so a PUBLISH after its reply no longer counts it.
// - Replies and messages keep their order: a message goes out after every reply written
//   before it (the connection's pending replies are sent first; they are always whole
//   while the connection waits).
// - A client that does not read its messages is disconnected once its unsent bytes pass
//   pubsub_output_hard_bytes_max, or pubsub_output_soft_bytes_max for
//   pubsub_output_soft_s (Redis's client-output-buffer-limit for pub/sub clients), so
//   that it cannot make the instance's memory grow without bound.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "layers/redis/instance.h"
#include "layers/redis/pubsub_hub.h"
#include "layers/redis/reply_writer.h"
#include "layers/redis/session.h"
#include "runtime/environment.h"

namespace strata::redis {

class ClientSubscriptions final : public Subscriber {
 public:
  // `out` holds the connection's replies not yet sent, `session` is the connection's; both
  // outlive this object.
  ClientSubscriptions(Instance& instance, uint64_t client_id,
                      std::shared_ptr<Connection> connection, ReplyWriter& out,
                      const Session& session);
  // Leaves every subscription; the registry is written in the background.
  ~ClientSubscriptions() override;
  ClientSubscriptions(const ClientSubscriptions&) = delete;
  ClientSubscriptions& operator=(const ClientSubscriptions&) = delete;

  // Subscribed to anything (a RESP2 client then runs only the commands of pub/sub).
  bool active() const { return total() > 0; }

  // (P|S)SUBSCRIBE: the replies, one per name, go to `out` once the registry has the
  // subscriptions (an error reply if it could not write them; nothing changes then).
  // Suspends.
  Future<Void> subscribe(ChannelKind kind, std::vector<std::string> names);
  // (P|S)UNSUBSCRIBE: no names means every one of the kind. Suspends.
  Future<Void> unsubscribe(ChannelKind kind, std::vector<std::string> names);
  // RESET: leaves everything without a reply. Suspends.
  Future<Void> leave_all();

  void deliver(const PubSubMessage& message, const std::string* pattern) override;

 private:
  std::set<std::string>& names_of(ChannelKind kind);
  int64_t total() const { return channels_.size() + patterns_.size() + shard_channels_.size(); }
  // The count Redis's replies carry: channels and patterns, or shard channels.
  int64_t count_of(ChannelKind kind) const;
  void show_in_client_list();
  void check_output_limit();

  Instance& instance_;
  uint64_t client_id_;
  std::shared_ptr<Connection> connection_;
  ReplyWriter& out_;
  const Session& session_;
  std::set<std::string> channels_;
  std::set<std::string> patterns_;
  std::set<std::string> shard_channels_;
  // Since when the unsent bytes are over the soft limit.
  std::optional<double> over_soft_limit_since_;
  bool closed_ = false;
};

}  // namespace strata::redis
