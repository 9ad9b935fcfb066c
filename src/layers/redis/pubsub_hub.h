#pragma once

// An instance's side of pub/sub: which of its clients subscribe to what, the messages the
// log brings (pubsub_log.h) handed to them, and the registry that tells every instance how
// many subscribers there are (pubsub_registry.h). docs/redis-layer.md, "Pub/sub", has the
// design.
//
// A client's subscription becomes active once the registry has committed it, with the read
// version of that commit: it then receives the messages committed above that version. So
// it receives every message of a PUBLISH that started after its subscribe reply (the
// PUBLISH counted it), and none committed before it subscribed.

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "interfaces/types.h"
#include "layers/redis/pubsub_registry.h"

namespace strata::redis {

// A message as the log holds it.
struct PubSubMessage {
  // The commit version of the PUBLISH that wrote it.
  Version version = 0;
  // channel or shard.
  ChannelKind kind = ChannelKind::channel;
  std::string channel;
  std::string payload;
};

// A client that subscribes (client_connection.cpp).
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // A message for the client, through its subscription to `pattern` (nullptr: to the
  // channel itself). Does not suspend; may close the connection, and a closed connection
  // may end its client (which then leaves the hub) before this returns.
  virtual void deliver(const PubSubMessage& message, const std::string* pattern) = 0;
};

class PubSubHub {
 public:
  PubSubHub(Database database, const Keyspace& keyspace, std::string instance)
      : registry_(std::move(database), keyspace, std::move(instance)) {}
  PubSubHub(const PubSubHub&) = delete;
  PubSubHub& operator=(const PubSubHub&) = delete;

  PubSubRegistry& registry() { return registry_; }

  // Client `id` can receive messages while connected; `subscriber` lives until
  // disconnect(id), which also ends its subscriptions here (not in the registry).
  void connect(uint64_t id, Subscriber& subscriber);
  void disconnect(uint64_t id);
  // Client `id` receives the messages to `name` committed above `since`, until detached.
  void attach(uint64_t id, ChannelKind kind, const std::string& name, Version since);
  void detach(uint64_t id, ChannelKind kind, const std::string& name);

  // Hands `message` to the subscribers of its channel, then to those of every pattern that
  // matches it (Redis's order). Does not suspend.
  void deliver(const PubSubMessage& message);

  // Orders the messages of one transaction in the log.
  int64_t next_sequence() { return next_sequence_++; }

 private:
  using Name = std::pair<ChannelKind, std::string>;
  std::map<uint64_t, Subscriber*> subscribers_;
  // The local subscriptions: for each name, the clients and the version each receives
  // messages above.
  std::map<Name, std::map<uint64_t, Version>> subscriptions_;
  PubSubRegistry registry_;
  int64_t next_sequence_ = 0;
};

}  // namespace strata::redis
