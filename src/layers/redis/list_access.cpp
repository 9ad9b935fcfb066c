#include "layers/redis/list_access.h"

#include <algorithm>

#include "runtime/assert.h"

namespace strata::redis {

namespace {

std::string index_key(const KeyStore& store, std::string_view name, const Metadata& list,
                      int64_t index) {
  return store.keyspace().element_key(store.db(), name, list.version, Tuple().append_int(index));
}

// Writes the list's metadata after a change, or deletes the list when it is empty.
void save_list(KeyStore& store, std::string_view name, Metadata list,
               const std::optional<Metadata>& found) {
  list.size = list.list_tail - list.list_head;
  STRATA_ASSERT_MSG(list.size >= 0, "a list's tail is not before its head");
  if (list.size > 0) {
    store.put(name, list, found);
  } else if (found) {
    store.remove(name, *found);
  }
}

}  // namespace

std::string item_key(const KeyStore& store, std::string_view name, const Metadata& list,
                     int64_t position) {
  return index_key(store, name, list, list.list_head + position);
}

Future<std::vector<std::string>> read_items(KeyStore& store, std::string name, Metadata list,
                                            int64_t from, int64_t to) {
  std::vector<std::string> items;
  for (KeyValue& row : co_await read_whole_range(
           store.transaction(), item_key(store, name, list, from), item_key(store, name, list, to)))
    items.push_back(std::move(row.value));
  if (static_cast<int64_t>(items.size()) != to - from) {
    throw Error(ErrorCode::client_invalid_operation, "a Redis list has " +
                                                         std::to_string(items.size()) +
                                                         " items where its metadata "
                                                         "says " +
                                                         std::to_string(to - from));
  }
  co_return items;
}

Future<int64_t> push_items(KeyStore& store, std::string name, std::vector<std::string> values,
                           bool left) {
  std::optional<Metadata> found = co_await store.find_typed(name, RedisType::list);
  Metadata list = found ? *found : co_await store.new_metadata(RedisType::list);
  for (const std::string& value : values) {
    const int64_t index = left ? --list.list_head : list.list_tail++;
    store.transaction().set(index_key(store, name, list, index), value);
  }
  save_list(store, name, list, found);
  co_return list.list_tail - list.list_head;
}

Future<std::vector<std::string>> pop_items(KeyStore& store, std::string name, Metadata list,
                                           int64_t count, bool left) {
  const int64_t taken = std::min(count, list.size);
  const int64_t from = left ? 0 : list.size - taken;
  std::vector<std::string> items = co_await read_items(store, name, list, from, from + taken);
  if (!left) std::reverse(items.begin(), items.end());
  store.transaction().clear_range(item_key(store, name, list, from),
                                  item_key(store, name, list, from + taken));
  const Metadata found = list;
  if (left) {
    list.list_head += taken;
  } else {
    list.list_tail -= taken;
  }
  save_list(store, name, list, found);
  co_return items;
}

void rewrite_items(KeyStore& store, std::string_view name, const Metadata& list,
                   std::vector<std::string> items) {
  const TupleRange range = store.keyspace().element_range(store.db(), name, list.version);
  store.transaction().clear_range(range.begin, range.end);
  Metadata rewritten = list;
  rewritten.list_tail = rewritten.list_head;
  for (const std::string& item : items)
    store.transaction().set(index_key(store, name, rewritten, rewritten.list_tail++), item);
  save_list(store, name, rewritten, list);
}

void trim_items(KeyStore& store, std::string_view name, const Metadata& list, int64_t from,
                int64_t to) {
  STRATA_ASSERT_MSG(0 <= from && from < to && to <= list.size, "a trim keeps a non-empty range");
  store.transaction().clear_range(item_key(store, name, list, 0),
                                  item_key(store, name, list, from));
  store.transaction().clear_range(item_key(store, name, list, to),
                                  item_key(store, name, list, list.size));
  Metadata trimmed = list;
  trimmed.list_tail = list.list_head + to;
  trimmed.list_head = list.list_head + from;
  save_list(store, name, trimmed, list);
}

Future<std::optional<std::string>> move_item(KeyStore& store, std::string source,
                                             std::string destination, bool from_left,
                                             bool to_left) {
  std::optional<Metadata> list = co_await store.find_typed(source, RedisType::list);
  if (!list) co_return std::nullopt;
  co_await store.find_typed(destination, RedisType::list);
  std::vector<std::string> items = co_await pop_items(store, source, *list, 1, from_left);
  co_await push_items(store, destination, {items[0]}, to_left);
  co_return items[0];
}

}  // namespace strata::redis
