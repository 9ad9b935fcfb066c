#include "layers/redis/server.h"

#include "layers/redis/client_connection.h"
#include "layers/redis/command_executor.h"
#include "layers/redis/command_lanes.h"
#include "layers/redis/key_store.h"
#include "layers/redis/pubsub_log.h"
#include "layers/redis/redis_knobs.h"
#include "runtime/combinators.h"
#include "runtime/trace.h"

namespace strata::redis {

namespace {

Future<Void> accept_clients(Instance& instance, std::shared_ptr<Listener> listener,
                            ActorCollection& clients) {
  while (true) {
    std::shared_ptr<Connection> connection = co_await listener->accept();
    clients.add(serve_client(instance, std::move(connection)));
  }
}

Future<Void> expire_continuously(Instance& instance) {
  while (true) {
    co_await delay(redis_knobs().expiry_interval_s);
    std::optional<Error> failure;
    try {
      // Keep going while whole batches come due.
      while (co_await expire_due_keys(instance) >= redis_knobs().expiry_batch_keys) {
      }
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (failure) TraceEvent(Severity::warn, "RedisExpiryFailed").error(*failure);
  }
}

}  // namespace

Future<int64_t> expire_due_keys(Instance& instance) {
  const Keyspace& keyspace = instance.keyspace();
  const int64_t deleted = co_await instance.database().run([&](Transaction& tr) -> Future<int64_t> {
    const int64_t now_ms = unix_time_ms();
    const TupleRange due = keyspace.expiry_due_range(now_ms);
    RangeResult entries =
        co_await tr.get_range(due.begin, due.end, redis_knobs().expiry_batch_keys);
    int64_t deleted = 0;
    for (const KeyValue& entry : entries.rows) {
      const Keyspace::ExpiryEntry parsed = keyspace.expiry_entry_of(entry.key);
      KeyStore store(tr, keyspace, parsed.db, now_ms);
      std::optional<Value> stored = co_await tr.get(keyspace.metadata_key(parsed.db, parsed.name));
      if (stored) {
        const Metadata metadata = decode_metadata(*stored);
        if (metadata.expire_at_ms == parsed.at_ms) {
          store.remove(parsed.name, metadata);
          ++deleted;
          continue;
        }
      }
      // An entry its key no longer has (written before a crash of an older layer, say).
      tr.clear(entry.key);
    }
    const auto lifetime_s = static_cast<int64_t>(redis_knobs().commit_marker_lifetime_s);
    const TupleRange old_markers = keyspace.commit_markers_before(now_ms / 1000 - lifetime_s);
    tr.clear_range(old_markers.begin, old_markers.end);
    co_return deleted;
  });
  instance.stats().expired_keys += deleted;
  co_return deleted;
}

Future<Void> run_redis_server(Instance& instance, std::shared_ptr<Listener> listener) {
  ActorCollection clients;
  Future<Void> accepting = accept_clients(instance, std::move(listener), clients);
  Future<Void> expiring = expire_continuously(instance);
  // Pub/sub: the registry's writer, the pump that delivers the log's messages, the
  // cleanup of old messages and dead instances (pubsub_log.h).
  Future<Void> registry = instance.pubsub().registry().run();
  Future<Void> pump = run_pubsub_pump(instance);
  Future<Void> pubsub_cleanup = run_pubsub_cleanup(instance);
  Future<Void> lanes = instance.lanes().run();
  co_await when_any(std::vector<Future<Void>>{accepting, expiring, registry, pump, pubsub_cleanup,
                                              lanes, clients.result()});
}

}  // namespace strata::redis
