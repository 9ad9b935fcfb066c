// The peers this strata-bench was built without (their client libraries were not found
// when it was configured): asking for one says how to get it.

#include "tools/bench/peer_session.h"

namespace strata::bench {

namespace {

[[noreturn, maybe_unused]] void missing(const std::string& peer, const std::string& package) {
  throw PeerError("this strata-bench was built without " + peer + " support: install " + package +
                  " and build again (bench/compare does both)");
}

}  // namespace

#ifndef STRATA_BENCH_POSTGRES
std::unique_ptr<PeerSession> connect_postgres(const BenchOptions&) {
  missing("PostgreSQL", "libpq-dev");
}
#endif

#ifndef STRATA_BENCH_ETCD
std::unique_ptr<PeerSession> connect_etcd(const BenchOptions&) {
  missing("etcd", "libgrpc++-dev, libprotobuf-dev and protobuf-compiler-grpc");
}
#endif

#ifndef STRATA_BENCH_REDIS
std::unique_ptr<PeerSession> connect_redis(const BenchOptions&) {
  missing("Redis", "libhiredis-dev");
}
#endif

}  // namespace strata::bench
