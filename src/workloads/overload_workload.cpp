// overload: more writes than the storage servers' queues may hold, so that the ratekeeper
// must hold clients back. `writers` clients at default priority and `batch_writers` at
// batch priority each overwrite `keys_per_transaction` keys of `value_bytes` (of a key
// space of `keys`) as fast as they can; meanwhile every storage server's queue is polled
// directly, all servers in one round. The checks, once `settle_s` have passed:
// - the servers the ratekeeper counts stay within `storage_queue_max_bytes` (0: not
//   checked). It leaves out the servers of the worst `ignored_zones` zones (by queue), so
//   in each round those are left out here too;
// - every server, those left out included, stays within `any_queue_max_bytes` (0: not
//   checked), which the storage servers' hard limit bounds;
// - batch priority committed at most `batch_share_max` of what default priority did, and,
//   with `batch_held_first`, waited on average at least as long for its read versions
//   (it takes only what default priority leaves: when default writers are not held, batch
//   ones may commit nearly as much);
// - with `immediate_clients` reading at system-immediate priority (a read version and one
//   point read, again and again), those read versions are never held: where default
//   priority waited 50 ms or more on average, they waited at most half as long.

#include <algorithm>
#include <map>
#include <string>

#include "client/move_keys.h"
#include "interfaces/storage_interface.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class OverloadWorkload final : public Workload {
 public:
  explicit OverloadWorkload(Options& options)
      : writers_(options.get_int("writers", 8)),
        batch_writers_(options.get_int("batch_writers", 8)),
        keys_(options.get_int("keys", 400)),
        keys_per_transaction_(options.get_int("keys_per_transaction", 10)),
        value_bytes_(options.get_int("value_bytes", 2000)),
        settle_s_(options.get_double("settle_s", 5.0)),
        storage_queue_max_bytes_(options.get_int("storage_queue_max_bytes", 0)),
        any_queue_max_bytes_(options.get_int("any_queue_max_bytes", 0)),
        ignored_zones_(options.get_int("ignored_zones", 0)),
        batch_share_max_(options.get_double("batch_share_max", 1.0)),
        batch_held_first_(options.get_bool("batch_held_first", false)),
        immediate_clients_(options.get_int("immediate_clients", 0)) {}

  std::string name() const override { return "overload"; }

  Future<Void> start(WorkloadContext& context) override {
    Database database = context.database();
    started_at_ = now();
    end_time_ = now() + context.duration_s();
    std::vector<Future<Void>> running;
    running.push_back(watch_queues(database));
    running.push_back(run_clients(writers_, [this, database](int64_t i) {
      return write(database, ReadVersionPriority::normal, i, &committed_);
    }));
    running.push_back(run_clients(batch_writers_, [this, database](int64_t i) {
      return write(database, ReadVersionPriority::batch, i, &batch_committed_);
    }));
    running.push_back(run_clients(immediate_clients_, [this, database](int64_t) {
      return read_at_system_priority(database);
    }));
    co_await when_all(std::move(running));
  }

  Future<Void> check(WorkloadContext& context) override {
    if (committed_ == 0) context.fail(name(), "no default-priority transaction committed");
    if (storage_queue_max_bytes_ > 0 && worst_counted_queue_bytes_ > storage_queue_max_bytes_) {
      context.fail(name(), "the queue of a storage server the ratekeeper counts reached " +
                               std::to_string(worst_counted_queue_bytes_) + " bytes, past the " +
                               std::to_string(storage_queue_max_bytes_) + " allowed");
    }
    if (any_queue_max_bytes_ > 0 && worst_queue_bytes_ > any_queue_max_bytes_) {
      context.fail(name(), "a storage server's queue reached " +
                               std::to_string(worst_queue_bytes_) + " bytes, past the " +
                               std::to_string(any_queue_max_bytes_) + " allowed for any server");
    }
    if (queue_samples_ == 0) context.fail(name(), "no storage server's queue was ever measured");
    const double share = static_cast<double>(batch_committed_) /
                         static_cast<double>(std::max<uint64_t>(1, committed_));
    if (share > batch_share_max_) {
      context.fail(name(), "batch priority committed " + std::to_string(batch_committed_) +
                               " transactions to default priority's " + std::to_string(committed_) +
                               ": it got more than its share");
    }
    // Held first: a batch request waits for both budgets and for no default one to wait,
    // so on average it waits at least as long for its read version.
    const WaitSum& normal = waits_[ReadVersionPriority::normal];
    const WaitSum& batch = waits_[ReadVersionPriority::batch];
    if (batch_held_first_ && normal.count > 0 && batch.count > 0 && batch.mean() < normal.mean()) {
      context.fail(name(), "batch priority waited " + std::to_string(batch.mean()) +
                               " s on average for a read version, default priority " +
                               std::to_string(normal.mean()) + " s: it was not held first");
    }
    const WaitSum& immediate = waits_[ReadVersionPriority::immediate];
    if (immediate_clients_ > 0 && immediate.count == 0) {
      context.fail(name(), "no system-immediate read version was measured");
    }
    if (immediate.count > 0 && normal.count > 0 && normal.mean() >= 0.05 &&
        immediate.mean() > normal.mean() / 2) {
      context.fail(name(), "system-immediate priority waited " + std::to_string(immediate.mean()) +
                               " s on average for a read version, default priority " +
                               std::to_string(normal.mean()) + " s: it was held");
    }
    return ready();
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {
        {"committed", std::to_string(committed_)},
        {"batch_committed", std::to_string(batch_committed_)},
        {"worst_storage_queue_bytes", std::to_string(worst_queue_bytes_)},
        {"worst_counted_storage_queue_bytes", std::to_string(worst_counted_queue_bytes_)},
        {"read_version_wait_mean_s", std::to_string(waits_.at(ReadVersionPriority::normal).mean())},
        {"batch_read_version_wait_mean_s",
         std::to_string(waits_.at(ReadVersionPriority::batch).mean())},
        {"immediate_read_version_wait_mean_s",
         std::to_string(waits_.at(ReadVersionPriority::immediate).mean())},
        {"queue_samples", std::to_string(queue_samples_)}};
  }

 private:
  Future<Void> write(Database database, ReadVersionPriority priority, int64_t client,
                     uint64_t* committed) {
    Random& random = env().random();
    const std::string value(static_cast<size_t>(value_bytes_),
                            static_cast<char>('a' + client % 26));
    while (now() < end_time_) {
      co_await database.run([&](Transaction& tr) -> Future<Void> {
        tr.set_priority(priority);
        const double asked = now();
        co_await tr.get_read_version();
        if (now() - started_at_ >= settle_s_) waits_[priority].add(now() - asked);
        for (int64_t i = 0; i < keys_per_transaction_; ++i)
          tr.set("overload/" + std::to_string(random.uniform(0, keys_)), value);
        co_return;
      });
      ++*committed;
    }
  }

  // A read version at system-immediate priority and one point read, until the end.
  Future<Void> read_at_system_priority(Database database) {
    Random& random = env().random();
    while (now() < end_time_) {
      co_await database.run([&](Transaction& tr) -> Future<Void> {
        tr.set_priority(ReadVersionPriority::immediate);
        const double asked = now();
        co_await tr.get_read_version();
        if (now() - started_at_ >= settle_s_)
          waits_[ReadVersionPriority::immediate].add(now() - asked);
        co_await tr.get("overload/" + std::to_string(random.uniform(0, keys_)));
      });
    }
  }

  // Polls every storage server the database lists for its queue, as fast as the ratekeeper
  // does, and keeps the largest seen after the settling time: of all servers, and of those
  // outside the worst `ignored_zones` zones of their round.
  Future<Void> watch_queues(Database database) {
    std::vector<StorageServerRecord> servers;
    double listed_at = -1e9;
    while (now() < end_time_) {
      if (now() - listed_at > 2.0) {
        try {
          servers = co_await read_server_list(database);
          listed_at = now();
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
        }
      }
      std::vector<Future<std::optional<StorageQueueReply>>> asking;
      for (const StorageServerRecord& server : servers) {
        asking.push_back(timeout(storage_interface_at(server.id, server.tag, server.address)
                                     .queue.get_reply(StorageQueueRequest{}),
                                 1.0));
      }
      // Each zone's largest queue this round.
      std::map<std::string, int64_t> zones;
      for (size_t i = 0; i < asking.size(); ++i) {
        try {
          std::optional<StorageQueueReply> reply = co_await asking[i];
          if (!reply || now() - started_at_ < settle_s_) continue;
          ++queue_samples_;
          int64_t& zone = zones[servers[i].locality.zone];
          zone = std::max(zone, reply->queue_bytes);
          worst_queue_bytes_ = std::max(worst_queue_bytes_, reply->queue_bytes);
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
        }
      }
      std::vector<int64_t> ranked;
      for (const auto& [zone, bytes] : zones)
        ranked.push_back(bytes);
      std::sort(ranked.begin(), ranked.end(), std::greater<>());
      if (ranked.size() > static_cast<size_t>(ignored_zones_)) {
        worst_counted_queue_bytes_ =
            std::max(worst_counted_queue_bytes_, ranked[static_cast<size_t>(ignored_zones_)]);
      }
      co_await delay(0.05);
    }
  }

  const int64_t writers_;
  const int64_t batch_writers_;
  const int64_t keys_;
  const int64_t keys_per_transaction_;
  const int64_t value_bytes_;
  const double settle_s_;
  const int64_t storage_queue_max_bytes_;
  const int64_t any_queue_max_bytes_;
  const int64_t ignored_zones_;
  const double batch_share_max_;
  const bool batch_held_first_;
  const int64_t immediate_clients_;
  // Seconds waited for read versions after the settling time, by priority.
  struct WaitSum {
    double total = 0;
    uint64_t count = 0;
    void add(double seconds) {
      total += seconds;
      ++count;
    }
    double mean() const { return count == 0 ? 0 : total / static_cast<double>(count); }
  };
  std::map<ReadVersionPriority, WaitSum> waits_{{ReadVersionPriority::normal, {}},
                                                {ReadVersionPriority::batch, {}},
                                                {ReadVersionPriority::immediate, {}}};
  double started_at_ = 0;
  double end_time_ = 0;
  uint64_t committed_ = 0;
  uint64_t batch_committed_ = 0;
  int64_t worst_queue_bytes_ = 0;
  int64_t worst_counted_queue_bytes_ = 0;
  uint64_t queue_samples_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_overload_workload(Options& options) {
  return std::make_unique<OverloadWorkload>(options);
}

}  // namespace strata
