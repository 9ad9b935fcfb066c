#pragma once

// Teams of storage servers: every shard is held by `replication` servers in distinct zones.
// A new database gets one shard per storage server, and each server belongs to about
// `replication` teams, so that losing one server spreads the reads it served over several
// others instead of doubling the load on one.

#include <string>
#include <vector>

namespace strata {

// The team of each of `zones.size()` shards, as indexes of the servers (whose zones are
// `zones`): shard i's team starts with a server and takes the next ones, in an order that
// alternates zones, skipping zones the team already has. Throws no_more_servers, naming the
// zones, when fewer than `replication` distinct zones hold servers.
std::vector<std::vector<size_t>> initial_teams(const std::vector<std::string>& zones,
                                               int replication);

}  // namespace strata
