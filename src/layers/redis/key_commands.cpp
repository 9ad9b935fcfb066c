// Keys of any type: DEL, EXISTS, TYPE, RENAME, COPY, MOVE, the expiry commands, KEYS, SCAN,
// RANDOMKEY, TOUCH, OBJECT, and the database-wide DBSIZE, FLUSHDB and FLUSHALL.

#include <climits>

#include "layers/redis/arguments.h"
#include "layers/redis/command_context.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/glob.h"
#include "layers/redis/redis_integer.h"
#include "runtime/environment.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// RANDOMKEY reads every key of a database up to this many, to pick among them uniformly.
constexpr int64_t randomkey_read_all_max = 1000;

// DEL and UNLINK (the same here: deleting a key of any size is one range clear).
Future<Void> del_command(CommandContext& c) {
  int64_t deleted = 0;
  for (size_t i = 1; i < c.args.size(); ++i) {
    std::optional<Metadata> found = co_await c.store.find(c.args[i]);
    if (!found) continue;
    c.store.remove(c.args[i], *found);
    ++deleted;
  }
  c.reply.integer(deleted);
}

// EXISTS and TOUCH: how many of the keys exist (a key named twice counts twice).
Future<Void> exists_command(CommandContext& c) {
  int64_t existing = 0;
  for (size_t i = 1; i < c.args.size(); ++i) {
    if (co_await c.store.find(c.args[i])) ++existing;
  }
  c.reply.integer(existing);
}

Future<Void> type_command(CommandContext& c) {
  std::optional<Metadata> found = co_await c.store.find(c.args[1]);
  c.reply.simple_string(found ? type_name(found->type) : "none");
}

// Makes `to` (in `to_store`, found there as `existing`) a copy of `from` (found as `source`
// in `from_store`), expiry included.
Future<Void> copy_key(KeyStore& from_store, std::string from, Metadata source, KeyStore& to_store,
                      std::string to, std::optional<Metadata> existing) {
  if (existing) to_store.remove(to, *existing);
  Metadata copy = source;
  copy.version = (co_await to_store.new_metadata(source.type)).version;
  const bool elements =
      source.type != RedisType::string || static_cast<int64_t>(source.value.size()) != source.size;
  if (elements) {
    for (auto& [element, value] : co_await from_store.read_elements(from, source))
      to_store.transaction().set(to_store.element_key(to, copy, element), value);
  }
  to_store.put(to, copy, std::nullopt);
}

// RENAME and RENAMENX.
Future<Void> rename_key(CommandContext& c, bool only_new) {
  std::optional<Metadata> source = co_await c.store.find(c.args[1]);
  if (!source) fail(std::string(no_such_key_message));
  if (c.args[1] == c.args[2]) {
    only_new ? c.reply.integer(0) : c.reply.simple_string("OK");
    co_return;
  }
  std::optional<Metadata> existing = co_await c.store.find(c.args[2]);
  if (only_new && existing) {
    c.reply.integer(0);
    co_return;
  }
  co_await copy_key(c.store, c.args[1], *source, c.store, c.args[2], existing);
  c.store.remove(c.args[1], *source);
  only_new ? c.reply.integer(1) : c.reply.simple_string("OK");
}
Future<Void> rename_command(CommandContext& c) {
  return rename_key(c, false);
}
Future<Void> renamenx_command(CommandContext& c) {
  return rename_key(c, true);
}

int64_t database_argument(std::string_view text) {
  const int64_t db = integer_argument(text);
  if (db < 0 || db >= database_count) fail("ERR DB index is out of range");
  return db;
}

Future<Void> copy_command(CommandContext& c) {
  int64_t db = c.store.db();
  bool replace = false;
  for (size_t i = 3; i < c.args.size(); ++i) {
    if (is_word(c.args[i], "REPLACE")) {
      replace = true;
    } else if (is_word(c.args[i], "DB") && i + 1 < c.args.size()) {
      db = database_argument(c.args[++i]);
    } else {
      fail_syntax();
    }
  }
  if (db == c.store.db() && c.args[1] == c.args[2])
    fail("ERR source and destination objects are the same");
  std::optional<Metadata> source = co_await c.store.find(c.args[1]);
  KeyStore target = c.store.in_database(db);
  std::optional<Metadata> existing = co_await target.find(c.args[2]);
  if (!source || (existing && !replace)) {
    c.reply.integer(0);
    co_return;
  }
  co_await copy_key(c.store, c.args[1], *source, target, c.args[2], existing);
  c.reply.integer(1);
}

Future<Void> move_command(CommandContext& c) {
  const int64_t db = database_argument(c.args[2]);
  if (db == c.store.db()) fail("ERR source and destination objects are the same");
  std::optional<Metadata> source = co_await c.store.find(c.args[1]);
  KeyStore target = c.store.in_database(db);
  std::optional<Metadata> existing = co_await target.find(c.args[1]);
  if (!source || existing) {
    c.reply.integer(0);
    co_return;
  }
  co_await copy_key(c.store, c.args[1], *source, target, c.args[1], std::nullopt);
  c.store.remove(c.args[1], *source);
  c.reply.integer(1);
}

// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: Redis 7.0's expireGenericCommand.
Future<Void> expire(CommandContext& c, bool seconds, bool relative) {
  int64_t when = integer_argument(c.args[2]);
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < c.args.size(); ++i) {
    if (is_word(c.args[i], "NX")) {
      nx = true;
    } else if (is_word(c.args[i], "XX")) {
      xx = true;
    } else if (is_word(c.args[i], "GT")) {
      gt = true;
    } else if (is_word(c.args[i], "LT")) {
      lt = true;
    } else {
      fail("ERR Unsupported option " + c.args[i]);
    }
  }
  if (nx && (xx || gt || lt))
    fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  if (gt && lt) fail("ERR GT and LT options at the same time are not compatible");
  const std::string invalid = "ERR invalid expire time in '" + lower_case(c.args[0]) + "' command";
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) fail(invalid);
    when *= 1000;
  }
  const int64_t now_ms = c.store.now_ms();
  if (relative) {
    if (when > LLONG_MAX - now_ms) fail(invalid);
    when += now_ms;
  }
  std::optional<Metadata> found = co_await c.store.find(c.args[1]);
  if (!found) {
    c.reply.integer(0);
    co_return;
  }
  const int64_t current = found->expire_at_ms;  // 0: never, which GT and LT count as infinite
  if ((nx && current != 0) || (xx && current == 0) || (gt && (current == 0 || when <= current)) ||
      (lt && current != 0 && when >= current)) {
    c.reply.integer(0);
    co_return;
  }
  if (when <= now_ms) {
    c.store.remove(c.args[1], *found);
  } else {
    Metadata changed = *found;
    changed.expire_at_ms = when;
    c.store.put(c.args[1], changed, found);
  }
  c.reply.integer(1);
}
Future<Void> expire_command(CommandContext& c) {
  return expire(c, true, true);
}
Future<Void> pexpire_command(CommandContext& c) {
  return expire(c, false, true);
}
Future<Void> expireat_command(CommandContext& c) {
  return expire(c, true, false);
}
Future<Void> pexpireat_command(CommandContext& c) {
  return expire(c, false, false);
}

// TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 without the key, -1 without an expiry.
Future<Void> ttl(CommandContext& c, bool milliseconds, bool absolute) {
  std::optional<Metadata> found = co_await c.store.find(c.args[1]);
  if (!found) {
    c.reply.integer(-2);
  } else if (found->expire_at_ms == 0) {
    c.reply.integer(-1);
  } else if (absolute) {
    c.reply.integer(milliseconds ? found->expire_at_ms : found->expire_at_ms / 1000);
  } else {
    const int64_t left = std::max<int64_t>(found->expire_at_ms - c.store.now_ms(), 0);
    c.reply.integer(milliseconds ? left : (left + 500) / 1000);
  }
}
Future<Void> ttl_command(CommandContext& c) {
  return ttl(c, false, false);
}
Future<Void> pttl_command(CommandContext& c) {
  return ttl(c, true, false);
}
Future<Void> expiretime_command(CommandContext& c) {
  return ttl(c, false, true);
}
Future<Void> pexpiretime_command(CommandContext& c) {
  return ttl(c, true, true);
}

Future<Void> persist_command(CommandContext& c) {
  std::optional<Metadata> found = co_await c.store.find(c.args[1]);
  if (!found || found->expire_at_ms == 0) {
    c.reply.integer(0);
    co_return;
  }
  Metadata changed = *found;
  changed.expire_at_ms = 0;
  c.store.put(c.args[1], changed, found);
  c.reply.integer(1);
}

// Metadata rows of the database from `begin`, at most `limit` (0: all), as (name, metadata)
// of the keys that have not expired; `more` says whether rows were left.
struct KeyPage {
  std::vector<std::pair<std::string, Metadata>> keys;
  std::string last_name;
  bool more = false;
};

Future<KeyPage> read_keys(KeyStore& store, std::string begin, int limit) {
  const TupleRange range = store.keyspace().metadata_range(store.db());
  if (begin.empty()) begin = range.begin;
  KeyPage page;
  int read = 0;
  while (true) {
    RangeResult rows =
        co_await store.transaction().get_range(begin, range.end, limit == 0 ? 0 : limit - read);
    for (KeyValue& row : rows.rows) {
      ++read;
      page.last_name = store.keyspace().name_of(row.key, store.db());
      Metadata metadata = decode_metadata(row.value);
      if (metadata.expire_at_ms != 0 && metadata.expire_at_ms <= store.now_ms()) continue;
      page.keys.emplace_back(page.last_name, std::move(metadata));
    }
    if (!rows.more || rows.rows.empty()) break;
    begin = rows.rows.back().key + '\0';
    if (limit != 0 && read >= limit) {
      page.more = true;
      break;
    }
  }
  co_return page;
}

Future<Void> keys_command(CommandContext& c) {
  KeyPage page = co_await read_keys(c.store, "", 0);
  std::vector<std::string> names;
  for (const auto& [name, metadata] : page.keys) {
    if (glob_match(c.args[1], name)) names.push_back(name);
  }
  c.reply.array(names.size());
  for (const std::string& name : names)
    c.reply.bulk_string(name);
}

Future<Void> scan_command(CommandContext& c) {
  const ScanArguments scan = scan_arguments(c.args, 1, true);
  std::string begin;
  if (scan.cursor != 0) {
    std::optional<std::string> after = c.instance.scan_cursors().find(scan.cursor);
    if (!after) {
      // A cursor this instance never gave out, or forgot: the scan is over.
      c.reply.array(2);
      c.reply.bulk_string("0");
      c.reply.array(0);
      co_return;
    }
    begin = c.store.keyspace().metadata_key(c.store.db(), *after) + '\0';
  }
  KeyPage page =
      co_await read_keys(c.store, begin, static_cast<int>(std::min<int64_t>(scan.count, 100000)));
  std::vector<std::string> names;
  for (const auto& [name, metadata] : page.keys) {
    if (scan.pattern && !glob_match(*scan.pattern, name)) continue;
    if (scan.type && !is_word(type_name(metadata.type), *scan.type)) continue;
    names.push_back(name);
  }
  const uint64_t next = page.more ? c.instance.scan_cursors().save(page.last_name) : 0;
  c.reply.array(2);
  c.reply.bulk_string(std::to_string(next));
  c.reply.array(names.size());
  for (const std::string& name : names)
    c.reply.bulk_string(name);
}

Future<Void> randomkey_command(CommandContext& c) {
  // A small database: every key read, one picked uniformly, as Redis picks.
  if (co_await c.store.key_count() <= randomkey_read_all_max) {
    KeyPage page = co_await read_keys(c.store, "", 0);
    page.keys.empty() ? c.reply.null() : c.reply.bulk_string(env().random().pick(page.keys).first);
    co_return;
  }
  // A large one: the first key at or after a random name (or the first of all), a few
  // tries past expired keys. Uniform over names, not quite over keys.
  const TupleRange range = c.store.keyspace().metadata_range(c.store.db());
  for (int attempt = 0; attempt < 8; ++attempt) {
    // A name's key is the range's prefix, the bytes code, then the name.
    std::string point = c.store.keyspace().metadata_key(c.store.db(), "");
    point.pop_back();  // the name's terminator
    const uint64_t bits = env().random().next_u64();
    for (int i = 0; i < 8; ++i)
      point.push_back(static_cast<char>((bits >> (8 * (7 - i))) & 0xff));
    RangeResult rows = co_await c.transaction().get_range(point, range.end, 1);
    if (rows.rows.empty()) rows = co_await c.transaction().get_range(range.begin, range.end, 1);
    if (rows.rows.empty()) break;
    const Metadata metadata = decode_metadata(rows.rows[0].value);
    if (metadata.expire_at_ms != 0 && metadata.expire_at_ms <= c.store.now_ms()) continue;
    c.reply.bulk_string(c.store.keyspace().name_of(rows.rows[0].key, c.store.db()));
    co_return;
  }
  c.reply.null();
}

Future<Void> object_command(CommandContext& c) {
  const std::string sub = lower_case(c.args[1]);
  if (sub == "help") {
    reply_help(c.reply, "OBJECT", {"ENCODING <key>", "IDLETIME <key>", "REFCOUNT <key>"});
    co_return;
  }
  if (c.args.size() != 3 ||
      (sub != "encoding" && sub != "idletime" && sub != "refcount" && sub != "freq")) {
    fail(subcommand_syntax_message(c.args));
  }
  std::optional<Metadata> found = co_await c.store.find(c.args[2]);
  if (!found) {
    c.reply.null();
    co_return;
  }
  if (sub == "freq") {
    fail(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
        "note that when switching between policies at runtime LRU and LFU data will take "
        "some time to adjust.");
  }
  if (sub == "idletime") {
    c.reply.integer(0);
  } else if (sub == "refcount") {
    c.reply.integer(1);
  } else {
    std::string_view encoding = "raw";
    switch (found->type) {
      case RedisType::string:
        if (found->size <= 20 && parse_redis_integer(found->value)) {
          encoding = "int";
        } else if (found->size <= 44) {
          encoding = "embstr";
        }
        break;
      case RedisType::hash:
      case RedisType::set:
        encoding = "hashtable";
        break;
      case RedisType::list:
        encoding = "quicklist";
        break;
      case RedisType::zset:
        encoding = "skiplist";
        break;
      case RedisType::stream:
        encoding = "stream";
        break;
    }
    c.reply.bulk_string(encoding);
  }
}

// MEMORY USAGE key [SAMPLES n]: an estimate of the bytes the key takes in Strata: its
// metadata and, for a collection, its elements (counted by their keys and values).
Future<Void> memory_command(CommandContext& c) {
  const std::string sub = lower_case(c.args[1]);
  if (sub != "usage" || (c.args.size() != 3 && c.args.size() != 5)) {
    fail(subcommand_syntax_message(c.args));
  }
  if (c.args.size() == 5 && !is_word(c.args[3], "SAMPLES")) fail_syntax();
  std::optional<Metadata> found = co_await c.store.find(c.args[2]);
  if (!found) {
    c.reply.null();
    co_return;
  }
  const std::string metadata_key = c.store.keyspace().metadata_key(c.store.db(), c.args[2]);
  int64_t bytes = static_cast<int64_t>(metadata_key.size() + encode_metadata(*found).size());
  const bool elements =
      found->type != RedisType::string || static_cast<int64_t>(found->value.size()) != found->size;
  if (elements) {
    const TupleRange range =
        c.store.keyspace().element_range(c.store.db(), c.args[2], found->version);
    bytes += co_await c.transaction().get_estimated_range_size_bytes(range.begin, range.end);
  }
  c.reply.integer(bytes);
}

Future<Void> dbsize_command(CommandContext& c) {
  c.reply.integer(co_await c.store.key_count());
}

void flush_database(KeyStore& store, int64_t db) {
  for (const TupleRange& range : store.keyspace().database_ranges(db))
    store.transaction().clear_range(range.begin, range.end);
}

void check_flush_options(const CommandContext& c) {
  if (c.args.size() > 2 ||
      (c.args.size() == 2 && !is_word(c.args[1], "ASYNC") && !is_word(c.args[1], "SYNC")))
    fail_syntax();
}

Future<Void> flushdb_command(CommandContext& c) {
  check_flush_options(c);
  flush_database(c.store, c.store.db());
  c.reply.simple_string("OK");
  co_return;
}

Future<Void> flushall_command(CommandContext& c) {
  check_flush_options(c);
  for (int64_t db = 0; db < database_count; ++db)
    flush_database(c.store, db);
  c.reply.simple_string("OK");
  co_return;
}

}  // namespace

void add_key_commands(CommandTable& table) {
  table.add(
      make_command("del", -2, write, {1, -1, 1}, "generic", "Delete keys", "1.0.0", del_command));
  table.add(make_command("unlink", -2, write | fast, {1, -1, 1}, "generic", "Delete keys", "4.0.0",
                         del_command));
  table.add(make_command("exists", -2, readonly | fast, {1, -1, 1}, "generic",
                         "Count the keys that exist", "1.0.0", exists_command));
  table.add(make_command("touch", -2, readonly | fast, {1, -1, 1}, "generic",
                         "Count the keys that exist", "3.2.1", exists_command));
  table.add(make_command("type", 2, readonly | fast, {1, 1, 1}, "generic", "The type of a key",
                         "1.0.0", type_command));
  table.add(make_command("rename", 3, write, {1, 2, 1}, "generic", "Rename a key", "1.0.0",
                         rename_command));
  table.add(make_command("renamenx", 3, write | fast, {1, 2, 1}, "generic",
                         "Rename a key if the new name is free", "1.0.0", renamenx_command));
  table.add(
      make_command("copy", -3, write, {1, 2, 1}, "generic", "Copy a key", "6.2.0", copy_command));
  table.add(make_command("move", 3, write | fast, {1, 1, 1}, "generic",
                         "Move a key to another database", "1.0.0", move_command));
  table.add(make_command("expire", -3, write | fast, {1, 1, 1}, "generic",
                         "Set a key's time to live in seconds", "1.0.0", expire_command));
  table.add(make_command("pexpire", -3, write | fast, {1, 1, 1}, "generic",
                         "Set a key's time to live in milliseconds", "2.6.0", pexpire_command));
  table.add(make_command("expireat", -3, write | fast, {1, 1, 1}, "generic",
                         "Set a key's expiry as a Unix time in seconds", "1.2.0",
                         expireat_command));
  table.add(make_command("pexpireat", -3, write | fast, {1, 1, 1}, "generic",
                         "Set a key's expiry as a Unix time in milliseconds", "2.6.0",
                         pexpireat_command));
  table.add(make_command("ttl", 2, readonly | fast, {1, 1, 1}, "generic",
                         "A key's time to live in seconds", "1.0.0", ttl_command));
  table.add(make_command("pttl", 2, readonly | fast, {1, 1, 1}, "generic",
                         "A key's time to live in milliseconds", "2.6.0", pttl_command));
  table.add(make_command("expiretime", 2, readonly | fast, {1, 1, 1}, "generic",
                         "A key's expiry as a Unix time in seconds", "7.0.0", expiretime_command));
  table.add(make_command("pexpiretime", 2, readonly | fast, {1, 1, 1}, "generic",
                         "A key's expiry as a Unix time in milliseconds", "7.0.0",
                         pexpiretime_command));
  table.add(make_command("persist", 2, write | fast, {1, 1, 1}, "generic", "Remove a key's expiry",
                         "2.2.0", persist_command));
  table.add(make_command("keys", 2, readonly, {0, 0, 0}, "generic", "The keys matching a pattern",
                         "1.0.0", keys_command));
  table.add(make_command("scan", -2, readonly, {0, 0, 0}, "generic", "Iterate over the keys",
                         "2.8.0", scan_command));
  table.add(make_command("randomkey", 1, readonly, {0, 0, 0}, "generic", "A random key", "1.0.0",
                         randomkey_command));
  table.add(make_command("object", -2, readonly, {2, 2, 1}, "generic", "Inspect a key's internals",
                         "2.2.3", object_command));
  table.add(make_command("memory", -2, readonly, {2, 2, 1}, "server", "The bytes a key takes",
                         "4.0.0", memory_command));
  table.add(make_command("dbsize", 1, readonly | fast, {0, 0, 0}, "server",
                         "The number of keys in the database", "1.0.0", dbsize_command));
  table.add(make_command("flushdb", -1, write, {0, 0, 0}, "server",
                         "Delete every key of the database", "1.0.0", flushdb_command));
  table.add(make_command("flushall", -1, write, {0, 0, 0}, "server",
                         "Delete every key of every database", "1.0.0", flushall_command));
}

}  // namespace strata::redis
