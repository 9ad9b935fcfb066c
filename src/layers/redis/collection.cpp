#include "layers/redis/collection.h"

#include "layers/redis/arguments.h"
#include "layers/redis/command_error.h"
#include "layers/redis/glob.h"
#include "layers/redis/redis_integer.h"
#include "runtime/environment.h"

namespace strata::redis {

std::string field_key(KeyStore& store, std::string_view name, const Metadata& metadata,
                      std::string_view field) {
  return store.element_key(name, metadata, Tuple().append_bytes(field));
}

Future<Metadata> find_or_create(KeyStore& store, std::string name, RedisType type,
                                std::optional<Metadata>& found) {
  found = co_await store.find_typed(name, type);
  if (found) co_return *found;
  co_return co_await store.new_metadata(type);
}

void save_collection(KeyStore& store, std::string_view name, const Metadata& metadata,
                     const std::optional<Metadata>& found) {
  if (metadata.size > 0) {
    store.put(name, metadata, found);
  } else if (found) {
    store.remove(name, *found);
  }
}

Future<FieldPage> field_page(KeyStore& store, std::string name, Metadata metadata,
                             std::optional<std::string> after, int limit) {
  const TupleRange range = store.keyspace().element_range(store.db(), name, metadata.version);
  std::string begin = after ? field_key(store, name, metadata, *after) + '\0' : range.begin;
  FieldPage page;
  while (true) {
    const int left = limit == 0 ? 0 : limit - static_cast<int>(page.fields.size());
    RangeResult rows = co_await store.transaction().get_range(begin, range.end, left);
    for (KeyValue& row : rows.rows) {
      const Tuple element =
          store.keyspace().element_of(row.key, store.db(), name, metadata.version);
      page.fields.emplace_back(element.bytes_at(0), std::move(row.value));
    }
    if (!rows.more || rows.rows.empty()) co_return page;
    begin = rows.rows.back().key + '\0';
    if (limit != 0 && static_cast<int>(page.fields.size()) >= limit) {
      page.more = true;
      co_return page;
    }
  }
}

Future<std::vector<std::pair<std::string, std::string>>> all_fields(KeyStore& store,
                                                                    std::string name,
                                                                    Metadata metadata) {
  FieldPage page =
      co_await field_page(store, std::move(name), std::move(metadata), std::nullopt, 0);
  co_return std::move(page.fields);
}

void check_value_size(std::string_view value) {
  // A field's value is one of Strata's values.
  constexpr size_t limit = value_size_limit;
  if (value.size() > limit) {
    fail("ERR a value of " + std::to_string(value.size()) + " bytes is over the " +
         std::to_string(limit) + " bytes a hash field can hold");
  }
}

std::vector<size_t> random_choice(size_t size, int64_t count) {
  std::vector<size_t> chosen;
  if (size == 0 || count == 0) return chosen;
  Random& random = env().random();
  if (count < 0) {
    if (count < -random_choice_max) fail("ERR value is out of range");
    for (int64_t i = 0; i < -count; ++i)
      chosen.push_back(static_cast<size_t>(random.uniform(0, static_cast<int64_t>(size))));
    return chosen;
  }
  std::vector<size_t> all(size);
  for (size_t i = 0; i < size; ++i)
    all[i] = i;
  const size_t wanted = std::min(size, static_cast<size_t>(count));
  // The first `wanted` steps of a Fisher-Yates shuffle.
  for (size_t i = 0; i < wanted; ++i) {
    const auto j =
        static_cast<size_t>(random.uniform(static_cast<int64_t>(i), static_cast<int64_t>(size)));
    std::swap(all[i], all[j]);
  }
  all.resize(wanted);
  return all;
}

MultiPop multi_pop_arguments(const std::vector<std::string>& args, size_t at,
                             std::string_view first_end, std::string_view second_end) {
  const std::string numkeys_message = "ERR numkeys should be greater than 0";
  const int64_t keys = integer_argument(args[at], numkeys_message);
  if (keys <= 0) fail(numkeys_message);
  const size_t where = at + 1 + static_cast<size_t>(keys);
  if (keys > static_cast<int64_t>(args.size()) || where >= args.size()) fail_syntax();
  MultiPop pop;
  pop.keys.assign(args.begin() + static_cast<std::ptrdiff_t>(at + 1),
                  args.begin() + static_cast<std::ptrdiff_t>(where));
  if (is_word(args[where], first_end)) {
    pop.first_end = true;
  } else if (is_word(args[where], second_end)) {
    pop.first_end = false;
  } else {
    fail_syntax();
  }
  for (size_t i = where + 1; i < args.size(); i += 2) {
    if (!is_word(args[i], "COUNT") || pop.counted || i + 1 >= args.size()) fail_syntax();
    const std::string count_message = "ERR count should be greater than 0";
    pop.count = integer_argument(args[i + 1], count_message);
    if (pop.count <= 0) fail(count_message);
    pop.counted = true;
  }
  return pop;
}

InterCard intercard_arguments(const std::vector<std::string>& args, const std::string& no_keys,
                              bool no_keys_for_text) {
  const int64_t keys =
      no_keys_for_text ? integer_argument(args[1], no_keys) : integer_argument(args[1]);
  if (keys <= 0) fail(no_keys);
  if (keys > static_cast<int64_t>(args.size()) - 2)
    fail("ERR Number of keys can't be greater than number of args");
  const size_t end = 2 + static_cast<size_t>(keys);
  InterCard request;
  request.keys.assign(args.begin() + 2, args.begin() + static_cast<std::ptrdiff_t>(end));
  for (size_t i = end; i < args.size(); i += 2) {
    if (!is_word(args[i], "LIMIT") || i + 1 >= args.size()) fail_syntax();
    request.limit = integer_argument(args[i + 1], "ERR LIMIT can't be negative");
    if (request.limit < 0) fail("ERR LIMIT can't be negative");
  }
  return request;
}

Future<Void> scan_fields(CommandContext& c, RedisType type, bool with_values) {
  const ScanArguments scan = scan_arguments(c.args, 2, false);
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], type);
  std::optional<std::string> after;
  if (scan.cursor != 0) after = c.instance.scan_cursors().find(scan.cursor);
  FieldPage page;
  if (found && (scan.cursor == 0 || after)) {
    page = co_await field_page(c.store, c.args[1], *found, after,
                               static_cast<int>(std::min<int64_t>(scan.count, 100000)));
  }
  std::vector<std::pair<std::string, std::string>> shown;
  for (auto& field : page.fields) {
    if (!scan.pattern || glob_match(*scan.pattern, field.first)) shown.push_back(field);
  }
  const uint64_t next = page.more ? c.instance.scan_cursors().save(page.fields.back().first) : 0;
  c.reply.array(2);
  c.reply.bulk_string(std::to_string(next));
  c.reply.array(shown.size() * (with_values ? 2 : 1));
  for (const auto& [field, value] : shown) {
    c.reply.bulk_string(field);
    if (with_values) c.reply.bulk_string(value);
  }
}

}  // namespace strata::redis
