// Hashes: one element key per field, (1, db, name, version, field) -> value, and the size
// in the metadata. Redis 7.0's replies and errors.

#include <climits>
#include <cmath>

#include "layers/redis/arguments.h"
#include "layers/redis/collection.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/redis_integer.h"
#include "runtime/environment.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// HSET and HMSET: sets the pairs; how many fields are new.
Future<int64_t> set_fields(CommandContext& c, bool only_new) {
  if (c.args.size() % 2 != 0) fail(wrong_arguments_message(c.args[0]));
  for (size_t i = 3; i < c.args.size(); i += 2)
    check_value_size(c.args[i]);
  std::optional<Metadata> found;
  Metadata hash = co_await find_or_create(c.store, c.args[1], RedisType::hash, found);
  int64_t added = 0;
  for (size_t i = 2; i < c.args.size(); i += 2) {
    const std::string key = field_key(c.store, c.args[1], hash, c.args[i]);
    const bool exists = (co_await c.transaction().get(key)).has_value();
    if (exists && only_new) continue;
    if (!exists) {
      ++added;
      ++hash.size;
    }
    c.transaction().set(key, c.args[i + 1]);
  }
  if (added > 0 || !found) save_collection(c.store, c.args[1], hash, found);
  co_return added;
}

Future<Void> hset_command(CommandContext& c) {
  c.reply.integer(co_await set_fields(c, false));
}
Future<Void> hmset_command(CommandContext& c) {
  co_await set_fields(c, false);
  c.reply.simple_string("OK");
}
Future<Void> hsetnx_command(CommandContext& c) {
  c.reply.integer(co_await set_fields(c, true));
}

Future<std::optional<std::string>> field_value(CommandContext& c, const Metadata& hash,
                                               std::string field) {
  co_return co_await c.transaction().get(field_key(c.store, c.args[1], hash, field));
}

Future<Void> hget_command(CommandContext& c) {
  std::optional<Metadata> hash = co_await c.store.find_typed(c.args[1], RedisType::hash);
  std::optional<std::string> value;
  if (hash) value = co_await field_value(c, *hash, c.args[2]);
  value ? c.reply.bulk_string(*value) : c.reply.null();
}

Future<Void> hmget_command(CommandContext& c) {
  std::optional<Metadata> hash = co_await c.store.find_typed(c.args[1], RedisType::hash);
  std::vector<std::optional<std::string>> values;
  for (size_t i = 2; i < c.args.size(); ++i)
    values.push_back(hash ? co_await field_value(c, *hash, c.args[i]) : std::nullopt);
  c.reply.array(values.size());
  for (const auto& value : values)
    value ? c.reply.bulk_string(*value) : c.reply.null();
}

Future<Void> hdel_command(CommandContext& c) {
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::hash);
  if (!found) {
    c.reply.integer(0);
    co_return;
  }
  Metadata hash = *found;
  int64_t deleted = 0;
  for (size_t i = 2; i < c.args.size(); ++i) {
    const std::string key = field_key(c.store, c.args[1], hash, c.args[i]);
    if (!co_await c.transaction().get(key)) continue;
    c.transaction().clear(key);
    ++deleted;
    --hash.size;
  }
  if (deleted > 0) save_collection(c.store, c.args[1], hash, found);
  c.reply.integer(deleted);
}

// HGETALL, HKEYS, HVALS.
Future<Void> list_fields(CommandContext& c, bool keys, bool values) {
  std::optional<Metadata> hash = co_await c.store.find_typed(c.args[1], RedisType::hash);
  std::vector<std::pair<std::string, std::string>> fields;
  if (hash) fields = co_await all_fields(c.store, c.args[1], *hash);
  if (keys && values) {
    c.reply.map(fields.size());
  } else {
    c.reply.array(fields.size());
  }
  for (const auto& [field, value] : fields) {
    if (keys) c.reply.bulk_string(field);
    if (values) c.reply.bulk_string(value);
  }
}
Future<Void> hgetall_command(CommandContext& c) {
  return list_fields(c, true, true);
}
Future<Void> hkeys_command(CommandContext& c) {
  return list_fields(c, true, false);
}
Future<Void> hvals_command(CommandContext& c) {
  return list_fields(c, false, true);
}

Future<Void> hlen_command(CommandContext& c) {
  std::optional<Metadata> hash = co_await c.store.find_typed(c.args[1], RedisType::hash);
  c.reply.integer(hash ? hash->size : 0);
}

Future<Void> hexists_command(CommandContext& c) {
  std::optional<Metadata> hash = co_await c.store.find_typed(c.args[1], RedisType::hash);
  c.reply.integer(hash && (co_await field_value(c, *hash, c.args[2])) ? 1 : 0);
}

Future<Void> hstrlen_command(CommandContext& c) {
  std::optional<Metadata> hash = co_await c.store.find_typed(c.args[1], RedisType::hash);
  std::optional<std::string> value;
  if (hash) value = co_await field_value(c, *hash, c.args[2]);
  c.reply.integer(value ? static_cast<int64_t>(value->size()) : 0);
}

// HINCRBY and HINCRBYFLOAT: the new value, as text.
Future<Void> hincr_command(CommandContext& c, bool floating) {
  std::optional<int64_t> delta;
  std::optional<long double> float_delta;
  if (floating) {
    float_delta = float_argument(c.args[3]);
    if (std::isnan(*float_delta) || std::isinf(*float_delta)) fail("ERR value is NaN or Infinity");
  } else {
    delta = integer_argument(c.args[3]);
  }
  std::optional<Metadata> found;
  Metadata hash = co_await find_or_create(c.store, c.args[1], RedisType::hash, found);
  const std::string key = field_key(c.store, c.args[1], hash, c.args[2]);
  std::optional<std::string> value = co_await c.transaction().get(key);
  std::string result;
  if (floating) {
    long double current = 0;
    if (value) {
      std::optional<long double> parsed = parse_long_double(*value);
      if (!parsed) fail("ERR hash value is not a float");
      current = *parsed;
    }
    const long double sum = current + *float_delta;
    if (std::isnan(sum) || std::isinf(sum)) fail("ERR increment would produce NaN or Infinity");
    result = format_long_double(sum);
  } else {
    int64_t current = 0;
    if (value) {
      std::optional<int64_t> parsed = parse_redis_integer(*value);
      if (!parsed) fail("ERR hash value is not an integer");
      current = *parsed;
    }
    if ((*delta < 0 && current < 0 && *delta < LLONG_MIN - current) ||
        (*delta > 0 && current > 0 && *delta > LLONG_MAX - current)) {
      fail("ERR increment or decrement would overflow");
    }
    result = std::to_string(current + *delta);
  }
  c.transaction().set(key, result);
  if (!value) {
    ++hash.size;
    save_collection(c.store, c.args[1], hash, found);
  }
  if (floating) {
    c.reply.bulk_string(result);
  } else {
    c.reply.integer(std::stoll(result));
  }
}
Future<Void> hincrby_command(CommandContext& c) {
  return hincr_command(c, false);
}
Future<Void> hincrbyfloat_command(CommandContext& c) {
  return hincr_command(c, true);
}

Future<Void> hrandfield_command(CommandContext& c) {
  std::optional<int64_t> count;
  bool with_values = false;
  if (c.args.size() >= 3) count = integer_argument(c.args[2]);
  if (c.args.size() == 4) {
    if (!is_word(c.args[3], "WITHVALUES")) fail_syntax();
    with_values = true;
  }
  if (c.args.size() > 4) fail_syntax();
  if (count && with_values && (*count < -LONG_MAX / 2 || *count > LONG_MAX / 2))
    fail("ERR value is out of range");
  std::optional<Metadata> hash = co_await c.store.find_typed(c.args[1], RedisType::hash);
  std::vector<std::pair<std::string, std::string>> fields;
  if (hash) fields = co_await all_fields(c.store, c.args[1], *hash);
  if (!count) {
    fields.empty() ? c.reply.null() : c.reply.bulk_string(env().random().pick(fields).first);
    co_return;
  }
  const std::vector<size_t> chosen = random_choice(fields.size(), *count);
  const bool pairs = with_values && c.session.protocol == 3;
  c.reply.array(chosen.size() * (with_values && !pairs ? 2 : 1));
  for (size_t index : chosen) {
    if (pairs) c.reply.array(2);
    c.reply.bulk_string(fields[index].first);
    if (with_values) c.reply.bulk_string(fields[index].second);
  }
}

Future<Void> hscan_command(CommandContext& c) {
  return scan_fields(c, RedisType::hash, true);
}

}  // namespace

void add_hash_commands(CommandTable& table) {
  const KeyPositions key{1, 1, 1};
  auto add = [&](std::string name, int arity, uint32_t flags, std::string summary,
                 std::string since, CommandHandler handler) {
    table.add(make_command(std::move(name), arity, flags, key, "hash", std::move(summary),
                           std::move(since), handler));
  };
  add("hset", -4, write | fast, "Set fields of a hash", "2.0.0", hset_command);
  add("hmset", -4, write | fast, "Set fields of a hash", "2.0.0", hmset_command);
  add("hsetnx", 4, write | fast, "Set a field of a hash if it is new", "2.0.0", hsetnx_command);
  add("hget", 3, readonly | fast, "A field's value", "2.0.0", hget_command);
  add("hmget", -3, readonly | fast, "Fields' values", "2.0.0", hmget_command);
  add("hdel", -3, write | fast, "Delete fields of a hash", "2.0.0", hdel_command);
  add("hgetall", 2, readonly, "Every field and value of a hash", "2.0.0", hgetall_command);
  add("hkeys", 2, readonly, "Every field of a hash", "2.0.0", hkeys_command);
  add("hvals", 2, readonly, "Every value of a hash", "2.0.0", hvals_command);
  add("hlen", 2, readonly | fast, "The number of fields of a hash", "2.0.0", hlen_command);
  add("hexists", 3, readonly | fast, "Whether a hash has a field", "2.0.0", hexists_command);
  add("hstrlen", 3, readonly | fast, "The length of a field's value", "3.2.0", hstrlen_command);
  add("hincrby", 4, write | fast, "Add to a field's integer", "2.0.0", hincrby_command);
  add("hincrbyfloat", 4, write | fast, "Add to a field's number", "2.6.0", hincrbyfloat_command);
  add("hrandfield", -2, readonly, "Random fields of a hash", "6.2.0", hrandfield_command);
  add("hscan", -3, readonly, "Iterate over the fields of a hash", "2.8.0", hscan_command);
}

}  // namespace strata::redis
