// Streams: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID and XINFO; the reads
// (XREAD, XREADGROUP) are in stream_read_commands.cpp, the consumer groups' commands in
// stream_group_commands.cpp. Redis 7.0's replies and errors.

#include <limits>

#include "interfaces/types.h"
#include "layers/redis/arguments.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/stream_reply.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// An integer setting of the instance's CONFIG, or `fallback` if it is not one.
uint64_t config_number(CommandContext& c, const std::string& name, uint64_t fallback) {
  auto found = c.instance.config().find(name);
  if (found == c.instance.config().end()) return fallback;
  try {
    const int64_t value = integer_argument(found->second);
    return value < 0 ? fallback : static_cast<uint64_t>(value);
  } catch (Error&) {
    return fallback;
  }
}

struct AddOrTrim {
  TrimArguments trim;
  bool no_make_stream = false;
  // XADD: where the ID is, and the ID given (none for "*"), with or without its sequence.
  size_t id_at = 0;
  std::optional<StreamId> id;
  bool seq_given = true;
};

// XADD's and XTRIM's options (Redis's streamParseAddOrTrimArgsOrReply).
AddOrTrim add_or_trim_arguments(CommandContext& c, bool xadd) {
  using Strategy = TrimArguments::Strategy;
  AddOrTrim parsed;
  TrimArguments& trim = parsed.trim;
  bool limit_given = false;
  size_t i = 2;
  for (; i < c.args.size(); ++i) {
    const size_t more = c.args.size() - 1 - i;
    const std::string& option = c.args[i];
    if (xadd && option == "*") break;
    if ((is_word(option, "maxlen") || is_word(option, "minid")) && more > 0) {
      if (trim.strategy != Strategy::none) {
        fail("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      }
      const bool by_length = is_word(option, "maxlen");
      trim.approximate = false;
      const std::string& next = c.args[i + 1];
      if (more >= 2 && next == "~") {
        trim.approximate = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      if (by_length) {
        trim.maxlen = integer_argument(c.args[i + 1]);
        if (trim.maxlen < 0) fail("ERR The MAXLEN argument must be >= 0.");
      } else {
        trim.minid = parse_stream_id(c.args[i + 1], 0, true);
      }
      ++i;
      trim.strategy = by_length ? Strategy::maxlen : Strategy::minid;
    } else if (is_word(option, "limit") && more > 0) {
      trim.limit = integer_argument(c.args[i + 1]);
      if (trim.limit < 0) fail("ERR The LIMIT argument must be >= 0.");
      limit_given = true;
      ++i;
    } else if (xadd && is_word(option, "nomkstream")) {
      parsed.no_make_stream = true;
    } else if (xadd) {
      parsed.id = parse_stream_id(option, 0, true, &parsed.seq_given);
      break;
    } else {
      fail_syntax();
    }
  }
  parsed.id_at = i;
  if (trim.limit != 0 && trim.strategy == Strategy::none) {
    fail("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  }
  if (!xadd && trim.strategy == Strategy::none) {
    fail("ERR syntax error, XTRIM must be called with a trimming strategy");
  }
  if (limit_given) {
    if (!trim.approximate) {
      fail("ERR syntax error, LIMIT cannot be used without the special ~ option");
    }
  } else if (trim.approximate) {
    // Redis bounds an approximate trim's work to 100 nodes' entries.
    const uint64_t node_entries = config_number(c, "stream-node-max-entries", 100);
    const uint64_t limit =
        node_entries > std::numeric_limits<uint64_t>::max() / 100 ? 0 : 100 * node_entries;
    trim.limit = limit == 0 ? 10000 : static_cast<int64_t>(std::min<uint64_t>(limit, 1000000));
  } else {
    trim.limit = 0;
  }
  return parsed;
}

// The entry limit: an entry is one Strata value, with its node number and its fields'
// lengths packed around them.
void check_entry_size(const std::vector<std::string>& fields) {
  size_t bytes = 16;
  for (const std::string& field : fields)
    bytes += field.size() + 2;
  if (bytes > value_size_limit) {
    fail("ERR a stream entry of " + std::to_string(bytes) + " bytes is over the " +
         std::to_string(value_size_limit) + " bytes an entry can hold (one Strata value)");
  }
}

Future<Void> xadd_command(CommandContext& c) {
  AddOrTrim parsed = add_or_trim_arguments(c, true);
  const size_t fields_at = parsed.id_at + 1;
  if (c.args.size() < fields_at + 2 || (c.args.size() - fields_at) % 2 == 1) {
    fail(wrong_arguments_message("xadd"));
  }
  if (parsed.id && parsed.seq_given && parsed.id->is_zero()) {
    fail("ERR The ID specified in XADD must be greater than 0-0");
  }
  const std::vector<std::string> fields(c.args.begin() + static_cast<long>(fields_at),
                                        c.args.end());
  check_entry_size(fields);
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::stream);
  if (!found && parsed.no_make_stream) {
    c.reply.null();
    co_return;
  }
  Stream stream(c.store, c.args[1],
                found ? *found : co_await c.store.new_metadata(RedisType::stream));
  const StreamId last = stream.fields().last_id;
  if (last == max_stream_id) {
    fail("ERR The stream has exhausted the last possible ID, unable to add more items");
  }
  const std::string_view too_small =
      "ERR The ID specified in XADD is equal or smaller than the target stream top item";
  StreamId id;
  if (!parsed.id) {
    // Milliseconds now, or the last ID's next when the clock is behind it (time never goes
    // backward in a stream, whichever instance's clock adds to it).
    const auto now = static_cast<uint64_t>(c.store.now_ms());
    if (now > last.ms) {
      id = StreamId{now, 0};
    } else {
      id = last;
      next_stream_id(id);
    }
  } else if (!parsed.seq_given && parsed.id->ms == last.ms) {
    if (last.seq == std::numeric_limits<uint64_t>::max()) fail(std::string(too_small));
    id = StreamId{last.ms, last.seq + 1};
  } else {
    id = *parsed.id;
  }
  if (id <= last) fail(std::string(too_small));
  stream.add(id, fields, config_number(c, "stream-node-max-entries", 100),
             config_number(c, "stream-node-max-bytes", 4096));
  co_await stream.trim(parsed.trim);
  stream.save(found);
  c.reply.bulk_string(format_stream_id(id));
}

Future<Void> xtrim_command(CommandContext& c) {
  AddOrTrim parsed = add_or_trim_arguments(c, false);
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::stream);
  if (!found) {
    c.reply.integer(0);
    co_return;
  }
  Stream stream(c.store, c.args[1], *found);
  const int64_t removed = co_await stream.trim(parsed.trim);
  if (removed > 0) stream.save(found);
  c.reply.integer(removed);
}

Future<Void> xlen_command(CommandContext& c) {
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::stream);
  c.reply.integer(found ? found->size : 0);
}

Future<Void> range_command(CommandContext& c, bool reverse) {
  const StreamId start = range_bound(c.args[reverse ? 3 : 2], true);
  const StreamId end = range_bound(c.args[reverse ? 2 : 3], false);
  int64_t count = -1;
  for (size_t i = 4; i < c.args.size(); ++i) {
    if (is_word(c.args[i], "count") && i + 1 < c.args.size()) {
      count = std::max<int64_t>(integer_argument(c.args[i + 1]), 0);
      ++i;
    } else {
      fail_syntax();
    }
  }
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::stream);
  if (!found) {
    c.reply.array(0);
    co_return;
  }
  if (count == 0) {
    c.reply.null_array();
    co_return;
  }
  Stream stream(c.store, c.args[1], *found);
  reply_entries(c.reply, co_await stream.range(start, end, reverse, count < 0 ? 0 : count));
}

Future<Void> xrange_command(CommandContext& c) {
  return range_command(c, false);
}
Future<Void> xrevrange_command(CommandContext& c) {
  return range_command(c, true);
}

Future<Void> xdel_command(CommandContext& c) {
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::stream);
  if (!found) {
    c.reply.integer(0);
    co_return;
  }
  std::vector<StreamId> ids;
  for (size_t i = 2; i < c.args.size(); ++i)
    ids.push_back(parse_stream_id(c.args[i], 0, true));
  Stream stream(c.store, c.args[1], *found);
  int64_t deleted = 0;
  for (StreamId id : ids)
    deleted += co_await stream.remove(id) ? 1 : 0;
  if (deleted > 0) stream.save(found);
  c.reply.integer(deleted);
}

Future<Void> xsetid_command(CommandContext& c) {
  const StreamId id = parse_stream_id(c.args[2], 0, true);
  int64_t entries_added = -1;
  StreamId max_deleted;
  for (size_t i = 3; i < c.args.size(); i += 2) {
    const bool more = i + 1 < c.args.size();
    if (is_word(c.args[i], "entriesadded") && more) {
      entries_added = integer_argument(c.args[i + 1]);
      if (entries_added < 0) fail("ERR entries_added must be positive");
    } else if (is_word(c.args[i], "maxdeletedid") && more) {
      max_deleted = parse_stream_id(c.args[i + 1], 0, true);
      if (id < max_deleted) {
        fail("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
    } else {
      fail_syntax();
    }
  }
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::stream);
  if (!found) fail(std::string(no_such_key_message));
  Stream stream(c.store, c.args[1], *found);
  if (stream.length() > 0) {
    const std::vector<StreamEntry> last = co_await stream.range(StreamId{}, max_stream_id, true, 1);
    if (id < last.front().id) {
      fail("ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entries_added != -1 && stream.length() > entries_added) {
      fail("ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  stream.fields().last_id = id;
  if (entries_added != -1) stream.fields().entries_added = static_cast<uint64_t>(entries_added);
  if (!max_deleted.is_zero()) stream.fields().max_deleted_id = max_deleted;
  stream.save(found);
  c.reply.simple_string("OK");
}

// XINFO's fields of where a group stands (GROUPS and STREAM FULL): its last delivered ID,
// the entries it read and its lag, each of the last two nil when it cannot be known.
Future<Void> reply_group_position(ReplyWriter& reply, Stream& stream, const ConsumerGroup& group) {
  reply.bulk_string("last-delivered-id");
  reply.bulk_string(format_stream_id(group.last_id));
  reply.bulk_string("entries-read");
  group.entries_read == entries_read_unknown ? reply.null() : reply.integer(group.entries_read);
  reply.bulk_string("lag");
  std::optional<int64_t> lag = co_await stream.lag(group);
  lag ? reply.integer(*lag) : reply.null();
}

// XINFO STREAM FULL's pending entries, the first `count` (0: all): [id, consumer (the
// group's list only), delivery time, delivery count].
void reply_pending_list(ReplyWriter& reply,
                        const std::vector<std::pair<StreamId, const PendingEntry*>>& entries,
                        int64_t count, bool with_consumer) {
  const size_t shown =
      count == 0 ? entries.size() : std::min(entries.size(), static_cast<size_t>(count));
  reply.array(shown);
  for (size_t i = 0; i < shown; ++i) {
    reply.array(with_consumer ? 4 : 3);
    reply.bulk_string(format_stream_id(entries[i].first));
    if (with_consumer) reply.bulk_string(entries[i].second->consumer);
    reply.integer(entries[i].second->delivery_time_ms);
    reply.integer(entries[i].second->delivery_count);
  }
}

Future<Void> xinfo_stream(CommandContext& c, Stream& stream) {
  bool full = false;
  int64_t count = 10;
  const size_t options = c.args.size() - 3;
  if (options > 0) {
    if ((options != 1 && options != 3) || !is_word(c.args[3], "full")) {
      fail(subcommand_syntax_message(c.args));
    }
    full = true;
    if (options == 3) {
      if (!is_word(c.args[4], "count")) fail(subcommand_syntax_message(c.args));
      count = integer_argument(c.args[5]);
      if (count < 0) count = 10;
    }
  }
  const StreamFields& fields = stream.fields();
  const StreamId first = co_await stream.first_id();
  // Redis's radix tree holds one key per node: the nodes from the first entry's to the
  // tail (an estimate where deletions emptied nodes between them).
  int64_t nodes = 0;
  if (stream.length() > 0) {
    std::optional<StreamEntry> head = co_await stream.entry(first);
    nodes = static_cast<int64_t>(fields.tail_node - head->node + 1);
  }
  c.reply.map(full ? 9 : 10);
  c.reply.bulk_string("length");
  c.reply.integer(stream.length());
  c.reply.bulk_string("radix-tree-keys");
  c.reply.integer(nodes);
  c.reply.bulk_string("radix-tree-nodes");
  c.reply.integer(nodes + 1);
  c.reply.bulk_string("last-generated-id");
  c.reply.bulk_string(format_stream_id(fields.last_id));
  c.reply.bulk_string("max-deleted-entry-id");
  c.reply.bulk_string(format_stream_id(fields.max_deleted_id));
  c.reply.bulk_string("entries-added");
  c.reply.integer(static_cast<int64_t>(fields.entries_added));
  c.reply.bulk_string("recorded-first-entry-id");
  c.reply.bulk_string(format_stream_id(first));
  const std::vector<std::pair<std::string, ConsumerGroup>> groups = co_await stream.groups();
  if (!full) {
    c.reply.bulk_string("groups");
    c.reply.integer(static_cast<int64_t>(groups.size()));
    for (const bool reverse : {false, true}) {
      c.reply.bulk_string(reverse ? "last-entry" : "first-entry");
      std::vector<StreamEntry> edge = co_await stream.range(StreamId{}, max_stream_id, reverse, 1);
      edge.empty() ? c.reply.null() : reply_entry(c.reply, edge.front());
    }
    co_return;
  }
  c.reply.bulk_string("entries");
  reply_entries(c.reply, co_await stream.range(StreamId{}, max_stream_id, false, count));
  c.reply.bulk_string("groups");
  c.reply.array(groups.size());
  for (const auto& [name, group] : groups) {
    const std::vector<std::pair<StreamId, PendingEntry>> pending =
        co_await stream.pending_range(name, StreamId{}, max_stream_id, 0);
    c.reply.map(7);
    c.reply.bulk_string("name");
    c.reply.bulk_string(name);
    co_await reply_group_position(c.reply, stream, group);
    c.reply.bulk_string("pel-count");
    c.reply.integer(static_cast<int64_t>(pending.size()));
    c.reply.bulk_string("pending");
    std::vector<std::pair<StreamId, const PendingEntry*>> all;
    for (const auto& [id, entry] : pending)
      all.emplace_back(id, &entry);
    reply_pending_list(c.reply, all, count, true);
    const std::vector<std::pair<std::string, int64_t>> consumers = co_await stream.consumers(name);
    c.reply.bulk_string("consumers");
    c.reply.array(consumers.size());
    for (const auto& [consumer, seen_time_ms] : consumers) {
      std::vector<std::pair<StreamId, const PendingEntry*>> owned;
      for (const auto& [id, entry] : pending) {
        if (entry.consumer == consumer) owned.emplace_back(id, &entry);
      }
      c.reply.map(4);
      c.reply.bulk_string("name");
      c.reply.bulk_string(consumer);
      c.reply.bulk_string("seen-time");
      c.reply.integer(seen_time_ms);
      c.reply.bulk_string("pel-count");
      c.reply.integer(static_cast<int64_t>(owned.size()));
      c.reply.bulk_string("pending");
      reply_pending_list(c.reply, owned, count, false);
    }
  }
}

Future<Void> xinfo_command(CommandContext& c) {
  const std::string sub =
      subcommand_of(c.args, {{"help", 2}, {"stream", -3}, {"groups", 3}, {"consumers", 4}});
  if (sub == "help") {
    reply_help(c.reply, "XINFO",
               {"CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.", "GROUPS <key>",
                "    Show the stream consumer groups.", "STREAM <key> [FULL [COUNT <count>]",
                "    Show information about the stream."});
    co_return;
  }
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[2], RedisType::stream);
  if (!found) fail(std::string(no_such_key_message));
  Stream stream(c.store, c.args[2], *found);
  if (sub == "stream") {
    co_await xinfo_stream(c, stream);
  } else if (sub == "groups") {
    const std::vector<std::pair<std::string, ConsumerGroup>> groups = co_await stream.groups();
    c.reply.array(groups.size());
    for (const auto& [name, group] : groups) {
      const auto consumers = co_await stream.consumers(name);
      const auto pending = co_await stream.pending_range(name, StreamId{}, max_stream_id, 0);
      c.reply.map(6);
      c.reply.bulk_string("name");
      c.reply.bulk_string(name);
      c.reply.bulk_string("consumers");
      c.reply.integer(static_cast<int64_t>(consumers.size()));
      c.reply.bulk_string("pending");
      c.reply.integer(static_cast<int64_t>(pending.size()));
      co_await reply_group_position(c.reply, stream, group);
    }
  } else {
    if (!co_await stream.group(c.args[3])) {
      fail("NOGROUP No such consumer group '" + c.args[3] + "' for key name '" + c.args[2] + "'");
    }
    const auto consumers = co_await stream.consumers(c.args[3]);
    c.reply.array(consumers.size());
    for (const auto& [name, seen_time_ms] : consumers) {
      const auto owned =
          co_await stream.consumer_pending(c.args[3], name, StreamId{}, max_stream_id, 0);
      c.reply.map(3);
      c.reply.bulk_string("name");
      c.reply.bulk_string(name);
      c.reply.bulk_string("pending");
      c.reply.integer(static_cast<int64_t>(owned.size()));
      c.reply.bulk_string("idle");
      c.reply.integer(std::max<int64_t>(0, c.store.now_ms() - seen_time_ms));
    }
  }
}

}  // namespace

void add_stream_group_commands(CommandTable& table);
void add_stream_read_commands(CommandTable& table);

void add_stream_commands(CommandTable& table) {
  const KeyPositions key{1, 1, 1};
  auto add = [&](std::string name, int arity, uint32_t flags, std::string summary,
                 std::string since, CommandHandler handler) {
    table.add(make_command(std::move(name), arity, flags, key, "stream", std::move(summary),
                           std::move(since), handler));
  };
  add("xadd", -5, write | fast, "Append an entry to a stream", "5.0.0", xadd_command);
  add("xtrim", -4, write, "Remove a stream's oldest entries", "5.0.0", xtrim_command);
  add("xlen", 2, readonly | fast, "The number of entries of a stream", "5.0.0", xlen_command);
  add("xrange", -4, readonly, "Entries of a stream in a range of IDs", "5.0.0", xrange_command);
  add("xrevrange", -4, readonly, "Entries of a stream in a range of IDs, last first", "5.0.0",
      xrevrange_command);
  add("xdel", -3, write | fast, "Delete entries of a stream", "5.0.0", xdel_command);
  add("xsetid", -3, write | fast, "Set a stream's last ID", "5.0.0", xsetid_command);
  table.add(make_command("xinfo", -2, readonly, {2, 2, 1}, "stream",
                         "Show a stream, its groups or a group's consumers", "5.0.0",
                         xinfo_command));
  add_stream_read_commands(table);
  add_stream_group_commands(table);
}

}  // namespace strata::redis
