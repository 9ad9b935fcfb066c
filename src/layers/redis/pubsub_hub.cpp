#include "layers/redis/pubsub_hub.h"

#include <optional>
#include <vector>

#include "layers/redis/glob.h"
#include "runtime/assert.h"

namespace strata::redis {

void PubSubHub::connect(uint64_t id, Subscriber& subscriber) {
  const bool added = subscribers_.emplace(id, &subscriber).second;
  STRATA_ASSERT_MSG(added, "a client connects once");
}

void PubSubHub::disconnect(uint64_t id) {
  subscribers_.erase(id);
  for (auto name = subscriptions_.begin(); name != subscriptions_.end();) {
    name->second.erase(id);
    name = name->second.empty() ? subscriptions_.erase(name) : std::next(name);
  }
}

void PubSubHub::attach(uint64_t id, ChannelKind kind, const std::string& name, Version since) {
  STRATA_ASSERT_MSG(subscribers_.contains(id), "only a connected client subscribes");
  subscriptions_[Name{kind, name}][id] = since;
}

void PubSubHub::detach(uint64_t id, ChannelKind kind, const std::string& name) {
  auto found = subscriptions_.find(Name{kind, name});
  if (found == subscriptions_.end()) return;
  found->second.erase(id);
  if (found->second.empty()) subscriptions_.erase(found);
}

void PubSubHub::deliver(const PubSubMessage& message) {
  STRATA_ASSERT_MSG(message.kind != ChannelKind::pattern, "messages go to channels");
  // The receivers first, by id: a delivery may end a client (its output over the limit),
  // which changes the maps; each is looked up again when its turn comes.
  struct Target {
    uint64_t id;
    std::optional<std::string> pattern;
  };
  std::vector<Target> targets;
  auto add_targets = [&](const std::map<uint64_t, Version>& clients,
                         std::optional<std::string> pattern) {
    for (const auto& [id, since] : clients) {
      if (message.version > since) targets.push_back(Target{id, pattern});
    }
  };
  auto channel = subscriptions_.find(Name{message.kind, message.channel});
  if (channel != subscriptions_.end()) add_targets(channel->second, std::nullopt);
  if (message.kind == ChannelKind::channel) {
    auto pattern = subscriptions_.lower_bound(Name{ChannelKind::pattern, ""});
    for (; pattern != subscriptions_.end() && pattern->first.first == ChannelKind::pattern;
         ++pattern) {
      if (glob_match(pattern->first.second, message.channel))
        add_targets(pattern->second, pattern->first.second);
    }
  }
  for (const Target& target : targets) {
    auto subscriber = subscribers_.find(target.id);
    if (subscriber == subscribers_.end()) continue;
    subscriber->second->deliver(message, target.pattern ? &*target.pattern : nullptr);
  }
}

}  // namespace strata::redis
