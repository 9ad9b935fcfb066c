#include "client/consistency_check.h"

#include <optional>

#include "client/database_context.h"
#include "interfaces/shard_map.h"
#include "rpc/serialize.h"
#include "runtime/buggify.h"
#include "runtime/combinators.h"
#include "runtime/environment.h"
#include "runtime/trace.h"
#include "strata/transaction.h"

namespace strata {

namespace {

// Why a copy could not be read in full at the version.
struct ReadFailure {
  Error error;
};

// Every row of `range` on `server` at `version`, a page at a time.
Future<std::vector<KeyValue>> read_copy(StorageInterface server, KeyRange range, Version version,
                                        double timeout_s) {
  std::vector<KeyValue> rows;
  KeyRange left = range;
  while (true) {
    GetKeyValuesReply reply =
        co_await timeout_error(server.get_key_values.get_reply(
                                   GetKeyValuesRequest{left, version, 1000, 1 << 20, false, {}}),
                               timeout_s);
    for (KeyValue& row : reply.data)
      rows.push_back(std::move(row));
    if (!reply.more || reply.data.empty()) break;
    left.begin = rows.back().key + std::string(1, '\0');
  }
  co_return rows;
}

std::string describe(const StorageInterface& server) {
  return "server " + server.id.short_string() + " at " + server.address.to_string();
}

std::string describe(const KeyRange& range) {
  return "shard ['" + printable(range.begin) + "', '" + printable(range.end) + "')";
}

// The first difference between two copies, or "" when they agree.
std::string first_difference(const std::vector<KeyValue>& a, const std::vector<KeyValue>& b) {
  size_t i = 0;
  for (; i < a.size() && i < b.size(); ++i) {
    if (a[i].key != b[i].key) {
      const std::string& missing = std::min(a[i].key, b[i].key);
      return "key '" + printable(missing) + "' is on " +
             (a[i].key < b[i].key ? "the first" : "the second") + " copy only";
    }
    if (a[i].value != b[i].value) {
      return "key '" + printable(a[i].key) + "' holds '" + printable(a[i].value) +
             "' on the first copy and '" + printable(b[i].value) + "' on the second";
    }
  }
  if (i < a.size()) return "key '" + printable(a[i].key) + "' is on the first copy only";
  if (i < b.size()) return "key '" + printable(b[i].key) + "' is on the second copy only";
  return "";
}

// The shard map against the servers' own rows and the server list, at one version
// (shard_map_disagreements).
Future<std::vector<std::string>> map_disagreements(Database database) {
  co_return co_await database.run([](Transaction& tr) -> Future<std::vector<std::string>> {
    tr.set_read_system_keys();
    RangeResult boundaries = co_await tr.get_range(key_servers_prefix, key_servers_end);
    RangeResult server_keys = co_await tr.get_range(server_keys_prefix, server_keys_end);
    RangeResult list = co_await tr.get_range(server_list_prefix, server_list_end);
    std::vector<ShardMapEntry> map;
    for (size_t i = 0; i + 1 < boundaries.rows.size(); ++i) {
      Key begin = boundaries.rows[i].key.substr(key_servers_prefix.size());
      Key end = boundaries.rows[i + 1].key.substr(key_servers_prefix.size());
      map.push_back(
          ShardMapEntry{KeyRange{begin, end}, decode_shard_teams(boundaries.rows[i].value)});
    }
    std::vector<UID> listed;
    for (const KeyValue& row : list.rows)
      listed.push_back(deserialize_from_bytes<StorageServerRecord>(row.value).id);
    co_return shard_map_disagreements(map, server_keys.rows, listed);
  });
}

}  // namespace

Future<ConsistencyReport> check_consistency(Database database, double member_timeout_s) {
  ConsistencyReport report;
  for (std::string& disagreement : co_await map_disagreements(database))
    report.differences.push_back("shard map: " + std::move(disagreement));
  std::shared_ptr<DatabaseContext> context = database.context();
  Key next;
  while (next < all_keys_end) {
    ShardLocation shard = co_await context->current_shard(next);
    ++report.shards;
    // One version for every copy; a copy behind it is waited for, a version that left the
    // window while the copies were read is replaced by a newer one, and a shard that moved
    // between learning its team and taking the version is looked up again.
    for (int attempt = 0;; ++attempt) {
      Transaction transaction = database.create_transaction();
      Version version = co_await transaction.get_read_version();
      std::vector<std::optional<std::vector<KeyValue>>> copies;
      std::vector<std::string> unreachable;
      bool too_old = false;
      bool moved = false;
      for (const StorageInterface& server : shard.servers) {
        std::optional<Error> failure;
        for (int tries = 0; tries < 20; ++tries) {
          try {
            copies.push_back(co_await read_copy(server, shard.range, version, member_timeout_s));
            failure.reset();
            break;
          } catch (Error& error) {
            if (error.is_cancellation()) throw;
            failure = error;
          }
          if (!failure->is(ErrorCode::future_version)) break;
          co_await delay(0.1);
        }
        if (failure) {
          too_old = too_old || failure->is(ErrorCode::transaction_too_old);
          moved = moved || failure->is(ErrorCode::wrong_shard_server);
          copies.push_back(std::nullopt);
          unreachable.push_back(describe(server) + " for " + describe(shard.range) + ": " +
                                failure->message());
        }
      }
      if (too_old && attempt < 5) continue;
      if (moved && attempt < 5) {
        STRATA_PROBE(true, "the consistency check looks up a shard that moved again");
        shard = co_await context->current_shard(next);
        continue;
      }
      report.unreachable.insert(report.unreachable.end(), unreachable.begin(), unreachable.end());
      std::optional<size_t> first;
      for (size_t i = 0; i < copies.size(); ++i) {
        if (!copies[i]) continue;
        ++report.copies_compared;
        if (!first) {
          first = i;
          report.rows += static_cast<int64_t>(copies[i]->size());
          continue;
        }
        std::string difference = first_difference(*copies[*first], *copies[i]);
        if (!difference.empty()) {
          report.differences.push_back(describe(shard.range) + " at version " +
                                       std::to_string(version) + ", first copy " +
                                       describe(shard.servers[*first]) + ", second copy " +
                                       describe(shard.servers[i]) + ": " + difference);
        }
      }
      if (!first) {
        report.differences.push_back(describe(shard.range) +
                                     ": no copy could be read (every member of its team failed)");
      }
      break;
    }
    next = shard.range.end;
  }
  co_return report;
}

}  // namespace strata
