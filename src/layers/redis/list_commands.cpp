// Lists: the metadata keeps a head and a tail index, items are the element keys
// (1, db, name, version, index) -> value for head <= index < tail, so pushes and pops at
// either end write one element and the metadata. Integers sort by value in a tuple, so
// a range of positions is a range of keys. Redis 7.0's replies and errors.

#include <algorithm>

#include "layers/redis/arguments.h"
#include "layers/redis/collection.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/list_access.h"

namespace strata::redis {

namespace {

using namespace command_flags;

// LPUSH, RPUSH, LPUSHX, RPUSHX.
Future<Void> push_command(CommandContext& c, bool left, bool only_existing) {
  for (size_t i = 2; i < c.args.size(); ++i)
    check_value_size(c.args[i]);
  if (only_existing && !co_await c.store.find_typed(c.args[1], RedisType::list)) {
    c.reply.integer(0);
    co_return;
  }
  c.reply.integer(
      co_await push_items(c.store, c.args[1], {c.args.begin() + 2, c.args.end()}, left));
}

// LPOP and RPOP, with or without a count.
Future<Void> pop_command(CommandContext& c, bool left) {
  if (c.args.size() > 3) fail(wrong_arguments_message(c.args[0]));
  std::optional<int64_t> count;
  if (c.args.size() == 3) {
    count = integer_argument(c.args[2], "ERR value is out of range, must be positive");
    if (*count < 0) fail("ERR value is out of range, must be positive");
  }
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  if (!list) {
    count ? c.reply.null_array() : c.reply.null();
    co_return;
  }
  std::vector<std::string> items =
      co_await pop_items(c.store, c.args[1], *list, count.value_or(1), left);
  if (!count) {
    c.reply.bulk_string(items[0]);
    co_return;
  }
  c.reply.array(items.size());
  for (const std::string& item : items)
    c.reply.bulk_string(item);
}

Future<Void> llen_command(CommandContext& c) {
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  c.reply.integer(list ? list->size : 0);
}

Future<Void> lrange_command(CommandContext& c) {
  int64_t start = integer_argument(c.args[2]);
  int64_t stop = integer_argument(c.args[3]);
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  std::vector<std::string> items;
  if (list && clamp_element_range(start, stop, list->size))
    items = co_await read_items(c.store, c.args[1], *list, start, stop + 1);
  c.reply.array(items.size());
  for (const std::string& item : items)
    c.reply.bulk_string(item);
}

Future<Void> lindex_command(CommandContext& c) {
  int64_t index = integer_argument(c.args[2]);
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  if (list && index < 0) index += list->size;
  if (!list || index < 0 || index >= list->size) {
    c.reply.null();
    co_return;
  }
  std::optional<std::string> item =
      co_await c.transaction().get(item_key(c.store, c.args[1], *list, index));
  item ? c.reply.bulk_string(*item) : c.reply.null();
}

Future<Void> lset_command(CommandContext& c) {
  int64_t index = integer_argument(c.args[2]);
  check_value_size(c.args[3]);
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  if (!list) fail(std::string(no_such_key_message));
  if (index < 0) index += list->size;
  if (index < 0 || index >= list->size) fail("ERR index out of range");
  c.transaction().set(item_key(c.store, c.args[1], *list, index), c.args[3]);
  c.reply.simple_string("OK");
}

Future<Void> linsert_command(CommandContext& c) {
  const bool before = is_word(c.args[2], "BEFORE");
  if (!before && !is_word(c.args[2], "AFTER")) fail_syntax();
  check_value_size(c.args[4]);
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  if (!list) {
    c.reply.integer(0);
    co_return;
  }
  std::vector<std::string> items = co_await read_items(c.store, c.args[1], *list, 0, list->size);
  auto pivot = std::find(items.begin(), items.end(), c.args[3]);
  if (pivot == items.end()) {
    c.reply.integer(-1);
    co_return;
  }
  items.insert(before ? pivot : pivot + 1, c.args[4]);
  const auto length = static_cast<int64_t>(items.size());
  rewrite_items(c.store, c.args[1], *list, std::move(items));
  c.reply.integer(length);
}

Future<Void> lrem_command(CommandContext& c) {
  const int64_t count = integer_argument(c.args[2]);
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  if (!list) {
    c.reply.integer(0);
    co_return;
  }
  std::vector<std::string> items = co_await read_items(c.store, c.args[1], *list, 0, list->size);
  std::vector<bool> removed(items.size(), false);
  int64_t removals = 0;
  const int64_t wanted = count == 0 ? INT64_MAX : (count < 0 ? -count : count);
  for (size_t k = 0; k < items.size() && removals < wanted; ++k) {
    const size_t i = count < 0 ? items.size() - 1 - k : k;
    if (items[i] == c.args[3]) {
      removed[i] = true;
      ++removals;
    }
  }
  if (removals > 0) {
    std::vector<std::string> kept;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!removed[i]) kept.push_back(std::move(items[i]));
    }
    rewrite_items(c.store, c.args[1], *list, std::move(kept));
  }
  c.reply.integer(removals);
}

Future<Void> ltrim_command(CommandContext& c) {
  int64_t start = integer_argument(c.args[2]);
  int64_t stop = integer_argument(c.args[3]);
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  if (list) {
    if (!clamp_element_range(start, stop, list->size)) {
      c.store.remove(c.args[1], *list);
    } else {
      trim_items(c.store, c.args[1], *list, start, stop + 1);
    }
  }
  c.reply.simple_string("OK");
}

Future<Void> lpos_command(CommandContext& c) {
  int64_t rank = 1;
  std::optional<int64_t> count;
  int64_t max_length = 0;
  for (size_t i = 3; i < c.args.size(); i += 2) {
    if (i + 1 >= c.args.size()) fail_syntax();
    if (is_word(c.args[i], "RANK")) {
      rank = integer_argument(c.args[i + 1]);
      if (rank == 0) {
        fail(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
      }
      if (rank == INT64_MIN) fail("ERR value is out of range");
    } else if (is_word(c.args[i], "COUNT")) {
      count = integer_argument(c.args[i + 1]);
      if (*count < 0) fail("ERR COUNT can't be negative");
    } else if (is_word(c.args[i], "MAXLEN")) {
      max_length = integer_argument(c.args[i + 1]);
      if (max_length < 0) fail("ERR MAXLEN can't be negative");
    } else {
      fail_syntax();
    }
  }
  std::optional<Metadata> list = co_await c.store.find_typed(c.args[1], RedisType::list);
  std::vector<int64_t> positions;
  if (list) {
    std::vector<std::string> items = co_await read_items(c.store, c.args[1], *list, 0, list->size);
    const auto size = static_cast<int64_t>(items.size());
    const int64_t wanted = count ? (*count == 0 ? INT64_MAX : *count) : 1;
    int64_t matches_to_skip = (rank > 0 ? rank : -rank) - 1;
    for (int64_t k = 0; k < size && (max_length == 0 || k < max_length); ++k) {
      const int64_t i = rank > 0 ? k : size - 1 - k;
      if (items[static_cast<size_t>(i)] != c.args[2]) continue;
      if (matches_to_skip > 0) {
        --matches_to_skip;
        continue;
      }
      positions.push_back(i);
      if (static_cast<int64_t>(positions.size()) >= wanted) break;
    }
  }
  if (!count) {
    positions.empty() ? c.reply.null() : c.reply.integer(positions[0]);
    co_return;
  }
  c.reply.array(positions.size());
  for (int64_t position : positions)
    c.reply.integer(position);
}

bool side_is_left(std::string_view word) {
  if (is_word(word, "LEFT")) return true;
  if (is_word(word, "RIGHT")) return false;
  fail_syntax();
}

Future<Void> lmove_command(CommandContext& c) {
  const bool from_left = side_is_left(c.args[3]);
  const bool to_left = side_is_left(c.args[4]);
  std::optional<std::string> moved =
      co_await move_item(c.store, c.args[1], c.args[2], from_left, to_left);
  moved ? c.reply.bulk_string(*moved) : c.reply.null();
}

Future<Void> rpoplpush_command(CommandContext& c) {
  std::optional<std::string> moved = co_await move_item(c.store, c.args[1], c.args[2], false, true);
  moved ? c.reply.bulk_string(*moved) : c.reply.null();
}

// A blocking command that found nothing: waits on `keys` (the connection runs it again
// when one changes) or, where it may not block, answers as on a timeout.
void wait_for(CommandContext& c, size_t first, size_t end, bool array_reply) {
  if (!c.wake_on) {
    array_reply ? c.reply.null_array() : c.reply.null();
    return;
  }
  for (size_t i = first; i < end; ++i)
    c.wake_on->push_back(c.store.keyspace().metadata_key(c.store.db(), c.args[i]));
}

// BLPOP and BRPOP: key ..., timeout. The first list with an item gives it.
Future<Void> blocking_pop_command(CommandContext& c, bool left) {
  timeout_argument(c.args.back());
  for (size_t i = 1; i + 1 < c.args.size(); ++i) {
    std::optional<Metadata> list = co_await c.find_to_take(c.args[i], RedisType::list);
    if (!list) continue;
    std::vector<std::string> items = co_await pop_items(c.store, c.args[i], *list, 1, left);
    c.reply.array(2);
    c.reply.bulk_string(c.args[i]);
    c.reply.bulk_string(items[0]);
    co_return;
  }
  wait_for(c, 1, c.args.size() - 1, true);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout, and BRPOPLPUSH source
// destination timeout.
Future<Void> blocking_move_command(CommandContext& c, bool from_left, bool to_left) {
  timeout_argument(c.args.back());
  std::optional<std::string> moved =
      co_await move_item(c.store, c.args[1], c.args[2], from_left, to_left);
  if (moved) {
    c.reply.bulk_string(*moved);
    co_return;
  }
  wait_for(c, 1, 2, false);
}

Future<Void> blmove_command(CommandContext& c) {
  return blocking_move_command(c, side_is_left(c.args[3]), side_is_left(c.args[4]));
}

// LMPOP numkeys key ... LEFT|RIGHT [COUNT n], and BLMPOP timeout numkeys ...: the first
// list with items gives up to n of them.
Future<Void> lmpop_command(CommandContext& c, bool blocking) {
  if (blocking) timeout_argument(c.args[1]);
  const MultiPop pop = multi_pop_arguments(c.args, blocking ? 2 : 1, "LEFT", "RIGHT");
  for (const std::string& name : pop.keys) {
    std::optional<Metadata> list = co_await c.find_to_take(name, RedisType::list);
    if (!list) continue;
    std::vector<std::string> items =
        co_await pop_items(c.store, name, *list, pop.count, pop.first_end);
    c.reply.array(2);
    c.reply.bulk_string(name);
    c.reply.array(items.size());
    for (const std::string& item : items)
      c.reply.bulk_string(item);
    co_return;
  }
  if (blocking && c.wake_on) {
    for (const std::string& name : pop.keys)
      c.wake_on->push_back(c.store.keyspace().metadata_key(c.store.db(), name));
    co_return;
  }
  c.reply.null_array();
}

}  // namespace

void add_list_commands(CommandTable& table) {
  auto add = [&](std::string name, int arity, uint32_t flags, KeyPositions keys,
                 std::string summary, std::string since, CommandHandler handler) {
    table.add(make_command(std::move(name), arity, flags, keys, "list", std::move(summary),
                           std::move(since), handler));
  };
  const KeyPositions key{1, 1, 1};
  add("lpush", -3, write | fast, key, "Prepend items to a list", "1.0.0",
      [](CommandContext& c) { return push_command(c, true, false); });
  add("rpush", -3, write | fast, key, "Append items to a list", "1.0.0",
      [](CommandContext& c) { return push_command(c, false, false); });
  add("lpushx", -3, write | fast, key, "Prepend items to an existing list", "2.2.0",
      [](CommandContext& c) { return push_command(c, true, true); });
  add("rpushx", -3, write | fast, key, "Append items to an existing list", "2.2.0",
      [](CommandContext& c) { return push_command(c, false, true); });
  add("lpop", -2, write | fast, key, "Remove and return the first items", "1.0.0",
      [](CommandContext& c) { return pop_command(c, true); });
  add("rpop", -2, write | fast, key, "Remove and return the last items", "1.0.0",
      [](CommandContext& c) { return pop_command(c, false); });
  add("llen", 2, readonly | fast, key, "The length of a list", "1.0.0", llen_command);
  add("lrange", 4, readonly, key, "A range of items", "1.0.0", lrange_command);
  add("lindex", 3, readonly, key, "An item by its position", "1.0.0", lindex_command);
  add("lset", 4, write, key, "Replace an item by its position", "1.0.0", lset_command);
  add("linsert", 5, write, key, "Insert an item before or after another", "2.2.0", linsert_command);
  add("lrem", 4, write, key, "Remove items equal to a value", "1.0.0", lrem_command);
  add("ltrim", 4, write, key, "Keep only a range of items", "1.0.0", ltrim_command);
  add("lpos", -3, readonly, key, "The positions of items equal to a value", "6.0.6", lpos_command);
  add("lmove", 5, write, {1, 2, 1}, "Move an item from one list to another", "6.2.0",
      lmove_command);
  add("blpop", -3, write | blocking, {1, -2, 1}, "Take the first item of a list, waiting", "2.0.0",
      [](CommandContext& c) { return blocking_pop_command(c, true); });
  add("brpop", -3, write | blocking, {1, -2, 1}, "Take the last item of a list, waiting", "2.0.0",
      [](CommandContext& c) { return blocking_pop_command(c, false); });
  add("blmove", 6, write | blocking, {1, 2, 1}, "Move an item between lists, waiting", "6.2.0",
      blmove_command);
  add("brpoplpush", 4, write | blocking, {1, 2, 1},
      "Move the last item to the front of another list, waiting", "2.2.0",
      [](CommandContext& c) { return blocking_move_command(c, false, true); });
  add("lmpop", -4, write, {0, 0, 0}, "Take items from the first list that has some", "7.0.0",
      [](CommandContext& c) { return lmpop_command(c, false); });
  add("blmpop", -5, write | blocking, {0, 0, 0},
      "Take items from the first list that has some, waiting", "7.0.0",
      [](CommandContext& c) { return lmpop_command(c, true); });
  add("rpoplpush", 3, write, {1, 2, 1}, "Move the last item to the front of another list", "1.2.0",
      rpoplpush_command);
}

}  // namespace strata::redis
