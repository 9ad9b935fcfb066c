#include "layers/redis/client_subscriptions.h"

#include "layers/redis/redis_knobs.h"
#include "runtime/assert.h"
#include "runtime/trace.h"

namespace strata::redis {

namespace {

// A subscription is a registry key, and Strata's keys hold 10,000 bytes at most (with
// the layer's prefix and the instance's name).
constexpr size_t channel_name_bytes_max = 9000;

constexpr ChannelKind all_kinds[] = {ChannelKind::channel, ChannelKind::pattern,
                                     ChannelKind::shard};

std::string_view subscribe_word(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::channel:
      return "subscribe";
    case ChannelKind::pattern:
      return "psubscribe";
    case ChannelKind::shard:
      return "ssubscribe";
  }
  STRATA_ASSERT_MSG(false, "a subscription is of a known kind");
  return "";
}

std::string_view unsubscribe_word(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::channel:
      return "unsubscribe";
    case ChannelKind::pattern:
      return "punsubscribe";
    case ChannelKind::shard:
      return "sunsubscribe";
  }
  STRATA_ASSERT_MSG(false, "a subscription is of a known kind");
  return "";
}

}  // namespace

ClientSubscriptions::ClientSubscriptions(Instance& instance, uint64_t client_id,
                                         std::shared_ptr<Connection> connection, ReplyWriter& out,
                                         const Session& session)
    : instance_(instance),
      client_id_(client_id),
      connection_(std::move(connection)),
      out_(out),
      session_(session) {
  instance_.pubsub().connect(client_id_, *this);
}

ClientSubscriptions::~ClientSubscriptions() {
  instance_.pubsub().disconnect(client_id_);
  for (ChannelKind kind : all_kinds) {
    for (const std::string& name : names_of(kind))
      instance_.pubsub().registry().remove(kind, name);
  }
}

std::set<std::string>& ClientSubscriptions::names_of(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::channel:
      return channels_;
    case ChannelKind::pattern:
      return patterns_;
    case ChannelKind::shard:
      return shard_channels_;
  }
  STRATA_ASSERT_MSG(false, "a subscription is of a known kind");
  return channels_;
}

int64_t ClientSubscriptions::count_of(ChannelKind kind) const {
  if (kind == ChannelKind::shard) return static_cast<int64_t>(shard_channels_.size());
  return static_cast<int64_t>(channels_.size() + patterns_.size());
}

Future<Void> ClientSubscriptions::subscribe(ChannelKind kind, std::vector<std::string> names) {
  // Subscription notices reach the client even under CLIENT REPLY OFF, as in Redis.
  ReplyWriter::Unmuted unmuted(out_);
  for (const std::string& name : names) {
    if (name.size() > channel_name_bytes_max) {
      out_.error("ERR channel name is too long (" + std::to_string(channel_name_bytes_max) +
                 " bytes at most: a subscription is a Strata key)");
      co_return;
    }
  }
  PubSubRegistry& registry = instance_.pubsub().registry();
  std::set<std::string>& subscribed = names_of(kind);
  std::vector<int64_t> counts;
  std::vector<std::string> added;
  for (const std::string& name : names) {
    if (subscribed.insert(name).second) {
      registry.add(kind, name);
      added.push_back(name);
    }
    counts.push_back(count_of(kind));
  }
  show_in_client_list();
  if (!added.empty()) {
    std::optional<Error> failure;
    Version since = 0;
    try {
      since = co_await registry.flush();
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (failure) {
      for (const std::string& name : added) {
        subscribed.erase(name);
        registry.remove(kind, name);
      }
      show_in_client_list();
      out_.error("ERR " + failure->message());
      co_return;
    }
    for (const std::string& name : added)
      instance_.pubsub().attach(client_id_, kind, name, since);
  }
  for (size_t i = 0; i < names.size(); ++i) {
    out_.push(3);
    out_.bulk_string(subscribe_word(kind));
    out_.bulk_string(names[i]);
    out_.integer(counts[i]);
  }
}

Future<Void> ClientSubscriptions::unsubscribe(ChannelKind kind, std::vector<std::string> names) {
  // Subscription notices reach the client even under CLIENT REPLY OFF, as in Redis.
  ReplyWriter::Unmuted unmuted(out_);
  std::set<std::string>& subscribed = names_of(kind);
  if (names.empty()) names.assign(subscribed.begin(), subscribed.end());
  if (names.empty()) {
    // Redis answers even when there is nothing to leave.
    out_.push(3);
    out_.bulk_string(unsubscribe_word(kind));
    out_.null();
    out_.integer(count_of(kind));
    co_return;
  }
  PubSubRegistry& registry = instance_.pubsub().registry();
  std::vector<int64_t> counts;
  bool changed = false;
  for (const std::string& name : names) {
    if (subscribed.erase(name) > 0) {
      instance_.pubsub().detach(client_id_, kind, name);
      registry.remove(kind, name);
      changed = true;
    }
    counts.push_back(count_of(kind));
  }
  show_in_client_list();
  if (changed) {
    try {
      co_await registry.flush();
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      // The client has left: the registry writes the change at its next write.
      TraceEvent(Severity::warn, "RedisUnsubscribeNotWritten").error(error);
    }
  }
  for (size_t i = 0; i < names.size(); ++i) {
    out_.push(3);
    out_.bulk_string(unsubscribe_word(kind));
    out_.bulk_string(names[i]);
    out_.integer(counts[i]);
  }
}

Future<Void> ClientSubscriptions::leave_all() {
  if (!active()) co_return;
  PubSubRegistry& registry = instance_.pubsub().registry();
  for (ChannelKind kind : all_kinds) {
    for (const std::string& name : names_of(kind)) {
      instance_.pubsub().detach(client_id_, kind, name);
      registry.remove(kind, name);
    }
    names_of(kind).clear();
  }
  show_in_client_list();
  try {
    co_await registry.flush();
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    TraceEvent(Severity::warn, "RedisUnsubscribeNotWritten").error(error);
  }
}

void ClientSubscriptions::deliver(const PubSubMessage& message, const std::string* pattern) {
  if (closed_) return;
  ReplyWriter frame(session_.protocol);
  if (pattern) {
    frame.push(4);
    frame.bulk_string("pmessage");
    frame.bulk_string(*pattern);
  } else {
    frame.push(3);
    frame.bulk_string(message.kind == ChannelKind::shard ? "smessage" : "message");
  }
  frame.bulk_string(message.channel);
  frame.bulk_string(message.payload);
  // The replies written before the message go first.
  if (!out_.buffer().empty()) connection_->write(out_.take());
  connection_->write(frame.take());
  check_output_limit();
}

void ClientSubscriptions::check_output_limit() {
  const RedisKnobs& knobs = redis_knobs();
  const auto unsent = static_cast<int64_t>(connection_->unsent_bytes());
  const double now = env().now();
  if (unsent <= knobs.pubsub_output_soft_bytes_max) {
    over_soft_limit_since_.reset();
  } else if (!over_soft_limit_since_) {
    over_soft_limit_since_ = now;
  }
  const bool over =
      unsent > knobs.pubsub_output_hard_bytes_max ||
      (over_soft_limit_since_ && now - *over_soft_limit_since_ >= knobs.pubsub_output_soft_s);
  if (!over) return;
  TraceEvent(Severity::warn, "RedisPubSubOutputLimit")
      .detail("Client", connection_->peer_address().to_string())
      .detail("UnsentBytes", unsent);
  closed_ = true;
  // The client's reads then fail, and it ends (leaving its subscriptions).
  connection_->close();
}

void ClientSubscriptions::show_in_client_list() {
  auto client = instance_.clients().find(client_id_);
  if (client == instance_.clients().end()) return;
  client->second.channels = static_cast<int64_t>(channels_.size());
  client->second.patterns = static_cast<int64_t>(patterns_.size());
  client->second.shard_channels = static_cast<int64_t>(shard_channels_.size());
}

}  // namespace strata::redis
