// Consumer groups: XGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM (reading as a group is
// XREADGROUP, in stream_read_commands.cpp). An entry delivered to a consumer stays pending
// for it, in the group's list and the consumer's index (stream_access.h), until XACK removes
// it or a claim gives it to another consumer. Redis 7.0's replies and errors.

#include <limits>
#include <map>

#include "layers/redis/arguments.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/redis_integer.h"
#include "layers/redis/stream_reply.h"
#include "runtime/assert.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// The stream at `key` and its consumer group `group`, either of them absent when not
// found (WRONGTYPE for a key of another type).
struct StreamAndGroup {
  std::optional<Stream> stream;
  std::optional<ConsumerGroup> group;
};
Future<StreamAndGroup> find_group(CommandContext& c, std::string key, std::string group) {
  StreamAndGroup found;
  std::optional<Metadata> metadata = co_await c.store.find_typed(key, RedisType::stream);
  if (metadata) {
    found.stream.emplace(c.store, key, *metadata);
    found.group = co_await found.stream->group(group);
  }
  co_return found;
}

Future<Void> xgroup_command(CommandContext& c) {
  const std::string sub = subcommand_of(c.args, {{"help", 2},
                                                 {"create", -5},
                                                 {"setid", -5},
                                                 {"destroy", 4},
                                                 {"createconsumer", 5},
                                                 {"delconsumer", 5}});
  if (sub == "help") {
    reply_help(
        c.reply, "XGROUP",
        {"CREATE <key> <groupname> <id|$> [option]",
         "    Create a new consumer group. Options are:", "    * MKSTREAM",
         "      Create the empty stream if it does not exist.", "    * ENTRIESREAD entries_read",
         "      Set the group's entries_read counter (internal use).",
         "CREATECONSUMER <key> <groupname> <consumer>",
         "    Create a new consumer in the specified group.",
         "DELCONSUMER <key> <groupname> <consumer>", "    Remove the specified consumer.",
         "DESTROY <key> <groupname>", "    Remove the specified group.",
         "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
         "    Set the current group ID and entries_read counter."});
    co_return;
  }
  const bool create = sub == "create";
  bool make_stream = false;
  int64_t entries_read = entries_read_unknown;
  for (size_t i = 5; i < c.args.size();) {
    if (create && is_word(c.args[i], "mkstream")) {
      make_stream = true;
      ++i;
    } else if ((create || sub == "setid") && is_word(c.args[i], "entriesread") &&
               i + 1 < c.args.size()) {
      entries_read = integer_argument(c.args[i + 1]);
      if (entries_read < 0 && entries_read != entries_read_unknown) {
        fail("ERR value for ENTRIESREAD must be positive or -1");
      }
      i += 2;
    } else {
      fail(subcommand_syntax_message(c.args));
    }
  }
  const std::string& key = c.args[2];
  const std::string& name = c.args[3];
  std::optional<Metadata> found = co_await c.store.find_typed(key, RedisType::stream);
  if (!found && !make_stream) {
    fail(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
        "want to use the MKSTREAM option to create an empty stream automatically.");
  }
  Stream stream(c.store, key, found ? *found : co_await c.store.new_metadata(RedisType::stream));
  std::optional<ConsumerGroup> group = co_await stream.group(name);
  if (!group && (sub == "setid" || sub == "createconsumer" || sub == "delconsumer")) {
    fail("NOGROUP No such consumer group '" + name + "' for key name '" + key + "'");
  }
  if (create || sub == "setid") {
    if (create ? c.args.size() > 8 : c.args.size() != 5 && c.args.size() != 7) {
      fail(subcommand_syntax_message(c.args));
    }
    StreamId id;
    if (c.args[4] == "$") {
      id = stream.fields().last_id;
    } else {
      id = parse_stream_id(c.args[4], 0, create);
    }
    if (create && group) fail("BUSYGROUP Consumer Group name already exists");
    stream.put_group(name, ConsumerGroup{id, entries_read});
    if (!found) stream.save(found);
    c.reply.simple_string("OK");
  } else if (sub == "destroy") {
    if (group) stream.remove_group(name);
    c.reply.integer(group ? 1 : 0);
  } else if (sub == "createconsumer") {
    const bool exists = (co_await stream.consumer(name, c.args[4])).has_value();
    if (!exists) stream.put_consumer(name, c.args[4], c.store.now_ms());
    c.reply.integer(exists ? 0 : 1);
  } else {
    const bool exists = (co_await stream.consumer(name, c.args[4])).has_value();
    c.reply.integer(exists ? co_await stream.remove_consumer(name, c.args[4]) : 0);
  }
}

Future<Void> xack_command(CommandContext& c) {
  auto [stream, group] = co_await find_group(c, c.args[1], c.args[2]);
  if (!group) {
    c.reply.integer(0);
    co_return;
  }
  // Every ID is checked before any is acknowledged: all or nothing.
  std::vector<StreamId> ids;
  for (size_t i = 3; i < c.args.size(); ++i)
    ids.push_back(parse_stream_id(c.args[i], 0, true));
  int64_t acknowledged = 0;
  for (StreamId id : ids) {
    std::optional<PendingEntry> pending = co_await stream->pending(c.args[2], id);
    if (!pending) continue;
    stream->remove_pending(c.args[2], id, pending->consumer);
    ++acknowledged;
  }
  c.reply.integer(acknowledged);
}

Future<Void> xpending_command(CommandContext& c) {
  const bool summary = c.args.size() == 3;
  if (!summary && (c.args.size() < 6 || c.args.size() > 9)) fail_syntax();
  StreamId start;
  StreamId end;
  int64_t count = 0;
  int64_t min_idle_ms = 0;
  std::optional<std::string> consumer;
  if (!summary) {
    size_t at = 3;
    if (is_word(c.args[3], "idle")) {
      min_idle_ms = integer_argument(c.args[4]);
      if (c.args.size() < 8) fail_syntax();
      at += 2;
    }
    count = std::max<int64_t>(integer_argument(c.args[at + 2]), 0);
    start = range_bound(c.args[at], true);
    end = range_bound(c.args[at + 1], false);
    if (at + 3 < c.args.size()) consumer = c.args[at + 3];
  }
  auto [stream, found_group] = co_await find_group(c, c.args[1], c.args[2]);
  if (!found_group) fail_no_group(c.args[1], c.args[2]);
  const std::string& group = c.args[2];
  if (summary) {
    const std::vector<std::pair<StreamId, PendingEntry>> pending =
        co_await stream->pending_range(group, StreamId{}, max_stream_id, 0);
    c.reply.array(4);
    c.reply.integer(static_cast<int64_t>(pending.size()));
    if (pending.empty()) {
      c.reply.null();
      c.reply.null();
      c.reply.null_array();
      co_return;
    }
    c.reply.bulk_string(format_stream_id(pending.front().first));
    c.reply.bulk_string(format_stream_id(pending.back().first));
    std::map<std::string, int64_t> by_consumer;
    for (const auto& [id, entry] : pending)
      ++by_consumer[entry.consumer];
    c.reply.array(by_consumer.size());
    for (const auto& [name, owned] : by_consumer) {
      c.reply.array(2);
      c.reply.bulk_string(name);
      c.reply.bulk_string(std::to_string(owned));
    }
    co_return;
  }
  std::vector<std::pair<StreamId, PendingEntry>> listed;
  if (count > 0) {
    // The IDLE filter skips entries, so it reads the whole range; without it, `count`.
    const int64_t read_count = min_idle_ms > 0 ? 0 : count;
    if (consumer) {
      if (co_await stream->consumer(group, *consumer)) {
        for (StreamId id :
             co_await stream->consumer_pending(group, *consumer, start, end, read_count)) {
          std::optional<PendingEntry> entry = co_await stream->pending(group, id);
          STRATA_ASSERT_MSG(entry, "a consumer's pending entry is in its group's list");
          listed.emplace_back(id, std::move(*entry));
        }
      }
    } else {
      listed = co_await stream->pending_range(group, start, end, read_count);
    }
  }
  const int64_t now = c.store.now_ms();
  std::vector<std::pair<StreamId, PendingEntry>> shown;
  for (auto& [id, entry] : listed) {
    if (static_cast<int64_t>(shown.size()) == count) break;
    if (min_idle_ms > 0 && now - entry.delivery_time_ms < min_idle_ms) continue;
    shown.emplace_back(id, std::move(entry));
  }
  c.reply.array(shown.size());
  for (const auto& [id, entry] : shown) {
    c.reply.array(4);
    c.reply.bulk_string(format_stream_id(id));
    c.reply.bulk_string(entry.consumer);
    c.reply.integer(std::max<int64_t>(0, now - entry.delivery_time_ms));
    c.reply.integer(entry.delivery_count);
  }
}

// A claim's options (XCLAIM).
struct ClaimOptions {
  int64_t min_idle_ms = 0;
  std::optional<int64_t> delivery_time_ms;
  std::optional<int64_t> retry_count;
  bool force = false;
  bool just_id = false;
  StreamId last_id;
};

// Gives the pending entry `id` to the consumer (creating it), as XCLAIM and XAUTOCLAIM do,
// and replies with the entry (or its ID alone).
Future<Void> claim(ReplyWriter& reply, int64_t now_ms, Stream& stream, const std::string& group,
                   const std::string& consumer, StreamId id, PendingEntry pending,
                   const std::optional<std::string>& owner, const ClaimOptions& options,
                   bool& consumer_seen) {
  if (!consumer_seen) {
    stream.put_consumer(group, consumer, now_ms);
    consumer_seen = true;
  }
  pending.consumer = consumer;
  pending.delivery_time_ms = options.delivery_time_ms.value_or(now_ms);
  if (options.retry_count) {
    pending.delivery_count = *options.retry_count;
  } else if (!options.just_id) {
    ++pending.delivery_count;
  }
  stream.put_pending(group, id, pending, owner);
  if (options.just_id) {
    reply.bulk_string(format_stream_id(id));
  } else {
    std::optional<StreamEntry> entry = co_await stream.entry(id);
    STRATA_ASSERT_MSG(entry, "a claimed entry exists");
    reply_entry(reply, *entry);
  }
}

Future<Void> xclaim_command(CommandContext& c) {
  auto [stream, group] = co_await find_group(c, c.args[1], c.args[2]);
  if (!group) fail_no_group(c.args[1], c.args[2]);
  ClaimOptions options;
  options.min_idle_ms = std::max<int64_t>(
      integer_argument(c.args[4], "ERR Invalid min-idle-time argument for XCLAIM"), 0);
  // The IDs run until the first argument that is not one; the options follow.
  std::vector<StreamId> ids;
  size_t i = 5;
  for (; i < c.args.size(); ++i) {
    try {
      ids.push_back(parse_stream_id(c.args[i], 0, true));
    } catch (Error& error) {
      if (!error.is(ErrorCode::layer_command_failed)) throw;
      break;
    }
  }
  const int64_t now = c.store.now_ms();
  for (; i < c.args.size(); ++i) {
    const bool more = i + 1 < c.args.size();
    const std::string& option = c.args[i];
    if (is_word(option, "force")) {
      options.force = true;
    } else if (is_word(option, "justid")) {
      options.just_id = true;
    } else if (is_word(option, "idle") && more) {
      options.delivery_time_ms =
          now - integer_argument(c.args[++i], "ERR Invalid IDLE option argument for XCLAIM");
    } else if (is_word(option, "time") && more) {
      options.delivery_time_ms =
          integer_argument(c.args[++i], "ERR Invalid TIME option argument for XCLAIM");
    } else if (is_word(option, "retrycount") && more) {
      options.retry_count =
          integer_argument(c.args[++i], "ERR Invalid RETRYCOUNT option argument for XCLAIM");
    } else if (is_word(option, "lastid") && more) {
      options.last_id = parse_stream_id(c.args[++i], 0, true);
    } else {
      fail("ERR Unrecognized XCLAIM option '" + option + "'");
    }
  }
  if (options.last_id > group->last_id) {
    group->last_id = options.last_id;
    stream->put_group(c.args[2], *group);
  }
  if (options.delivery_time_ms &&
      (*options.delivery_time_ms < 0 || *options.delivery_time_ms > now))
    options.delivery_time_ms = now;
  // Each claimed entry's reply, written first: their number comes before them.
  ReplyWriter claimed(c.reply.protocol());
  size_t claimed_count = 0;
  bool consumer_seen = false;
  for (StreamId id : ids) {
    std::optional<PendingEntry> pending = co_await stream->pending(c.args[2], id);
    if (!co_await stream->entry(id)) {
      // An entry deleted meanwhile: its pending entry goes too.
      if (pending) stream->remove_pending(c.args[2], id, pending->consumer);
      continue;
    }
    std::optional<std::string> owner;
    if (pending) {
      owner = pending->consumer;
    } else if (options.force) {
      pending = PendingEntry{};
    } else {
      continue;
    }
    if (owner && options.min_idle_ms > 0 && now - pending->delivery_time_ms < options.min_idle_ms)
      continue;
    co_await claim(claimed, now, *stream, c.args[2], c.args[3], id, *pending, owner, options,
                   consumer_seen);
    ++claimed_count;
  }
  c.reply.array(claimed_count);
  c.reply.append_raw(claimed.take());
}

Future<Void> xautoclaim_command(CommandContext& c) {
  ClaimOptions options;
  options.min_idle_ms = std::max<int64_t>(
      integer_argument(c.args[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM"), 0);
  StreamId start = range_bound(c.args[5], true);
  // Redis looks at up to ten times COUNT pending entries.
  constexpr int64_t attempts_factor = 10;
  int64_t count = 100;
  for (size_t i = 6; i < c.args.size(); ++i) {
    if (is_word(c.args[i], "count") && i + 1 < c.args.size()) {
      const int64_t max_count = std::numeric_limits<int64_t>::max() / 16;
      std::optional<int64_t> value = parse_redis_integer(c.args[i + 1]);
      if (!value || *value < 1 || *value > max_count) fail("ERR COUNT must be > 0");
      count = *value;
      ++i;
    } else if (is_word(c.args[i], "justid")) {
      options.just_id = true;
    } else {
      fail_syntax();
    }
  }
  auto [stream, found_group] = co_await find_group(c, c.args[1], c.args[2]);
  if (!found_group) fail_no_group(c.args[1], c.args[2]);
  const std::string& group = c.args[2];
  const int64_t now = c.store.now_ms();
  ReplyWriter claimed(c.reply.protocol());
  size_t claimed_count = 0;
  std::vector<StreamId> deleted;
  bool consumer_seen = false;
  int64_t attempts = count * attempts_factor;
  // Pending entries from `start`, read in pages: the first one not looked at is where the
  // next call starts (0-0 when none is left).
  StreamId next;
  bool exhausted = false;
  StreamId from = start;
  while (attempts > 0 && count > 0) {
    std::vector<std::pair<StreamId, PendingEntry>> page = co_await stream->pending_range(
        group, from, max_stream_id, std::min<int64_t>(attempts, 1000) + 1);
    if (page.empty()) {
      exhausted = true;
      break;
    }
    size_t used = 0;
    for (auto& [id, pending] : page) {
      if (attempts == 0 || count == 0) break;
      --attempts;
      ++used;
      if (!co_await stream->entry(id)) {
        stream->remove_pending(group, id, pending.consumer);
        deleted.push_back(id);
        --count;
        continue;
      }
      if (options.min_idle_ms > 0 && now - pending.delivery_time_ms < options.min_idle_ms) continue;
      const std::string owner = pending.consumer;
      co_await claim(claimed, now, *stream, group, c.args[3], id, pending, owner, options,
                     consumer_seen);
      ++claimed_count;
      --count;
    }
    if (used < page.size()) {
      next = page[used].first;
      break;
    }
    from = page.back().first;
    if (!next_stream_id(from)) {
      exhausted = true;
      break;
    }
  }
  if (!exhausted && next.is_zero()) {
    // Stopped exactly at a page's end: the next pending entry, if any.
    std::vector<std::pair<StreamId, PendingEntry>> after =
        co_await stream->pending_range(group, from, max_stream_id, 1);
    if (!after.empty()) next = after.front().first;
  }
  c.reply.array(3);
  c.reply.bulk_string(format_stream_id(next));
  c.reply.array(claimed_count);
  c.reply.append_raw(claimed.take());
  c.reply.array(deleted.size());
  for (StreamId id : deleted)
    c.reply.bulk_string(format_stream_id(id));
}

}  // namespace

void add_stream_group_commands(CommandTable& table) {
  const KeyPositions key{1, 1, 1};
  auto add = [&](std::string name, int arity, uint32_t flags, std::string summary,
                 std::string since, CommandHandler handler) {
    table.add(make_command(std::move(name), arity, flags, key, "stream", std::move(summary),
                           std::move(since), handler));
  };
  table.add(make_command("xgroup", -2, write, {2, 2, 1}, "stream",
                         "Create, change and remove consumer groups and consumers", "5.0.0",
                         xgroup_command));
  add("xack", -4, write | fast, "Acknowledge entries delivered to a group", "5.0.0", xack_command);
  add("xpending", -3, readonly, "Entries delivered to a group and not acknowledged", "5.0.0",
      xpending_command);
  add("xclaim", -6, write | fast, "Take pending entries over for a consumer", "5.0.0",
      xclaim_command);
  add("xautoclaim", -6, write | fast,
      "Take over pending entries idle for long enough, from an ID on", "6.2.0", xautoclaim_command);
}

}  // namespace strata::redis
