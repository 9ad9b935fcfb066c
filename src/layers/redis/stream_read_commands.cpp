// XREAD and XREADGROUP: reading streams, waiting for new entries (BLOCK) and, with a
// consumer group, delivering each entry to one consumer, which holds it pending until it
// acknowledges it (XACK) or another consumer claims it (stream_group_commands.cpp).
//
// BLOCK waits as the other blocking commands do (command_context.h): the command sets a
// watch on each stream's metadata (XADD changes it) and, with a group, on the group (XGROUP
// DESTROY changes it), and runs again when one fires. "$" is resolved at the first run to
// the stream's last ID then, and the command runs again with that ID, so that an entry added
// meanwhile is not missed.

#include <limits>

#include "layers/redis/arguments.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/stream_reply.h"
#include "runtime/assert.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// Redis serves a client woken without a COUNT at most this many entries of a stream.
constexpr int64_t woken_count_default = 1000;

struct ReadArguments {
  std::optional<int64_t> block_ms;
  int64_t count = 0;
  bool no_ack = false;
  std::optional<std::string> group;
  std::string consumer;
  // Where the keys start among the arguments, and how many there are (the IDs follow).
  size_t keys_at = 0;
  size_t streams = 0;
};

ReadArguments read_arguments(const CommandContext& c, bool with_group) {
  ReadArguments parsed;
  const std::vector<std::string>& args = c.args;
  for (size_t i = 1; i < args.size(); ++i) {
    const size_t more = args.size() - i - 1;
    const std::string& option = args[i];
    if (is_word(option, "block") && more > 0) {
      parsed.block_ms =
          integer_argument(args[++i], "ERR timeout is not an integer or out of range");
      if (*parsed.block_ms < 0) fail("ERR timeout is negative");
    } else if (is_word(option, "count") && more > 0) {
      parsed.count = std::max<int64_t>(integer_argument(args[++i]), 0);
    } else if (is_word(option, "streams") && more > 0) {
      parsed.keys_at = i + 1;
      if ((args.size() - parsed.keys_at) % 2 != 0) {
        fail(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
            "specified.");
      }
      parsed.streams = (args.size() - parsed.keys_at) / 2;
      break;
    } else if (is_word(option, "group") && more >= 2) {
      if (!with_group) {
        fail("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      }
      parsed.group = args[i + 1];
      parsed.consumer = args[i + 2];
      i += 2;
    } else if (is_word(option, "noack")) {
      if (!with_group) {
        fail("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      }
      parsed.no_ack = true;
    } else {
      fail_syntax();
    }
  }
  if (parsed.keys_at == 0) fail_syntax();
  if (with_group && !parsed.group) fail("ERR Missing GROUP option for XREADGROUP");
  return parsed;
}

// One stream to read: what was found, and the ID to read after (">" is the greatest ID).
struct Source {
  std::string key;
  std::optional<Metadata> metadata;
  std::optional<ConsumerGroup> group;
  StreamId after;
  bool new_entries = false;
};

// Delivers `entries` to the consumer: the group moves past them and, unless NOACK, each one
// becomes pending for the consumer (taken from another consumer if a SETID had moved the
// group back over it).
Future<Void> deliver(CommandContext& c, Stream& stream, const ReadArguments& arguments,
                     ConsumerGroup& group, const std::vector<StreamEntry>& entries) {
  for (const StreamEntry& entry : entries) {
    if (entry.id > group.last_id) co_await stream.advance(group, entry.id);
    if (arguments.no_ack) continue;
    std::optional<PendingEntry> pending = co_await stream.pending(*arguments.group, entry.id);
    stream.put_pending(*arguments.group, entry.id,
                       PendingEntry{arguments.consumer, c.store.now_ms(), 1},
                       pending ? std::optional<std::string>(pending->consumer) : std::nullopt);
  }
  stream.put_group(*arguments.group, group);
}

// The consumer's own pending entries after `after` (XREADGROUP with an ID): each one
// delivered again, or [id, nil] for one whose entry was deleted meanwhile.
Future<Void> reply_history(ReplyWriter& reply, int64_t now_ms, Stream& stream,
                           const ReadArguments& arguments, StreamId after) {
  std::vector<StreamId> owned;
  if (next_stream_id(after)) {
    owned = co_await stream.consumer_pending(*arguments.group, arguments.consumer, after,
                                             max_stream_id, arguments.count);
  }
  reply.array(owned.size());
  for (StreamId id : owned) {
    std::optional<StreamEntry> entry = co_await stream.entry(id);
    if (!entry) {
      reply_missing_entry(reply, id);
      continue;
    }
    reply_entry(reply, *entry);
    std::optional<PendingEntry> pending = co_await stream.pending(*arguments.group, id);
    STRATA_ASSERT_MSG(pending, "a consumer's pending entry is in its group's list");
    pending->delivery_time_ms = now_ms;
    ++pending->delivery_count;
    stream.put_pending(*arguments.group, id, *pending, pending->consumer);
  }
}

Future<Void> read_command(CommandContext& c, bool with_group) {
  const ReadArguments arguments = read_arguments(c, with_group);
  const size_t ids_at = arguments.keys_at + arguments.streams;
  std::vector<Source> sources;
  for (size_t i = 0; i < arguments.streams; ++i) {
    Source source;
    source.key = c.args[arguments.keys_at + i];
    const std::string& id_text = c.args[ids_at + i];
    std::optional<Metadata> found = co_await c.store.find(source.key);
    if (found && found->type != RedisType::stream) {
      // Redis serves a woken client only from a key of its type; XREADGROUP's group went
      // with the key.
      if (!c.woken) fail_wrong_type();
      if (with_group) fail("UNBLOCKED the stream key no longer exists");
      found.reset();
    }
    if (with_group) {
      if (found) {
        Stream stream(c.store, source.key, *found);
        source.group = co_await stream.group(*arguments.group);
      }
      if (!source.group) {
        if (c.woken && !found) fail("UNBLOCKED the stream key no longer exists");
        fail_no_group(source.key, *arguments.group, " in XREADGROUP with GROUP option");
      }
    }
    source.metadata = found;
    if (id_text == "$") {
      if (with_group) {
        fail(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the "
            "history of this consumer by specifying a proper ID, or use the > ID to get new "
            "messages. The $ ID would just return an empty result set.");
      }
      source.after = found ? found->stream.last_id : StreamId{};
    } else if (id_text == ">") {
      if (!with_group) {
        fail(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
            "<group> <consumer> option.");
      }
      source.new_entries = true;
      source.after = source.group->last_id;
    } else {
      source.after = parse_stream_id(id_text, 0, true);
    }
    sources.push_back(std::move(source));
  }

  const int64_t count = arguments.count == 0 && c.woken ? woken_count_default : arguments.count;
  // Each stream served: its key, then its reply (written into its own writer first, since
  // the number of streams served comes before them).
  std::vector<std::pair<std::string, std::string>> served;
  for (Source& source : sources) {
    if (!source.metadata) continue;
    Stream stream(c.store, source.key, *source.metadata);
    ReplyWriter part(c.reply.protocol());
    // A consumer is created, or seen, when it is served (and only then: a command that
    // waits writes nothing).
    if (with_group && !source.new_entries) {
      stream.put_consumer(*arguments.group, arguments.consumer, c.store.now_ms());
      co_await reply_history(part, c.store.now_ms(), stream, arguments, source.after);
      served.emplace_back(source.key, part.take());
      continue;
    }
    StreamId from = source.after;
    if (stream.length() == 0 || !next_stream_id(from)) continue;
    const std::vector<StreamEntry> entries =
        co_await stream.range(from, max_stream_id, false, count);
    if (entries.empty()) continue;
    if (with_group) {
      stream.put_consumer(*arguments.group, arguments.consumer, c.store.now_ms());
      co_await deliver(c, stream, arguments, *source.group, entries);
    }
    reply_entries(part, entries);
    served.emplace_back(source.key, part.take());
  }
  if (!served.empty()) {
    c.reply.protocol() == 2 ? c.reply.array(served.size()) : c.reply.map(served.size());
    for (const auto& [key, bytes] : served) {
      if (c.reply.protocol() == 2) c.reply.array(2);
      c.reply.bulk_string(key);
      c.reply.append_raw(bytes);
    }
    co_return;
  }
  if (!arguments.block_ms || !c.wake_on) {
    // Nothing to serve, and no waiting (no BLOCK, or inside MULTI): as on a timeout.
    c.reply.null_array();
    co_return;
  }
  for (const Source& source : sources) {
    c.wake_on->push_back(c.store.keyspace().metadata_key(c.store.db(), source.key));
    if (with_group && source.metadata) {
      Stream stream(c.store, source.key, *source.metadata);
      c.wake_on->push_back(stream.group_watch_key(*arguments.group));
    }
  }
  // Runs again with "$" resolved, so that what is added from now on is what it waits for.
  if (c.rerun_arguments) {
    *c.rerun_arguments = c.args;
    for (size_t i = 0; i < sources.size(); ++i) {
      std::string& id_text = (*c.rerun_arguments)[ids_at + i];
      if (id_text == "$") id_text = format_stream_id(sources[i].after);
    }
  }
}

Future<Void> xread_command(CommandContext& c) {
  return read_command(c, false);
}
Future<Void> xreadgroup_command(CommandContext& c) {
  return read_command(c, true);
}

}  // namespace

void add_stream_read_commands(CommandTable& table) {
  // Keys follow STREAMS: COMMAND reports none at a fixed place (Redis uses key specs).
  table.add(make_command("xread", -4, readonly | blocking, {0, 0, 0}, "stream",
                         "Read entries of streams, waiting for new ones with BLOCK", "5.0.0",
                         xread_command));
  table.add(make_command("xreadgroup", -7, write | blocking, {0, 0, 0}, "stream",
                         "Read entries of streams as a consumer of a group", "5.0.0",
                         xreadgroup_command));
}

}  // namespace strata::redis
