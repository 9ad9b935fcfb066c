#include "layers/redis/stream_access.h"

#include "runtime/assert.h"

namespace strata::redis {

namespace {

constexpr int64_t entry_kind = 0;
constexpr int64_t group_kind = 1;
constexpr int64_t group_data_kind = 2;
// Under (group_data_kind, group):
constexpr int64_t consumer_kind = 0;
constexpr int64_t pending_kind = 1;
constexpr int64_t owned_kind = 2;

// What an entry counts toward its node's bytes: Redis's listpack spends a little on each
// element and on each entry beside the bytes themselves (an estimate; only the node limits
// see it).
uint64_t node_bytes_of(const std::vector<std::string>& fields) {
  uint64_t bytes = 5;
  for (const std::string& field : fields)
    bytes += field.size() + 2;
  return bytes;
}

uint64_t element_bytes_of(const std::vector<std::string>& fields) {
  uint64_t bytes = 0;
  for (const std::string& field : fields)
    bytes += field.size();
  return bytes;
}

}  // namespace

Stream::Stream(KeyStore& store, std::string name, Metadata metadata)
    : store_(store), name_(std::move(name)), metadata_(std::move(metadata)) {
  STRATA_ASSERT_MSG(metadata_.type == RedisType::stream, "a stream's metadata");
}

std::string Stream::element(const Tuple& element) const {
  return store_.element_key(name_, metadata_, element);
}

std::string Stream::entry_key(StreamId id) const {
  return element(Tuple().append_int(entry_kind).append_bytes(stream_id_bytes(id)));
}

std::string Stream::group_key(std::string_view group) const {
  return element(Tuple().append_int(group_kind).append_bytes(group));
}

std::string Stream::consumer_key(std::string_view group, std::string_view consumer) const {
  return element(Tuple()
                     .append_int(group_data_kind)
                     .append_bytes(group)
                     .append_int(consumer_kind)
                     .append_bytes(consumer));
}

std::string Stream::pending_key(std::string_view group, StreamId id) const {
  return element(Tuple()
                     .append_int(group_data_kind)
                     .append_bytes(group)
                     .append_int(pending_kind)
                     .append_bytes(stream_id_bytes(id)));
}

std::string Stream::owned_key(std::string_view group, std::string_view consumer,
                              StreamId id) const {
  return element(Tuple()
                     .append_int(group_data_kind)
                     .append_bytes(group)
                     .append_int(owned_kind)
                     .append_bytes(consumer)
                     .append_bytes(stream_id_bytes(id)));
}

std::pair<std::string, std::string> Stream::under(const Tuple& prefix) const {
  const std::string at = element(prefix);
  return {at + '\x00', at + '\xff'};
}

StreamEntry Stream::decode_entry(const KeyValue& row) const {
  const Tuple key = store_.keyspace().element_of(row.key, store_.db(), name_, metadata_.version);
  const Tuple value = Tuple::unpack(row.value);
  StreamEntry entry;
  entry.id = stream_id_from_bytes(key.bytes_at(1));
  entry.node = static_cast<uint64_t>(value.int_at(0));
  for (size_t i = 1; i < value.size(); ++i)
    entry.fields.push_back(value.bytes_at(i));
  return entry;
}

Future<std::vector<StreamEntry>> Stream::range(StreamId start, StreamId end, bool reverse,
                                               int64_t count) {
  std::vector<StreamEntry> entries;
  if (start > end) co_return entries;
  const std::vector<KeyValue> rows = co_await read_rows(store_.transaction(), entry_key(start),
                                                        entry_key(end) + '\x00', reverse, count);
  for (const KeyValue& row : rows)
    entries.push_back(decode_entry(row));
  co_return entries;
}

Future<std::optional<StreamEntry>> Stream::entry(StreamId id) {
  std::optional<Value> stored = co_await store_.transaction().get(entry_key(id));
  if (!stored) co_return std::nullopt;
  co_return decode_entry(KeyValue{entry_key(id), *stored});
}

Future<StreamId> Stream::first_id() {
  if (length() == 0) co_return StreamId{};
  std::vector<StreamEntry> first = co_await range(StreamId{}, max_stream_id, false, 1);
  STRATA_ASSERT_MSG(!first.empty(), "a stream of some length has a first entry");
  co_return first.front().id;
}

void Stream::add(StreamId id, const std::vector<std::string>& fields, uint64_t node_max_entries,
                 uint64_t node_max_bytes) {
  StreamFields& stream = metadata_.stream;
  STRATA_ASSERT_MSG(id > stream.last_id, "a new entry's ID is above the stream's last ID");
  STRATA_ASSERT_MSG(!fields.empty() && fields.size() % 2 == 0, "an entry is field-value pairs");
  // Redis's rule for starting a new node: the tail node would reach its bytes, or holds
  // its entries already.
  if (stream.tail_node_entries > 0 &&
      ((node_max_bytes > 0 &&
        stream.tail_node_bytes + element_bytes_of(fields) >= node_max_bytes) ||
       (node_max_entries > 0 && stream.tail_node_entries >= node_max_entries))) {
    new_tail_node();
  }
  Tuple value;
  value.append_int(static_cast<int64_t>(stream.tail_node));
  for (const std::string& field : fields)
    value.append_bytes(field);
  store_.transaction().set(entry_key(id), value.pack());
  ++stream.tail_node_entries;
  stream.tail_node_bytes += node_bytes_of(fields);
  stream.last_id = id;
  ++stream.entries_added;
  ++metadata_.size;
}

void Stream::new_tail_node() {
  StreamFields& stream = metadata_.stream;
  ++stream.tail_node;
  stream.tail_node_entries = 0;
  stream.tail_node_bytes = 0;
}

Future<bool> Stream::remove(StreamId id) {
  std::optional<StreamEntry> found = co_await entry(id);
  if (!found) co_return false;
  store_.transaction().clear(entry_key(id));
  --metadata_.size;
  StreamFields& stream = metadata_.stream;
  if (id > stream.max_deleted_id) stream.max_deleted_id = id;
  // Redis frees a node whose last entry goes: a tail node emptied so is replaced by a new
  // one at the next XADD.
  if (found->node == stream.tail_node) {
    std::vector<StreamEntry> last = co_await range(StreamId{}, max_stream_id, true, 1);
    if (last.empty() || last.front().node != stream.tail_node) new_tail_node();
  }
  co_return true;
}

Future<int64_t> Stream::trim(TrimArguments arguments) {
  using Strategy = TrimArguments::Strategy;
  if (arguments.strategy == Strategy::none) co_return 0;
  const bool by_length = arguments.strategy == Strategy::maxlen;
  if (by_length && length() <= arguments.maxlen) co_return 0;
  // The entries that may go, and the one after them (which tells whether the last node
  // read goes on past them): by length, the oldest length - maxlen; by ID, those below
  // minid.
  std::vector<StreamEntry> head;
  if (by_length) {
    head = co_await range(StreamId{}, max_stream_id, false, length() - arguments.maxlen + 1);
  } else {
    StreamId below = arguments.minid;
    if (!previous_stream_id(below)) co_return 0;
    head = co_await range(StreamId{}, below, false, 0);
    std::vector<StreamEntry> next = co_await range(arguments.minid, max_stream_id, false, 1);
    if (!next.empty()) head.push_back(next.front());
  }
  auto may_go = [&](const StreamEntry& entry, int64_t length_now) {
    return by_length ? length_now > arguments.maxlen : entry.id < arguments.minid;
  };
  int64_t removed = 0;
  size_t at = 0;
  while (at < head.size() && may_go(head[at], length() - removed)) {
    // The node starting at `at`: complete if another node's entry follows it, or if
    // `head` is the whole stream.
    size_t node_end = at;
    while (node_end < head.size() && head[node_end].node == head[at].node)
      ++node_end;
    const bool complete = node_end < head.size() || static_cast<int64_t>(head.size()) == length();
    const auto node_entries = static_cast<int64_t>(node_end - at);
    if (arguments.limit > 0 && removed + node_entries > arguments.limit) break;
    const bool whole_node =
        complete && (by_length ? length() - removed - node_entries >= arguments.maxlen
                               : head[node_end - 1].id < arguments.minid);
    if (whole_node) {
      removed += node_entries;
      at = node_end;
      continue;
    }
    // An approximate trim removes only whole nodes; an exact one goes on inside the node.
    if (arguments.approximate) break;
    while (at < node_end && may_go(head[at], length() - removed)) {
      ++removed;
      ++at;
    }
    break;
  }
  if (removed == 0) co_return 0;
  // The removed entries are the oldest ones: one range clear.
  store_.transaction().clear_range(entry_key(StreamId{}), entry_key(head[at - 1].id) + '\x00');
  const bool tail_removed = head[at - 1].node == metadata_.stream.tail_node &&
                            (at == head.size() || head[at].node != metadata_.stream.tail_node);
  metadata_.size -= removed;
  if (tail_removed) new_tail_node();
  co_return removed;
}

Future<std::optional<ConsumerGroup>> Stream::group(std::string name) {
  std::optional<Value> stored = co_await store_.transaction().get(group_key(name));
  if (!stored) co_return std::nullopt;
  const Tuple value = Tuple::unpack(*stored);
  co_return ConsumerGroup{stream_id_from_bytes(value.bytes_at(0)), value.int_at(1)};
}

void Stream::put_group(std::string_view name, const ConsumerGroup& group) {
  store_.transaction().set(
      group_key(name),
      Tuple().append_bytes(stream_id_bytes(group.last_id)).append_int(group.entries_read).pack());
}

Future<std::vector<std::pair<std::string, ConsumerGroup>>> Stream::groups() {
  auto [begin, end] = under(Tuple().append_int(group_kind));
  std::vector<std::pair<std::string, ConsumerGroup>> all;
  for (const KeyValue& row : co_await read_whole_range(store_.transaction(), begin, end)) {
    const Tuple key = store_.keyspace().element_of(row.key, store_.db(), name_, metadata_.version);
    const Tuple value = Tuple::unpack(row.value);
    all.emplace_back(key.bytes_at(1),
                     ConsumerGroup{stream_id_from_bytes(value.bytes_at(0)), value.int_at(1)});
  }
  co_return all;
}

void Stream::remove_group(std::string_view name) {
  store_.transaction().clear(group_key(name));
  auto [begin, end] = under(Tuple().append_int(group_data_kind).append_bytes(name));
  store_.transaction().clear_range(begin, end);
}

Future<std::optional<int64_t>> Stream::consumer(std::string group, std::string name) {
  std::optional<Value> stored = co_await store_.transaction().get(consumer_key(group, name));
  if (!stored) co_return std::nullopt;
  co_return Tuple::unpack(*stored).int_at(0);
}

void Stream::put_consumer(std::string_view group, std::string_view name, int64_t seen_time_ms) {
  store_.transaction().set(consumer_key(group, name), Tuple().append_int(seen_time_ms).pack());
}

Future<std::vector<std::pair<std::string, int64_t>>> Stream::consumers(std::string group) {
  auto [begin, end] =
      under(Tuple().append_int(group_data_kind).append_bytes(group).append_int(consumer_kind));
  std::vector<std::pair<std::string, int64_t>> all;
  for (const KeyValue& row : co_await read_whole_range(store_.transaction(), begin, end)) {
    const Tuple key = store_.keyspace().element_of(row.key, store_.db(), name_, metadata_.version);
    all.emplace_back(key.bytes_at(3), Tuple::unpack(row.value).int_at(0));
  }
  co_return all;
}

Future<int64_t> Stream::remove_consumer(std::string group, std::string name) {
  const std::vector<StreamId> owned =
      co_await consumer_pending(group, name, StreamId{}, max_stream_id, 0);
  for (StreamId id : owned)
    store_.transaction().clear(pending_key(group, id));
  auto [begin, end] = under(Tuple()
                                .append_int(group_data_kind)
                                .append_bytes(group)
                                .append_int(owned_kind)
                                .append_bytes(name));
  store_.transaction().clear_range(begin, end);
  store_.transaction().clear(consumer_key(group, name));
  co_return static_cast<int64_t>(owned.size());
}

Future<std::optional<PendingEntry>> Stream::pending(std::string group, StreamId id) {
  std::optional<Value> stored = co_await store_.transaction().get(pending_key(group, id));
  if (!stored) co_return std::nullopt;
  const Tuple value = Tuple::unpack(*stored);
  co_return PendingEntry{value.bytes_at(0), value.int_at(1), value.int_at(2)};
}

void Stream::put_pending(std::string_view group, StreamId id, const PendingEntry& entry,
                         const std::optional<std::string>& previous_owner) {
  if (previous_owner && *previous_owner != entry.consumer)
    store_.transaction().clear(owned_key(group, *previous_owner, id));
  store_.transaction().set(pending_key(group, id), Tuple()
                                                       .append_bytes(entry.consumer)
                                                       .append_int(entry.delivery_time_ms)
                                                       .append_int(entry.delivery_count)
                                                       .pack());
  store_.transaction().set(owned_key(group, entry.consumer, id), "");
}

void Stream::remove_pending(std::string_view group, StreamId id, std::string_view owner) {
  store_.transaction().clear(pending_key(group, id));
  store_.transaction().clear(owned_key(group, owner, id));
}

Future<std::vector<std::pair<StreamId, PendingEntry>>> Stream::pending_range(std::string group,
                                                                             StreamId start,
                                                                             StreamId end,
                                                                             int64_t count) {
  std::vector<std::pair<StreamId, PendingEntry>> found;
  if (start > end) co_return found;
  const std::vector<KeyValue> rows =
      co_await read_rows(store_.transaction(), pending_key(group, start),
                         pending_key(group, end) + '\x00', false, count);
  for (const KeyValue& row : rows) {
    const Tuple key = store_.keyspace().element_of(row.key, store_.db(), name_, metadata_.version);
    const Tuple value = Tuple::unpack(row.value);
    found.emplace_back(stream_id_from_bytes(key.bytes_at(3)),
                       PendingEntry{value.bytes_at(0), value.int_at(1), value.int_at(2)});
  }
  co_return found;
}

Future<std::vector<StreamId>> Stream::consumer_pending(std::string group, std::string consumer,
                                                       StreamId start, StreamId end,
                                                       int64_t count) {
  std::vector<StreamId> found;
  if (start > end) co_return found;
  const std::vector<KeyValue> rows =
      co_await read_rows(store_.transaction(), owned_key(group, consumer, start),
                         owned_key(group, consumer, end) + '\x00', false, count);
  for (const KeyValue& row : rows) {
    const Tuple key = store_.keyspace().element_of(row.key, store_.db(), name_, metadata_.version);
    found.push_back(stream_id_from_bytes(key.bytes_at(4)));
  }
  co_return found;
}

Future<int64_t> Stream::estimate_entries_read(StreamId id) {
  const StreamFields& stream = metadata_.stream;
  const auto added = static_cast<int64_t>(stream.entries_added);
  // Nothing ever added: every ID's counter is 0.
  if (added == 0) co_return 0;
  // An empty stream: every ID up to the last one has read everything.
  if (length() == 0 && id <= stream.last_id) co_return added;
  if (id == stream.last_id) co_return added;
  // A future ID's counter is unknown.
  if (id > stream.last_id) co_return entries_read_unknown;
  const StreamId first = co_await first_id();
  // No deletion after the first entry: the counter is known at the first entry and
  // before it.
  if (stream.max_deleted_id.is_zero() || stream.max_deleted_id < first) {
    if (id < first) co_return added - length();
    if (id == first) co_return added - length() + 1;
  }
  co_return entries_read_unknown;
}

Future<bool> Stream::has_tombstones_from(StreamId start) {
  const StreamFields& stream = metadata_.stream;
  if (length() == 0 || stream.max_deleted_id.is_zero()) co_return false;
  if (co_await first_id() > stream.max_deleted_id) co_return false;
  co_return start <= stream.max_deleted_id;
}

Future<std::optional<int64_t>> Stream::lag(ConsumerGroup group) {
  const auto added = static_cast<int64_t>(metadata_.stream.entries_added);
  if (added == 0) co_return 0;
  if (group.entries_read != entries_read_unknown && !co_await has_tombstones_from(group.last_id)) {
    co_return added - group.entries_read;
  }
  const int64_t estimate = co_await estimate_entries_read(group.last_id);
  if (estimate == entries_read_unknown) co_return std::nullopt;
  co_return added - estimate;
}

Future<Void> Stream::advance(ConsumerGroup& group, StreamId id) {
  STRATA_ASSERT_MSG(id > group.last_id, "a group advances only to IDs past its last one");
  if (group.entries_read != entries_read_unknown && !co_await has_tombstones_from(id)) {
    ++group.entries_read;
  } else if (metadata_.stream.entries_added > 0) {
    group.entries_read = co_await estimate_entries_read(id);
  }
  group.last_id = id;
  co_return;
}

}  // namespace strata::redis
