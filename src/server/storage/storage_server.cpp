#include "server/storage/storage_server.h"

#include <algorithm>
#include <limits>

#include "client/atomic_ops.h"
#include "interfaces/shard_map.h"
#include "rpc/endpoint.h"
#include "rpc/serialize.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/file_utils.h"
#include "runtime/trace.h"
#include "server/role_metrics.h"
#include "server/server_knobs.h"
#include "server/storage/byte_sample.h"
#include "server/storage/owned_ranges.h"
#include "server/storage/versioned_data.h"
#include "server/wait_failure.h"

namespace strata {

namespace {

// The storage server's own records in its engine, above every key a client can use.
const std::string metadata_prefix("\xff\xff/storage/", 11);
const std::string durable_version_key = metadata_prefix + "durable_version";
// The ranges it was created with (folders written before ranges could move).
const std::string shards_key = metadata_prefix + "shards";
// Its OwnedRanges, recorded at each version that changes them.
const std::string owned_key = metadata_prefix + "owned";
const std::string identity_key = metadata_prefix + "identity";

// Who the server is, recorded with its data when it is created.
struct StorageIdentity {
  UID id;
  Tag tag = 0;
  uint64_t epoch = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, tag, epoch);
  }
};

struct StorageState {
  StorageInterface interface;
  StorageServerOptions options;
  std::shared_ptr<AsyncVar<ServerDBInfo>> db_info;
  std::unique_ptr<KeyValueStore> engine;
  OwnedRanges owned;
  // Changes whenever `owned` does (waiters of wait_readable look again).
  AsyncVar<uint64_t> owned_changes{0};
  // The newest version at which `owned` or a fetch changed: a rollback below it restarts
  // the server from its engine.
  Version owned_changed_at = 0;
  // The fetches under way, by the first key of their range.
  struct Fetch {
    KeyRange range;
    // [range.begin, installed_to) is fetched and takes mutations as they come; mutations
    // of the rest wait here, with their versions, until their part is fetched.
    Key installed_to;
    std::vector<std::pair<Version, Mutation>> waiting;
    Future<Void> actor;
    bool done = false;
  };
  std::map<Key, Fetch> fetches;
  VersionedData data;
  // Estimates the bytes of any range (see byte_sample.h), kept with every change applied
  // to `data`; complete once it was rebuilt from the engine after the start.
  ByteSample sample{server_knobs().storage_byte_sample_unit};
  bool sample_complete = false;
  // The bytes clients wrote lately, by key (mutations from the logs, not fetched data).
  WriteSample writes{server_knobs().storage_write_sample_window_s,
                     server_knobs().storage_byte_sample_unit};
  // Bytes that entered the in-memory versions since the start, for the ratekeeper
  // (StorageQueueReply).
  int64_t input_bytes = 0;
  // The newest version applied in memory. Replaced (releasing its waiters) on rollback.
  std::unique_ptr<NotifiedValue<Version>> version;
  // Reads below this version are too old: the engine may have moved past them.
  Version oldest_version = 0;
  // What the engine holds durably (after each persist).
  NotifiedValue<Version> durable{0};
  // The newest version known committed that this server has applied, and the newest the
  // logs know committed (ahead of it while it catches up).
  Version known_committed_version = 0;
  Version logs_committed_version = 0;
  // The ServerDBInfo the server last acted on, and the generation of logs its newest
  // versions came from (none since it started: what it has then is all durable).
  UID info_id;
  std::optional<uint64_t> peeked_epoch;
  // A persist moves the engine past the durable version and then forgets those versions
  // from memory: while one runs, the engine and memory do not agree on what a key held.
  AsyncVar<bool> persisting{false};
  uint64_t persists_started = 0;
  // Keys with watches waiting for a change: `changed` is sent (and replaced) once a
  // version that writes the key is applied.
  struct KeyWatch {
    Promise<Void> changed;
    int watchers = 0;
  };
  std::map<Key, KeyWatch, std::less<>> watches;
};

// One watch request's hold on a key's KeyWatch; the entry goes with the last one.
class WatchRegistration {
 public:
  WatchRegistration(StorageState* storage, Key key) : storage_(storage), key_(std::move(key)) {
    ++storage_->watches[key_].watchers;
  }
  WatchRegistration(const WatchRegistration&) = delete;
  WatchRegistration& operator=(const WatchRegistration&) = delete;
  ~WatchRegistration() {
    auto it = storage_->watches.find(key_);
    if (--it->second.watchers == 0) storage_->watches.erase(it);
  }
  // Ready at the next applied change to the key.
  Future<Void> next_change() const { return storage_->watches.at(key_).changed.get_future(); }

 private:
  StorageState* storage_;
  Key key_;
};

Error wrong_shard(const StorageState& storage, std::string_view what) {
  return Error(
      ErrorCode::wrong_shard_server,
      std::string(what) + " is not held by storage server " + storage.interface.id.short_string());
}

// Checks that the server serves `range` at `version`: held, fetched, and readable since
// then (a range that arrived after `version` cannot answer for it).
void check_readable(const StorageState& storage, const KeyRange& range, Version version,
                    std::string_view what) {
  const std::optional<OwnedRange> owned = storage.owned.covering(range);
  if (!owned) throw wrong_shard(storage, what);
  if (owned->fetching) {
    throw Error(ErrorCode::wrong_shard_server, std::string(what) +
                                                   " is still being fetched by storage server " +
                                                   storage.interface.id.short_string());
  }
  if (version < owned->since) {
    throw Error(ErrorCode::transaction_too_old,
                "read version " + std::to_string(version) + " is older than " +
                    std::to_string(owned->since) + ", when storage server " +
                    storage.interface.id.short_string() + " received " + std::string(what));
  }
}

std::string key_words(std::string_view key) {
  return "key '" + printable(key) + "'";
}

std::string range_words(const KeyRange& range) {
  return "range ['" + printable(range.begin) + "', '" + printable(range.end) + "')";
}

// Waits until `version` is readable here; fails with future_version or transaction_too_old.
Future<Void> wait_for_version(StorageState* storage, Version version) {
  if (version < storage->oldest_version) {
    throw Error(ErrorCode::transaction_too_old,
                "read version " + std::to_string(version) + " is older than " +
                    std::to_string(storage->oldest_version) + ", the oldest this server keeps");
  }
  if (version > storage->version->get()) {
    Future<Void> arrived = storage->version->when_at_least(version);
    Future<Void> timeout = delay(server_knobs().storage_future_version_wait_s);
    co_await first_ready(arrived, timeout);
    if (!arrived.is_ready() || arrived.is_error()) {
      throw Error(ErrorCode::future_version,
                  "version " + std::to_string(version) + " has not reached this storage server");
    }
  }
}

void check_not_too_old(const StorageState& storage, Version version) {
  if (version < storage.oldest_version) {
    throw Error(ErrorCode::transaction_too_old, "the read's version left the MVCC window");
  }
}

// Counts a read served, with its time since `started`, in the process's metrics.
void record_read(double started) {
  if (RoleMetrics* metrics = RoleMetrics::of_this_process()) {
    ++metrics->counters.reads;
    metrics->read_latency.add(now() - started);
  }
}

Future<Void> handle_get_value(StorageState* storage, GetValueRequest request) {
  const double started = now();
  try {
    // A server behind the read's version may not have heard of the range yet.
    co_await wait_for_version(storage, request.version);
    check_readable(*storage, single_key_range(request.key), request.version,
                   key_words(request.key));
    VersionedData::KeyState state = storage->data.get(request.key, request.version);
    GetValueReply reply;
    if (state.kind == VersionedData::KeyState::Kind::present) {
      reply.value = std::move(state.value);
    } else if (state.kind == VersionedData::KeyState::Kind::unknown) {
      reply.value = co_await storage->engine->read_value(request.key);
      check_not_too_old(*storage, request.version);
    }
    request.reply.send(std::move(reply));
    record_read(started);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    request.reply.send_error(error);
  }
}

// The key's value at the newest version applied (or newer, if a persist moves the engine
// meanwhile; never older).
Future<std::optional<Value>> newest_value(StorageState* storage, const Key& key) {
  VersionedData::KeyState state = storage->data.get(key, storage->data.latest_version());
  if (state.kind == VersionedData::KeyState::Kind::present) co_return std::move(state.value);
  if (state.kind == VersionedData::KeyState::Kind::absent) co_return std::nullopt;
  co_return co_await storage->engine->read_value(key);
}

Future<Void> handle_watch_value(StorageState* storage, WatchValueRequest request) {
  try {
    if (!storage->owned.find(request.key)) throw wrong_shard(*storage, key_words(request.key));
    // The watched value is the key's at request.version: changes before it do not count,
    // so wait for it (but an old version is fine: the value is compared with the newest).
    if (request.version > storage->version->get()) {
      co_await wait_for_version(storage, std::max(request.version, storage->oldest_version));
    }
    WatchRegistration registration(storage, request.key);
    const double deadline = now() + server_knobs().storage_watch_timeout_s;
    while (true) {
      // Checked at every wake-up: a range that moved away wakes its watches (its data is
      // cleared here), and a watch of a value the clear leaves alike (none) would wait on
      // a key whose changes no longer come here. The client asks the new holder. A range
      // still being fetched has no value to compare with yet.
      check_readable(*storage, single_key_range(request.key), storage->version->get(),
                     key_words(request.key));
      // Registered before reading, so that a change applied during the read is not missed.
      Future<Void> changed = registration.next_change();
      std::optional<Value> current = co_await newest_value(storage, request.key);
      if (current != request.value) {
        STRATA_PROBE(true, "a storage server answers a watch");
        request.reply.send(WatchValueReply{storage->version->get()});
        co_return;
      }
      Future<Void> timeout = delay(std::max(0.0, deadline - now()));
      if (co_await first_ready(changed, timeout) == 1) {
        STRATA_PROBE(true, "a watch times out on a storage server");
        throw Error(ErrorCode::timed_out, "no change to the watched key within the watch timeout");
      }
    }
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    request.reply.send_error(error);
  }
}

// The keys written by `mutation` that have watches on them.
void collect_watched_keys(const StorageState& storage, const Mutation& mutation,
                          std::vector<Key>& keys) {
  if (storage.watches.empty()) return;
  if (mutation.type != MutationType::clear_range) {
    if (storage.watches.count(mutation.param1)) keys.push_back(mutation.param1);
    return;
  }
  for (auto it = storage.watches.lower_bound(mutation.param1);
       it != storage.watches.end() && it->first < mutation.param2; ++it) {
    keys.push_back(it->first);
  }
}

// Wakes the watches of `keys` (after their versions are readable here).
void trigger_watches(StorageState& storage, const std::vector<Key>& keys) {
  for (const Key& key : keys) {
    auto it = storage.watches.find(key);
    if (it == storage.watches.end()) continue;
    Promise<Void> changed = std::exchange(it->second.changed, Promise<Void>());
    changed.send(Void{});
  }
}

// Merges one stretch of the range: the in-memory view and the engine's rows over
// `covered`, in order, into `reply` until the limits are reached. Returns false when a
// limit stopped it.
bool merge_stretch(VersionedData::RangeView& view, std::vector<KeyValue>& engine_rows,
                   const KeyRange& covered, bool reverse, int32_t limit, int64_t byte_limit,
                   GetKeyValuesReply& reply, int64_t& bytes) {
  auto memory = view.keys.begin();
  auto engine = engine_rows.begin();
  auto before = [reverse](std::string_view a, std::string_view b) {
    return reverse ? a > b : a < b;
  };
  while (true) {
    // Memory keys outside `covered` wait for a later stretch.
    while (memory != view.keys.end() && !covered.contains(memory->key))
      ++memory;
    bool memory_left = memory != view.keys.end();
    bool engine_left = engine != engine_rows.end();
    if (!memory_left && !engine_left) return true;
    // The engine's rows are moved into the reply: they are this request's own copies,
    // and each row is taken at most once. Rows from memory are copied out of the view.
    KeyValue* row = nullptr;
    KeyValue from_memory;
    if (memory_left && (!engine_left || !before(engine->key, memory->key))) {
      if (engine_left && engine->key == memory->key) ++engine;  // memory overrides
      if (memory->present) {
        from_memory = KeyValue{Key(memory->key), Value(memory->value)};
        row = &from_memory;
      }
      ++memory;
    } else {
      if (!view.engine_row_cleared(engine->key)) row = &*engine;
      ++engine;
    }
    if (!row) continue;
    if (static_cast<int32_t>(reply.data.size()) >= limit || bytes >= byte_limit) return false;
    bytes += static_cast<int64_t>(row->key.size() + row->value.size());
    reply.data.push_back(std::move(*row));
  }
}

// The rows of `request.range` (inside one of this server's shards) at a version that is
// here, merged from memory and the engine, up to the request's limits.
Future<GetKeyValuesReply> read_rows(StorageState* storage, GetKeyValuesRequest request) {
  GetKeyValuesReply reply;
  int64_t bytes = 0;
  {
    KeyRange cursor = request.range;
    const size_t chunk =
        static_cast<size_t>(std::max(1, server_knobs().storage_range_read_chunk_rows));
    while (!cursor.empty()) {
      int32_t rows_wanted =
          std::max<int32_t>(1, request.limit - static_cast<int32_t>(reply.data.size()));
      // The memory view first: it must describe the same instant as the engine rows. It
      // needs no more keys present in memory than the rows still wanted (a read of the last
      // key of a range must not walk every key written in the window): a pass that stops
      // short covers less, and the next pass goes on.
      std::optional<Key> truncated_at;
      VersionedData::RangeView view =
          storage->data.view(cursor, request.version, chunk, static_cast<size_t>(rows_wanted),
                             request.reverse, &truncated_at);
      KeyRange pass = cursor;
      if (truncated_at) {
        if (request.reverse) {
          pass.begin = *truncated_at + '\0';
        } else {
          pass.end = *truncated_at;
        }
      }
      Future<RangeReadResult> engine_read = storage->engine->read_range(
          pass, rows_wanted, std::max<int64_t>(1, request.byte_limit - bytes), request.reverse);
      // The view points into the window, which may change while the engine's read is
      // under way; an engine that answers at once (the memory engine) spares the copy.
      if (!engine_read.is_ready()) view.keep();
      RangeReadResult engine_part = co_await std::move(engine_read);
      check_not_too_old(*storage, request.version);
      // What this pass has fully covered.
      KeyRange covered = pass;
      if (engine_part.more && !engine_part.rows.empty()) {
        const Key& last = engine_part.rows.back().key;
        if (request.reverse) {
          covered.begin = last;
        } else {
          covered.end = last + '\0';
        }
      }
      if (!merge_stretch(view, engine_part.rows, covered, request.reverse, request.limit,
                         request.byte_limit, reply, bytes)) {
        reply.more = true;
        break;
      }
      if (request.reverse) {
        cursor.end = covered.begin;
      } else {
        cursor.begin = covered.end;
      }
      if (static_cast<int32_t>(reply.data.size()) >= request.limit || bytes >= request.byte_limit) {
        reply.more = !cursor.empty();
        break;
      }
    }
  }
  co_return reply;
}

Future<Void> handle_get_key_values(StorageState* storage, GetKeyValuesRequest request) {
  const double started = now();
  try {
    if (request.limit <= 0 || request.byte_limit <= 0 || request.range.empty()) {
      request.reply.send(GetKeyValuesReply{});
      co_return;
    }
    co_await wait_for_version(storage, request.version);
    check_readable(*storage, request.range, request.version, range_words(request.range));
    GetKeyValuesReply reply = co_await read_rows(storage, request);
    request.reply.send(std::move(reply));
    record_read(started);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    request.reply.send_error(error);
  }
}

// Resolves a key selector as far as this server's shard goes (see GetKeyRequest): the
// `offset`-th key from where the selector starts, or what is left to move at the shard's
// edge.
Future<Void> handle_get_key(StorageState* storage, GetKeyRequest request) {
  try {
    const KeySelector& selector = request.selector;
    const bool forward = selector.offset >= 1;
    // Forward the scan starts here; backward it ends here (exclusive).
    const Key edge = selector.or_equal ? single_key_range(selector.key).end : selector.key;
    std::optional<KeyRange> shard;
    for (const OwnedRange& candidate : storage->owned.all()) {
      const KeyRange& held = candidate.range;
      bool holds = forward ? held.contains(edge) : held.begin < edge && edge <= held.end;
      if (holds) shard = held;
    }
    const std::string what = "key selector at '" + printable(edge) + "'";
    if (!shard) throw wrong_shard(*storage, what);
    // The scan stays inside this shard: past its edge, another server may hold the keys.
    const KeyRange range = forward ? KeyRange{edge, shard->end} : KeyRange{shard->begin, edge};
    co_await wait_for_version(storage, request.version);
    check_readable(*storage, range.empty() ? *shard : range, request.version, what);
    const int32_t wanted = forward ? selector.offset : 1 - selector.offset;
    GetKeyValuesRequest scan;
    scan.range = range;
    scan.version = request.version;
    scan.limit = wanted;
    scan.byte_limit = std::numeric_limits<int64_t>::max();
    scan.reverse = !forward;
    GetKeyValuesReply rows = co_await read_rows(storage, std::move(scan));
    const auto found = static_cast<int32_t>(rows.data.size());
    GetKeyReply reply;
    if (found == wanted) {
      reply.resolved = true;
      reply.key = rows.data.back().key;
    } else if (forward) {
      reply.next = KeySelector{range.end, false, wanted - found};
    } else {
      reply.next = KeySelector{range.begin, false, selector.offset + found};
    }
    request.reply.send(std::move(reply));
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    request.reply.send_error(error);
  }
}

// Sizes a range by reading it at the newest version, a page at a time (a page that falls
// out of the MVCC window is read again at the newer version).
Future<Void> handle_range_stats(StorageState* storage, RangeStatsRequest request) {
  try {
    check_readable(*storage, request.range, storage->version->get(), range_words(request.range));
    if (request.estimate) {
      RangeStatsReply reply;
      reply.bytes = storage->sample.bytes(request.range);
      if (request.chunk_bytes > 0) {
        reply.split_points = storage->sample.split_points(request.range, request.chunk_bytes);
      }
      reply.complete = storage->sample_complete;
      reply.write_bytes_per_s = storage->writes.bytes_per_s(request.range, now());
      if (request.write_chunk_bytes_per_s > 0) {
        reply.write_split_points =
            storage->writes.split_points(request.range, request.write_chunk_bytes_per_s, now());
      }
      request.reply.send(std::move(reply));
      co_return;
    }
    RangeStatsReply reply;
    int64_t chunk = 0;
    KeyRange cursor = request.range;
    while (!cursor.empty()) {
      GetKeyValuesRequest page;
      page.range = cursor;
      page.version = storage->version->get();
      page.limit = std::numeric_limits<int32_t>::max();
      page.byte_limit = 1 << 20;
      std::optional<GetKeyValuesReply> rows;
      try {
        rows = co_await read_rows(storage, std::move(page));
      } catch (Error& error) {
        if (!error.is(ErrorCode::transaction_too_old)) throw;
      }
      if (!rows) continue;
      for (const KeyValue& row : rows->data) {
        const auto size = static_cast<int64_t>(row.key.size() + row.value.size());
        if (request.chunk_bytes > 0 && chunk >= request.chunk_bytes) {
          reply.split_points.push_back(row.key);
          chunk = 0;
        }
        chunk += size;
        reply.bytes += size;
      }
      if (!rows->more || rows->data.empty()) break;
      cursor.begin = single_key_range(rows->data.back().key).end;
    }
    request.reply.send(std::move(reply));
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    request.reply.send_error(error);
  }
}

// The part of `mutation` inside `part` (which it touches).
Mutation clipped_to(const Mutation& mutation, const KeyRange& part) {
  if (mutation.type != MutationType::clear_range) return mutation;
  return Mutation{MutationType::clear_range, std::max(mutation.param1, part.begin),
                  std::min(mutation.param2, part.end)};
}

KeyRange range_of(const Mutation& mutation) {
  if (mutation.type == MutationType::clear_range) return KeyRange{mutation.param1, mutation.param2};
  return single_key_range(mutation.param1);
}

// Whether a mutation of `key` is applied as it comes: the key is served here, or its part
// of a fetch is already fetched.
bool applies_now(const StorageState& storage, std::string_view key) {
  const OwnedRange* owned = storage.owned.find(key);
  if (owned == nullptr) return false;
  if (!owned->fetching) return true;
  return key < storage.fetches.at(owned->range.begin).installed_to;
}

// Routes a mutation of `version`: the parts of it in ranges this server serves or has
// fetched are returned, to apply now; the parts in ranges still to be fetched wait for
// their fetch; the rest is not this server's.
std::vector<Mutation> route_mutation(StorageState& storage, Version version,
                                     const Mutation& mutation) {
  std::vector<Mutation> now;
  const KeyRange range = range_of(mutation);
  for (const OwnedRange& owned : storage.owned.intersecting(range)) {
    KeyRange part{std::max(range.begin, owned.range.begin), std::min(range.end, owned.range.end)};
    if (!owned.fetching) {
      now.push_back(clipped_to(mutation, part));
      continue;
    }
    StorageState::Fetch& fetch = storage.fetches.at(owned.range.begin);
    KeyRange fetched{part.begin, std::min(part.end, fetch.installed_to)};
    KeyRange waiting{std::max(part.begin, fetch.installed_to), part.end};
    if (!fetched.empty()) now.push_back(clipped_to(mutation, fetched));
    if (!waiting.empty()) fetch.waiting.emplace_back(version, clipped_to(mutation, waiting));
  }
  return now;
}

// The keys that atomic operations in `versions` act on.
std::vector<Key> atomic_operation_keys(const StorageState& storage,
                                       const std::vector<VersionedMutations>& versions) {
  std::vector<Key> keys;
  for (const VersionedMutations& versioned : versions) {
    for (const Mutation& mutation : versioned.mutations) {
      if (is_atomic_operation(mutation.type) && applies_now(storage, mutation.param1)) {
        keys.push_back(mutation.param1);
      }
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// The engine's values of the `keys` that memory knows nothing about since the durable
// version: what atomic operations on them start from. Read before applying (an atomic
// operation turns into a set or a clear when applied, and applying never suspends), and
// again if a persist ran meanwhile, since then engine and memory may disagree.
Future<std::map<Key, std::optional<Value>>> read_for_atomic_operations(StorageState* storage,
                                                                       std::vector<Key> keys) {
  while (true) {
    while (storage->persisting.get())
      co_await storage->persisting.on_change();
    const uint64_t persists = storage->persists_started;
    std::map<Key, std::optional<Value>> values;
    for (const Key& key : keys) {
      VersionedData::KeyState state = storage->data.get(key, storage->data.latest_version());
      if (state.kind == VersionedData::KeyState::Kind::unknown) {
        values[key] = co_await storage->engine->read_value(key);
      }
    }
    STRATA_PROBE(!values.empty(), "storage server reads the engine for atomic operations");
    // A slow engine read, so that a persist runs in the middle now and then.
    if (BUGGIFY && !values.empty()) {
      co_await delay(server_knobs().storage_persist_interval_s * env().random().uniform_real(0, 2));
    }
    if (storage->persists_started == persists && !storage->persisting.get()) co_return values;
    STRATA_PROBE(true, "storage server rereads for atomic operations after a persist");
  }
}

// Applies one mutation at `version`; an atomic operation becomes the set or clear it
// amounts to on the value the key holds just before it.
// Applies a change to the data in memory at `version`, and to the byte sample (which
// leaves out the server's own keys).
void apply_to_data(StorageState& storage, Version version, Mutation mutation) {
  const Key& own_keys = metadata_prefix;
  if (mutation.type == MutationType::set_value) {
    if (mutation.param1 < own_keys) {
      storage.sample.set(mutation.param1, static_cast<int64_t>(mutation.param2.size()));
    }
  } else if (mutation.type == MutationType::clear_range) {
    storage.sample.erase(KeyRange{mutation.param1, std::min(mutation.param2, own_keys)});
  }
  const int64_t before = storage.data.bytes();
  storage.data.apply(version, std::move(mutation));
  storage.input_bytes += std::max<int64_t>(0, storage.data.bytes() - before);
}

void apply_mutation(StorageState& storage, Version version, const Mutation& mutation,
                    const std::map<Key, std::optional<Value>>& engine_values) {
  if (mutation.type != MutationType::clear_range) {
    storage.writes.add(mutation.param1,
                       static_cast<int64_t>(mutation.param1.size() + mutation.param2.size()),
                       version, now());
  }
  if (!is_atomic_operation(mutation.type)) {
    apply_to_data(storage, version, mutation);
    return;
  }
  // Commit proxies turn versionstamped operations into sets.
  STRATA_ASSERT_MSG(!is_versionstamp_operation(mutation.type),
                    "a versionstamped operation reached a storage server");
  const Key& key = mutation.param1;
  std::optional<Value> existing;
  VersionedData::KeyState state = storage.data.get(key, version);
  if (state.kind == VersionedData::KeyState::Kind::present) {
    existing = std::move(state.value);
  } else if (state.kind == VersionedData::KeyState::Kind::unknown) {
    auto found = engine_values.find(key);
    STRATA_ASSERT_MSG(found != engine_values.end(), "an atomic operation's key was not read");
    existing = found->second;
  }
  std::optional<Value> result = apply_atomic_op(mutation.type, existing, mutation.param2);
  if (result) {
    apply_to_data(storage, version, Mutation{MutationType::set_value, key, std::move(*result)});
  } else {
    KeyRange only = single_key_range(key);
    apply_to_data(storage, version, Mutation{MutationType::clear_range, only.begin, only.end});
  }
}

// Records the server's ranges at `version`, with the data of that version (so the engine
// holds them as of its durable version).
void record_owned(StorageState& storage, Version version) {
  apply_to_data(
      storage, version,
      Mutation{MutationType::set_value, owned_key, serialize_to_bytes(storage.owned.all())});
  storage.owned_changed_at = std::max(storage.owned_changed_at, version);
  storage.owned_changes.set(storage.owned_changes.get() + 1);
}

// Installs the next piece of a fetch, read from a source at `read_version`: the rows, with
// the mutations that came after that version on top, become the piece's contents at the
// newest version applied here, and from then on its mutations apply as they come.
void install_fetched(StorageState& storage, StorageState::Fetch& fetch, Version read_version,
                     const GetKeyValuesReply& reply) {
  const Version version = storage.version->get();
  STRATA_ASSERT_MSG(version >= read_version, "a fetch read a version this server has not applied");
  const KeyRange piece{fetch.installed_to,
                       reply.more ? single_key_range(reply.data.back().key).end : fetch.range.end};
  std::map<Key, Value> rows;
  for (const KeyValue& row : reply.data) {
    if (piece.contains(row.key)) rows[row.key] = row.value;
  }
  std::vector<std::pair<Version, Mutation>> still_waiting;
  for (const auto& [at, mutation] : fetch.waiting) {
    const KeyRange range = range_of(mutation);
    KeyRange inside{std::max(range.begin, piece.begin), std::min(range.end, piece.end)};
    KeyRange after{std::max(range.begin, piece.end), range.end};
    if (!after.empty()) still_waiting.emplace_back(at, clipped_to(mutation, after));
    // What the source read already includes versions up to read_version.
    if (inside.empty() || at <= read_version) continue;
    if (mutation.type == MutationType::clear_range) {
      rows.erase(rows.lower_bound(inside.begin), rows.lower_bound(inside.end));
    } else if (mutation.type == MutationType::set_value) {
      rows[mutation.param1] = mutation.param2;
    } else {
      auto existing = rows.find(mutation.param1);
      std::optional<Value> before;
      if (existing != rows.end()) before = existing->second;
      std::optional<Value> result = apply_atomic_op(mutation.type, before, mutation.param2);
      if (result) {
        rows[mutation.param1] = std::move(*result);
      } else if (existing != rows.end()) {
        rows.erase(existing);
      }
    }
  }
  fetch.waiting = std::move(still_waiting);
  apply_to_data(storage, version, Mutation{MutationType::clear_range, piece.begin, piece.end});
  for (auto& [key, value] : rows)
    apply_to_data(storage, version, Mutation{MutationType::set_value, key, std::move(value)});
  fetch.installed_to = piece.end;
  storage.owned_changed_at = std::max(storage.owned_changed_at, version);
  STRATA_PROBE(reply.more, "a storage server fetches a range in several pieces");
}

// Waits until the newest version applied is above the durable one: changes applied at it
// then belong to a version the engine does not hold yet.
Future<Void> newer_than_durable(StorageState* storage) {
  if (storage->version->get() <= storage->data.durable_version()) {
    co_await storage->version->when_at_least(storage->data.durable_version() + 1);
  }
}

// Fetches an assigned range from its sources, a piece at a time, each read at the newest
// version this server has applied (the mutations after it are here, waiting). Ends when the
// whole range is readable here; cancelled when the range is taken away meanwhile.
Future<Void> fetch_range(StorageState* storage, KeyRange range) {
  const ServerKnobs& knobs = server_knobs();
  size_t choice = static_cast<size_t>(env().random().uniform(0, 1000));
  // The range's mutations reach this server from its assignment's version on: every read
  // must be at that version or later. (A fetch starts while that version is being applied.)
  const Version assigned = storage->owned.find(range.begin)->since;
  co_await storage->version->when_at_least(assigned);
  while (storage->fetches.at(range.begin).installed_to < range.end) {
    const OwnedRange* owned = storage->owned.find(range.begin);
    STRATA_ASSERT_MSG(owned && owned->fetching && owned->range == range,
                      "a fetch runs for a range that is not being fetched");
    std::optional<StorageInterface> source;
    if (!owned->sources.empty()) {
      const UID& id = owned->sources[choice % owned->sources.size()];
      for (const StorageInterface& server : storage->db_info->get().storage_servers) {
        if (server.id == id) source = server;
      }
    }
    const Version version = storage->version->get();
    STRATA_ASSERT(version >= assigned);
    std::optional<GetKeyValuesReply> reply;
    if (source) {
      GetKeyValuesRequest request;
      request.range = KeyRange{storage->fetches.at(range.begin).installed_to, range.end};
      request.version = version;
      request.limit = std::numeric_limits<int32_t>::max();
      request.byte_limit = knobs.storage_fetch_bytes;
      try {
        reply = co_await timeout_error(source->get_key_values.get_reply(std::move(request)),
                                       knobs.failure_detection_timeout_s);
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        TraceEvent(Severity::warn, "StorageFetchRetry")
            .id(storage->interface.id)
            .detail("Source", source->id)
            .detail("Begin", printable(range.begin))
            .error(error);
      }
    }
    if (!reply || (reply->more && reply->data.empty())) {
      ++choice;
      co_await delay(knobs.role_retry_delay_s);
      continue;
    }
    // Installed at the newest version, which must be above the durable one (a server that
    // just restarted has applied nothing newer yet).
    co_await newer_than_durable(storage);
    install_fetched(*storage, storage->fetches.at(range.begin), version, *reply);
    if (BUGGIFY) co_await delay(env().random().uniform_real(0, 0.1));
  }
  co_await newer_than_durable(storage);
  const Version version = storage->version->get();
  storage->owned.finish_fetch(range, version);
  storage->fetches.at(range.begin).done = true;
  record_owned(*storage, version);
  TraceEvent("StorageFetchDone")
      .id(storage->interface.id)
      .detail("Begin", printable(range.begin))
      .detail("End", printable(range.end))
      .detail("Version", version);
}

// Starts fetching `range` (assigned, or left of a fetch cut short): nothing of it may be
// here (the caller cleared it).
void start_fetch(StorageState& storage, const KeyRange& range) {
  std::erase_if(storage.fetches, [](const auto& entry) { return entry.second.done; });
  StorageState::Fetch& fetch = storage.fetches[range.begin];
  fetch = StorageState::Fetch{range, range.begin, {}, {}, false};
  fetch.actor = fetch_range(&storage, range);
}

// Applies a commit proxy's word that, from `version` on, the server holds `change.range`
// (and must fetch it) or no longer does.
void change_ownership(StorageState& storage, Version version, const ShardChange& change,
                      std::vector<Key>& watched) {
  TraceEvent("StorageShardChange")
      .id(storage.interface.id)
      .detail("Begin", printable(change.range.begin))
      .detail("End", printable(change.range.end))
      .detail("Owned", change.owned)
      .detail("Version", version);
  auto refetch = [&storage, version](const KeyRange& part) {
    apply_to_data(storage, version, Mutation{MutationType::clear_range, part.begin, part.end});
    start_fetch(storage, part);
  };
  if (change.owned) {
    for (const KeyRange& part : storage.owned.assign(change.range, version, change.sources))
      refetch(part);
  } else {
    // Fetches cut by the change stop; what is left of them starts again.
    for (auto it = storage.fetches.begin(); it != storage.fetches.end();) {
      if (!it->second.done && it->second.range.intersects(change.range)) {
        it = storage.fetches.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<KeyRange> left = storage.owned.remove(change.range);
    const Mutation clear{MutationType::clear_range, change.range.begin, change.range.end};
    apply_to_data(storage, version, clear);
    collect_watched_keys(storage, clear, watched);
    STRATA_PROBE(!left.empty(), "a storage server refetches what is left of a cut fetch");
    for (const KeyRange& part : left)
      refetch(part);
  }
  record_owned(storage, version);
}

bool listed(const StorageState& storage, const ServerDBInfo& info) {
  for (const StorageInterface& server : info.storage_servers) {
    if (server.id == storage.interface.id) return true;
  }
  return false;
}

// The generations of logs `info` names, newest first.
std::vector<const LogGeneration*> log_generations(const ServerDBInfo& info) {
  std::vector<const LogGeneration*> generations;
  if (!info.logs.logs.empty()) generations.push_back(&info.logs);
  for (const LogGeneration& old : info.old_logs)
    generations.push_back(&old);
  return generations;
}

// A new ServerDBInfo: versions applied from a generation that has since ended past its end
// were never committed. Each generation begins where the one before it ended, so the
// versions to keep are those up to the begin of the oldest generation newer than the one
// the server last peeked. (What the engine holds is always committed: it is persisted only
// up to the known committed version, which every later recovery version reaches.)
void roll_back_for(StorageState& storage, const ServerDBInfo& info) {
  if (!storage.peeked_epoch) return;
  Version keep = std::numeric_limits<Version>::max();
  for (const LogGeneration* generation : log_generations(info)) {
    if (generation->epoch > *storage.peeked_epoch) keep = std::min(keep, generation->begin);
  }
  if (keep >= storage.version->get()) return;
  STRATA_ASSERT_MSG(keep >= storage.data.durable_version(),
                    "a recovery version fell below what a storage server made durable");
  // Ranges and fetches are not versioned in memory: start again from the engine, which
  // holds nothing past the durable version.
  const bool fetching = std::any_of(storage.fetches.begin(), storage.fetches.end(),
                                    [](const auto& entry) { return !entry.second.done; });
  if (keep < storage.owned_changed_at || fetching) {
    STRATA_PROBE(true, "a rollback restarts a storage server whose ranges changed");
    TraceEvent("StorageRollbackRestarts")
        .id(storage.interface.id)
        .detail("To", keep)
        .detail("OwnedChangedAt", storage.owned_changed_at);
    throw Error(ErrorCode::please_reboot,
                "a rollback undoes a change to the ranges of storage server " +
                    storage.interface.id.short_string());
  }
  TraceEvent("StorageRollback")
      .id(storage.interface.id)
      .detail("From", storage.version->get())
      .detail("To", keep)
      .detail("PeekedEpoch", *storage.peeked_epoch)
      .detail("Epoch", info.epoch);
  storage.data.rollback_after(keep);
  storage.version = std::make_unique<NotifiedValue<Version>>(keep);
}

// Adds what the engine held at the start to the byte sample, a page at a time (the changes
// applied meanwhile are in it already, and take precedence).
Future<Void> build_byte_sample(StorageState* storage) {
  KeyRange left{Key(), metadata_prefix};
  while (!left.empty()) {
    RangeReadResult page = co_await storage->engine->read_range(left, 1000, 1 << 20, false);
    for (const KeyValue& row : page.rows) {
      // A key the data in memory knows was written (or cleared) since: keep what it says.
      if (storage->data.get(row.key, storage->version->get()).kind ==
          VersionedData::KeyState::Kind::unknown) {
        storage->sample.set(row.key, static_cast<int64_t>(row.value.size()));
      }
    }
    if (!page.more || page.rows.empty()) break;
    left.begin = single_key_range(page.rows.back().key).end;
    co_await yield();
  }
  storage->sample_complete = true;
}

// The newest version a persist may move the engine to: applied and known committed, and
// out of the MVCC window. The window trails the cluster's newest committed version, not
// the server's: no read version is older than that less the window, so a server catching
// up keeps none of the versions it passes through (a burst it takes in late would
// otherwise fill its memory with seconds of it).
Version persistable_version(const StorageState& storage) {
  const Version newest = std::max(storage.version->get(), storage.logs_committed_version);
  return std::min(newest - server_knobs().mvcc_window_versions, storage.known_committed_version);
}

// Pulls the server's tag from the logs: from the generation that holds the next version it
// needs (an old one while it catches up, then the current one), from any of that
// generation's logs, moving to another when one fails.
Future<Void> pull_from_logs(StorageState* storage) {
  size_t log_choice = static_cast<size_t>(storage->interface.tag);
  while (true) {
    const ServerDBInfo& info = storage->db_info->get();
    if (!listed(*storage, info)) {
      // Not part of the database (yet): it must not take or pop anything.
      co_await storage->db_info->on_change();
      continue;
    }
    if (info.id != storage->info_id) {
      roll_back_for(*storage, info);
      storage->info_id = info.id;
    }
    if (storage->data.bytes() > server_knobs().storage_hard_limit_bytes &&
        storage->data.durable_version() < persistable_version(*storage)) {
      // Full: wait for a persist (what it has not taken stays in the logs, whose queues the
      // ratekeeper always counts). Only while a persist can make room: what the MVCC window
      // holds cannot leave until newer versions come in.
      STRATA_PROBE(true, "a storage server past its hard limit waits for a persist");
      co_await first_ready(storage->durable.when_at_least(storage->data.durable_version() + 1),
                           storage->db_info->on_change());
      continue;
    }
    const Version wanted = storage->version->get() + 1;
    const LogGeneration* generation = nullptr;
    for (const LogGeneration* candidate : log_generations(info)) {
      if (candidate->holds(wanted)) generation = candidate;
    }
    if (!generation) {
      TraceEvent(Severity::warn_always, "StorageNoLogGeneration")
          .id(storage->interface.id)
          .detail("Wanted", wanted)
          .detail("Epoch", info.epoch);
      co_await storage->db_info->on_change();
      continue;
    }
    const uint64_t epoch = generation->epoch;
    const Version end = generation->end;
    LogInterface log = generation->logs[log_choice % generation->logs.size()];
    LogPeekReply reply;
    bool answered = false;
    try {
      reply = co_await log.peek.get_reply(LogPeekRequest{storage->interface.tag, wanted, {}});
      answered = true;
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
    }
    if (!answered) {
      ++log_choice;  // try another log of the generation
      co_await delay(server_knobs().role_retry_delay_s);
      continue;
    }
    if (storage->db_info->get().id != storage->info_id) continue;  // too late to use
    // An ended generation's logs may hold versions past its end that never committed.
    if (end != std::numeric_limits<Version>::max()) {
      while (!reply.versions.empty() && reply.versions.back().version > end)
        reply.versions.pop_back();
      reply.end = std::min(reply.end, end + 1);
      // Everything an ended generation holds up to its end is committed.
      reply.known_committed_version = reply.end - 1;
    }
    std::map<Key, std::optional<Value>> engine_values;
    std::vector<Key> atomic_keys = atomic_operation_keys(*storage, reply.versions);
    if (!atomic_keys.empty()) {
      Version before = storage->version->get();
      engine_values = co_await read_for_atomic_operations(storage, std::move(atomic_keys));
      // A rollback meanwhile may have undone versions the reply builds on: peek again.
      if (storage->db_info->get().id != storage->info_id || storage->version->get() != before) {
        continue;
      }
    }
    std::vector<Key> watched;
    for (const VersionedMutations& versioned : reply.versions) {
      if (versioned.version <= storage->version->get()) continue;
      for (const Mutation& mutation : versioned.mutations) {
        if (is_private_shard_mutation(mutation)) {
          change_ownership(*storage, versioned.version,
                           decode_shard_change(mutation, storage->interface.id), watched);
          continue;
        }
        for (const Mutation& ours : route_mutation(*storage, versioned.version, mutation)) {
          apply_mutation(*storage, versioned.version, ours, engine_values);
          collect_watched_keys(*storage, ours, watched);
        }
      }
    }
    storage->peeked_epoch = epoch;
    if (reply.end - 1 > storage->version->get()) storage->version->set(reply.end - 1);
    trigger_watches(*storage, watched);
    storage->known_committed_version =
        std::max(storage->known_committed_version,
                 std::min(reply.known_committed_version, storage->version->get()));
    storage->logs_committed_version =
        std::max(storage->logs_committed_version, reply.known_committed_version);
  }
}

std::string encode_version(Version version) {
  return serialize_to_bytes(version);
}

// Moves versions that left the window (and are known committed) into the engine.
Future<Void> persist_versions(StorageState* storage) {
  const ServerKnobs& knobs = server_knobs();
  // A persist cut short by storage_persist_bytes_max goes on at once: pausing between the
  // pieces would let the server fall ever further behind a steady write load.
  bool behind = false;
  while (true) {
    co_await delay(behind ? 0.0 : knobs.storage_persist_interval_s);
    behind = false;
    Version durable = storage->data.durable_version();
    Version desired = persistable_version(*storage);
    if (desired <= durable) continue;
    STRATA_PROBE(desired > storage->version->get() - knobs.mvcc_window_versions,
                 "a storage server catching up persists versions its own window would keep");
    auto batches = storage->data.mutations_between(durable, desired);
    // Bound the work of one engine commit.
    int64_t bytes = 0;
    for (size_t i = 0; i < batches.size(); ++i) {
      for (const Mutation& mutation : batches[i].second) {
        bytes += static_cast<int64_t>(mutation.param1.size() + mutation.param2.size());
      }
      if (bytes > knobs.storage_persist_bytes_max && i + 1 < batches.size()) {
        desired = batches[i].first;
        batches.resize(i + 1);
        behind = true;
        break;
      }
    }
    // Reads below `desired` must fail from now on: the engine is about to move past them.
    storage->oldest_version = std::max(storage->oldest_version, desired);
    ++storage->persists_started;
    storage->persisting.set(true);
    for (const auto& [version, mutations] : batches) {
      for (const Mutation& mutation : mutations) {
        if (mutation.type == MutationType::set_value) {
          storage->engine->set(mutation.param1, mutation.param2);
        } else {
          storage->engine->clear(KeyRange{mutation.param1, mutation.param2});
        }
      }
    }
    storage->engine->set(durable_version_key, encode_version(desired));
    co_await storage->engine->commit();
    storage->data.forget_up_to(desired);
    storage->durable.set(desired);
    if (RoleMetrics* metrics = RoleMetrics::of_this_process())
      metrics->set_storage_bytes(StorageServerBytes{storage->interface.id,
                                                    storage->sample.total_bytes(),
                                                    storage->engine->storage_bytes().used});
    storage->persisting.set(false);
    // The logs may now forget what is durable here.
    for (const LogGeneration* generation : log_generations(storage->db_info->get())) {
      for (const LogInterface& log : generation->logs)
        log.pop.send(LogPopRequest{storage->interface.tag, desired, {}});
    }
  }
}

Future<Void> handle_wait_readable(StorageState* storage, WaitReadableRequest request) {
  try {
    co_await wait_for_version(storage, std::max(request.version, storage->oldest_version));
    while (true) {
      Key next = request.range.begin;
      bool fetching = false;
      Version since = 0;
      for (const OwnedRange& owned : storage->owned.intersecting(request.range)) {
        if (owned.range.begin > next) break;
        next = owned.range.end;
        fetching = fetching || owned.fetching;
        since = std::max(since, owned.since);
      }
      if (next < request.range.end) throw wrong_shard(*storage, range_words(request.range));
      // Readable, and (when asked) durably so: a restart must not lose the fetched range
      // (its sources may drop it as soon as the move finishes).
      if (!fetching) {
        if (request.durable) co_await storage->durable.when_at_least(since);
        request.reply.send(since);
        co_return;
      }
      co_await storage->owned_changes.on_change();
    }
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    request.reply.send_error(error);
  }
}

Future<Void> handle_queue(StorageState* storage, StorageQueueRequest request) {
  StorageQueueReply reply;
  reply.version = storage->version->get();
  reply.durable_version = storage->data.durable_version();
  reply.queue_bytes = storage->data.bytes();
  reply.input_bytes = storage->input_bytes;
  reply.logs_committed_version = storage->logs_committed_version;
  request.reply.send(reply);
  co_return;
}

// Runs `handle(storage, request)` for every request of the stream, concurrently.
template <class Request>
Future<Void> serve_each(StorageState* storage, FutureStream<Request> requests,
                        Future<Void> (*handle)(StorageState*, Request)) {
  ActorCollection handlers;
  while (true)
    handlers.add(handle(storage, co_await requests));
}

// The engine a storage folder was created with, recorded beside its data.
Future<StorageEngine> engine_of_folder(const StorageServerOptions& options) {
  std::string path = options.directory + "/engine";
  if (std::optional<std::string> name = co_await read_file_if_exists(path, 64)) {
    co_return parse_storage_engine(*name);
  }
  if (!options.create) {
    throw Error(ErrorCode::storage_engine_not_initialized,
                "storage folder " + options.directory + " was never completely created");
  }
  co_await write_file_atomically(path, std::string(storage_engine_name(options.create->engine)));
  co_return options.create->engine;
}

}  // namespace

StorageInterface make_storage_interface(UID id, Tag tag) {
  StorageInterface interface;
  interface.id = id;
  interface.tag = tag;
  // Stable tokens: a storage server that restarts keeps its endpoints, so the shard map
  // and clients' caches stay good.
  interface.get_value = RequestStream<GetValueRequest>::serve_at(role_token(id, 1));
  interface.get_key_values = RequestStream<GetKeyValuesRequest>::serve_at(role_token(id, 2));
  interface.get_key = RequestStream<GetKeyRequest>::serve_at(role_token(id, 3));
  interface.watch_value = RequestStream<WatchValueRequest>::serve_at(role_token(id, 4));
  interface.range_stats = RequestStream<RangeStatsRequest>::serve_at(role_token(id, 5));
  interface.wait_readable = RequestStream<WaitReadableRequest>::serve_at(role_token(id, 6));
  interface.wait_failure = RequestStream<WaitFailureRequest>::serve_at(role_token(id, 7));
  interface.queue = RequestStream<StorageQueueRequest>::serve_at(role_token(id, 8));
  interface.address = interface.get_value.endpoint().address;
  return interface;
}

// One run of the server from its folder, until cancelled or until a rollback it cannot
// undo in memory (please_reboot). Its interface, made by the first run, serves every run.
Future<Void> run_storage_once(StorageServerOptions options,
                              std::shared_ptr<AsyncVar<ServerDBInfo>> db_info,
                              Promise<StorageStarted> started,
                              std::optional<StorageInterface>* made_interface) {
  StorageState storage;
  storage.options = options;
  storage.db_info = std::move(db_info);
  co_await env().create_directories(options.directory);
  StorageEngine engine = co_await engine_of_folder(options);
  storage.engine = co_await open_key_value_store(engine, options.directory + "/data");

  // Identity, shards and the durable version are created in one engine commit: a folder
  // without its identity was never completely created.
  StorageIdentity identity;
  Version durable = 0;
  if (std::optional<Value> stored = co_await storage.engine->read_value(identity_key)) {
    identity = deserialize_from_bytes<StorageIdentity>(*stored);
    std::optional<Value> owned = co_await storage.engine->read_value(owned_key);
    std::optional<Value> shards = co_await storage.engine->read_value(shards_key);
    std::optional<Value> version = co_await storage.engine->read_value(durable_version_key);
    if ((!owned && !shards) || !version) {
      throw Error(ErrorCode::file_corrupt, "storage folder " + options.directory +
                                               " holds an identity but no ranges or version");
    }
    if (owned) {
      storage.owned = OwnedRanges(deserialize_from_bytes<std::vector<OwnedRange>>(*owned));
    } else {
      std::vector<OwnedRange> ranges;
      for (const KeyRange& shard : deserialize_from_bytes<std::vector<KeyRange>>(*shards))
        ranges.push_back(OwnedRange{shard, false, 0, {}});
      storage.owned = OwnedRanges(ranges);
    }
    durable = deserialize_from_bytes<Version>(*version);
    // A fetch the server did not finish starts again from nothing.
    bool cleared = false;
    for (const OwnedRange& range : storage.owned.all()) {
      if (!range.fetching) continue;
      storage.engine->clear(range.range);
      cleared = true;
    }
    STRATA_PROBE(cleared, "a restarted storage server fetches an unfinished range again");
    if (cleared) co_await storage.engine->commit();
  } else if (options.create) {
    identity = StorageIdentity{options.id, options.create->tag, options.create->epoch};
    std::vector<OwnedRange> ranges;
    for (const KeyRange& shard : options.create->shards)
      ranges.push_back(OwnedRange{shard, false, 0, {}});
    storage.owned = OwnedRanges(ranges);
    storage.engine->set(identity_key, serialize_to_bytes(identity));
    storage.engine->set(owned_key, serialize_to_bytes(storage.owned.all()));
    STRATA_ASSERT_MSG(options.create->start_version == 0 || options.create->shards.empty(),
                      "a storage server added to a database starts with no shards");
    durable = options.create->start_version;
    storage.engine->set(durable_version_key, encode_version(durable));
    for (const KeyValue& row : options.create->initial_rows) {
      if (storage.owned.find(row.key)) storage.engine->set(row.key, row.value);
    }
    co_await storage.engine->commit();
  } else {
    throw Error(ErrorCode::storage_engine_not_initialized,
                "storage folder " + options.directory + " was never completely created");
  }
  STRATA_ASSERT_MSG(identity.id == options.id, "a storage folder holds another storage server");
  if (!*made_interface) *made_interface = make_storage_interface(identity.id, identity.tag);
  storage.interface = **made_interface;
  storage.durable.set(durable);
  storage.data = VersionedData(durable);
  storage.version = std::make_unique<NotifiedValue<Version>>(durable);
  storage.oldest_version = durable;
  TraceEvent("StorageServerStarted")
      .id(storage.interface.id)
      .detail("Tag", identity.tag)
      .detail("Epoch", identity.epoch)
      .detail("Engine", storage_engine_name(engine))
      .detail("DurableVersion", durable);

  const StorageInterface& interface = storage.interface;
  ActorCollection actors;
  actors.add(serve_each(&storage, interface.get_value.requests(), handle_get_value));
  actors.add(serve_each(&storage, interface.get_key_values.requests(), handle_get_key_values));
  actors.add(serve_each(&storage, interface.get_key.requests(), handle_get_key));
  actors.add(serve_each(&storage, interface.watch_value.requests(), handle_watch_value));
  actors.add(serve_each(&storage, interface.range_stats.requests(), handle_range_stats));
  actors.add(serve_each(&storage, interface.wait_readable.requests(), handle_wait_readable));
  actors.add(serve_each(&storage, interface.queue.requests(), handle_queue));
  actors.add(serve_wait_failure(interface.wait_failure.requests()));
  for (const OwnedRange& range : storage.owned.all()) {
    if (range.fetching) start_fetch(storage, range.range);  // its engine rows were cleared
  }
  actors.add(pull_from_logs(&storage));
  actors.add(persist_versions(&storage));
  actors.add(build_byte_sample(&storage));
  started.send(StorageStarted{interface, durable, identity.epoch});
  co_await actors.result();
}

Future<Void> run_storage_server(StorageServerOptions options,
                                std::shared_ptr<AsyncVar<ServerDBInfo>> db_info,
                                Promise<StorageStarted> started) {
  // Its figures leave the process's metrics when it ends, however it ends.
  struct ForgetBytes {
    UID id;
    ~ForgetBytes() {
      if (RoleMetrics* metrics = RoleMetrics::of_this_process()) metrics->forget_storage(id);
    }
  } forget_bytes{options.id};
  std::optional<StorageInterface> interface;
  while (true) {
    try {
      co_await run_storage_once(options, db_info, started, &interface);
      co_return;
    } catch (Error& error) {
      if (!error.is(ErrorCode::please_reboot)) throw;
      TraceEvent("StorageRestarting").id(options.id).detail("Reason", error.message());
    }
    options.create.reset();
    started = Promise<StorageStarted>();
  }
}

}  // namespace strata
