// shard_moves: moves random ranges of keys (ones that split and join shards, the system keys
// included) to random teams under load (with the data distributor switched off), through
// client/move_keys.h. Every move keeps the number of copies the range had, in distinct
// zones. A move that finishes must leave the range on its new team alone; one whose
// destination cannot fetch in time (a server down) is abandoned, as the distributor would,
// and a later move of the range replaces it. At the end the shard map must cover the key
// space with teams of known servers (the consistency check then compares the copies).

#include <algorithm>
#include <map>
#include <set>

#include "client/move_keys.h"
#include "runtime/trace.h"
#include "strata/transaction.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class ShardMovesWorkload final : public Workload {
 public:
  explicit ShardMovesWorkload(Options& options)
      : interval_s_(options.get_double("interval_s", 2.0)),
        readable_timeout_s_(options.get_double("readable_timeout_s", 20.0)) {}

  std::string name() const override { return "shard_moves"; }

  // This workload is the one mover: the data distributor stands aside.
  Future<Void> setup(WorkloadContext& context) override {
    co_await context.database().run([](Transaction& tr) -> Future<Void> {
      tr.set_access_system_keys();
      tr.set(data_distribution_mode_key, "0");
      co_return;
    });
  }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    Database database = context.database();
    const UID owner = random.unique_id();
    co_await take_move_keys_lock(database, owner);
    const double end = now() + context.duration_s();
    while (now() < end) {
      co_await delay(random.uniform_real(0.5, 1.5) * interval_s_);
      const KeyRange range = random_range(random);
      std::vector<ShardMapEntry> current = co_await read_shard_map(database, range);
      const size_t copies = current.front().teams.src.size();
      std::vector<StorageServerRecord> servers = co_await read_server_list(database);
      std::vector<UID> dest = random_team(random, servers, copies);
      if (dest.size() < copies) continue;  // too few zones for now
      TraceEvent("ShardMoveStarting")
          .detail("Begin", printable(range.begin))
          .detail("End", printable(range.end))
          .detail("Copies", copies);
      std::optional<Error> failure;
      try {
        co_await move_keys(database, range, dest, owner, readable_timeout_s_);
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
        failure = error;
      }
      if (failure) {
        if (failure->is(ErrorCode::timed_out)) {
          ++abandoned_;
          continue;
        }
        context.fail(name(), "moving ['" + printable(range.begin) + "', '" + printable(range.end) +
                                 "') failed: " + failure->message());
        co_return;
      }
      ++moves_;
      std::vector<ShardMapEntry> after = co_await read_shard_map(database, range);
      std::sort(dest.begin(), dest.end());
      std::vector<UID> src = after.front().teams.src;
      std::sort(src.begin(), src.end());
      if (after.size() != 1 || after.front().range != range || src != dest ||
          !after.front().teams.dest.empty()) {
        context.fail(name(), "after moving ['" + printable(range.begin) + "', '" +
                                 printable(range.end) + "'), the map does not show it on its team");
        co_return;
      }
    }
  }

  Future<Void> check(WorkloadContext& context) override {
    Database database = context.database();
    std::vector<ShardMapEntry> map =
        co_await read_shard_map(database, KeyRange{Key(), all_keys_end});
    std::vector<StorageServerRecord> servers = co_await read_server_list(database);
    std::set<UID> known;
    for (const StorageServerRecord& server : servers)
      known.insert(server.id);
    Key next;
    for (const ShardMapEntry& entry : map) {
      if (entry.range.begin != next) context.fail(name(), "the shard map leaves a gap");
      next = entry.range.end;
      for (const UID& id : entry.teams.all()) {
        if (!known.count(id)) context.fail(name(), "the shard map names an unlisted server");
      }
    }
    if (next != all_keys_end) context.fail(name(), "the shard map stops short");
    shards_ = static_cast<int64_t>(map.size());
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"moves", std::to_string(moves_)},
            {"moves_abandoned", std::to_string(abandoned_)},
            {"shards_at_end", std::to_string(shards_)}};
  }

 private:
  // Boundaries among the load workloads' keys, the system keys and the ends of the space.
  static KeyRange random_range(Random& random) {
    static const std::vector<Key> candidates = {
        Key(),
        "bank/",
        "bank/00000003",
        "bank/0000001",
        "cycle/",
        "cycle/0000001",
        "cycle/00000015",
        "cycle/0000003",
        "m",
        "model/",
        "\x80",
        system_keys_begin,
        key_servers_prefix,
        server_keys_prefix,
        "\xff/z",
    };
    while (true) {
      Key a = random.pick(candidates);
      Key b = random.coinflip() ? all_keys_end : random.pick(candidates);
      if (a > b) std::swap(a, b);
      if (a < b) return KeyRange{a, b};
    }
  }

  // `copies` random servers in distinct zones (fewer when there are not enough zones).
  static std::vector<UID> random_team(Random& random,
                                      const std::vector<StorageServerRecord>& servers,
                                      size_t copies) {
    std::vector<StorageServerRecord> shuffled = servers;
    for (size_t i = shuffled.size(); i > 1; --i)
      std::swap(shuffled[i - 1],
                shuffled[static_cast<size_t>(random.uniform(0, static_cast<int64_t>(i)))]);
    std::vector<UID> team;
    std::set<std::string> zones;
    for (const StorageServerRecord& server : shuffled) {
      if (team.size() == copies) break;
      const std::string& zone = server.locality.zone;
      if (!zone.empty() && !zones.insert(zone).second) continue;
      team.push_back(server.id);
    }
    return team;
  }

  const double interval_s_;
  const double readable_timeout_s_;
  int64_t moves_ = 0;
  int64_t abandoned_ = 0;
  int64_t shards_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_shard_moves_workload(Options& options) {
  return std::make_unique<ShardMovesWorkload>(options);
}

}  // namespace strata
