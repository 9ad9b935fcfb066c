// Pub/sub commands: PUBLISH, SPUBLISH and PUBSUB run in a transaction like every command;
// SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBEs change the connection and are
// run by it (client_subscriptions.h), listed here for COMMAND. docs/redis-layer.md,
// "Pub/sub", has the design.

#include "layers/redis/command_context.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/glob.h"
#include "layers/redis/pubsub_log.h"
#include "layers/redis/pubsub_registry.h"
#include "layers/redis/redis_knobs.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// The message is one Strata value, with its channel's name.
void check_message_size(const std::string& channel, const std::string& message) {
  const int64_t limit = redis_knobs().pubsub_message_bytes_max;
  if (static_cast<int64_t>(channel.size() + message.size()) <= limit) return;
  fail("ERR message exceeds maximum allowed size (" + std::to_string(limit) +
       " bytes of channel name and message: a message is one Strata value)");
}

Future<Void> publish_to(CommandContext& c, ChannelKind kind) {
  const std::string& channel = c.args[1];
  const std::string& message = c.args[2];
  check_message_size(channel, message);
  const int64_t now_ms = c.store.now_ms();
  RegistryReader registry(c.transaction(), c.instance.keyspace(), c.instance.pubsub().registry(),
                          now_ms);
  const int64_t receivers = co_await registry.receivers(kind, channel);
  write_message(c.transaction(), c.instance.keyspace(), c.instance.pubsub().next_sequence(), kind,
                channel, message, now_ms);
  c.reply.integer(receivers);
}

Future<Void> publish_command(CommandContext& c) {
  co_await publish_to(c, ChannelKind::channel);
}

Future<Void> spublish_command(CommandContext& c) {
  co_await publish_to(c, ChannelKind::shard);
}

// CHANNELS and SHARDCHANNELS: the names with subscribers that match the pattern.
Future<Void> reply_channels(CommandContext& c, RegistryReader& registry, ChannelKind kind) {
  const std::map<std::string, int64_t> counts = co_await registry.all(kind);
  std::vector<std::string> names;
  for (const auto& [name, count] : counts) {
    if (c.args.size() == 2 || glob_match(c.args[2], name)) names.push_back(name);
  }
  c.reply.array(names.size());
  for (const std::string& name : names)
    c.reply.bulk_string(name);
}

// NUMSUB and SHARDNUMSUB: each channel and its subscribers (not those of patterns).
Future<Void> reply_numsub(CommandContext& c, RegistryReader& registry, ChannelKind kind) {
  std::vector<int64_t> counts;
  for (size_t i = 2; i < c.args.size(); ++i)
    counts.push_back(co_await registry.subscribers(kind, c.args[i]));
  c.reply.array(counts.size() * 2);
  for (size_t i = 2; i < c.args.size(); ++i) {
    c.reply.bulk_string(c.args[i]);
    c.reply.integer(counts[i - 2]);
  }
}

Future<Void> pubsub_command(CommandContext& c) {
  const std::string sub = lower_case(c.args[1]);
  const size_t count = c.args.size();
  RegistryReader registry(c.transaction(), c.instance.keyspace(), c.instance.pubsub().registry(),
                          c.store.now_ms());
  if (sub == "help" && count == 2) {
    reply_help(
        c.reply, "PUBSUB",
        {"CHANNELS [<pattern>]",
         "    Return the currently active channels matching a <pattern> (default: '*').", "NUMPAT",
         "    Return number of subscriptions to patterns.", "NUMSUB [<channel> ...]",
         "    Return the number of subscribers for the specified channels, excluding",
         "    pattern subscriptions(default: no channels).", "SHARDCHANNELS [<pattern>]",
         "    Return the currently active shard level channels matching a <pattern> "
         "(default: '*').",
         "SHARDNUMSUB [<shardchannel> ...]",
         "    Return the number of subscribers for the specified shard level channel(s)", "HELP",
         "    Print this help."});
  } else if (sub == "channels" && (count == 2 || count == 3)) {
    co_await reply_channels(c, registry, ChannelKind::channel);
  } else if (sub == "numsub") {
    co_await reply_numsub(c, registry, ChannelKind::channel);
  } else if (sub == "numpat" && count == 2) {
    // Redis counts the distinct patterns.
    const auto patterns = co_await registry.all(ChannelKind::pattern);
    c.reply.integer(static_cast<int64_t>(patterns.size()));
  } else if (sub == "shardchannels" && (count == 2 || count == 3)) {
    co_await reply_channels(c, registry, ChannelKind::shard);
  } else if (sub == "shardnumsub") {
    co_await reply_numsub(c, registry, ChannelKind::shard);
  } else {
    fail("ERR unknown subcommand or wrong number of arguments for '" + c.args[1].substr(0, 128) +
         "'. Try PUBSUB HELP.");
  }
}

}  // namespace

void add_pubsub_commands(CommandTable& table) {
  // A PUBLISH writes the log, so it is a write: a commit with an unknown outcome is
  // resolved through its commit marker, never published twice.
  table.add(make_command("publish", 3, write | pubsub | fast, {}, "pubsub",
                         "Post a message to a channel", "2.0.0", publish_command));
  table.add(make_command("spublish", 3, write | pubsub | fast, {1, 1, 1}, "pubsub",
                         "Post a message to a shard channel", "7.0.0", spublish_command));
  table.add(make_command("pubsub", -2, pubsub, {}, "pubsub",
                         "Inspect the state of the Pub/Sub subsystem", "2.8.0", pubsub_command));
  auto flow = [&](std::string name, int arity, KeyPositions keys, std::string summary,
                  std::string since) {
    table.add(make_command(std::move(name), arity, pubsub | connection | no_multi, keys, "pubsub",
                           std::move(summary), std::move(since), nullptr));
  };
  flow("subscribe", -2, {}, "Listen for messages published to channels", "2.0.0");
  flow("unsubscribe", -1, {}, "Stop listening for messages posted to channels", "2.0.0");
  flow("psubscribe", -2, {}, "Listen for messages published to channels matching patterns",
       "2.0.0");
  flow("punsubscribe", -1, {}, "Stop listening for messages posted to channels matching patterns",
       "2.0.0");
  flow("ssubscribe", -2, {1, -1, 1}, "Listen for messages published to shard channels", "7.0.0");
  flow("sunsubscribe", -1, {1, -1, 1}, "Stop listening for messages posted to shard channels",
       "7.0.0");
}

}  // namespace strata::redis
