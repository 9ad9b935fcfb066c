// etcd through its gRPC KV API. Reads are linearizable Range calls; a transaction's writes
// go in one Txn whose comparisons check that every key it read still has the revision it
// read (etcd's optimistic transactions, as its STM does): if one changed, the Txn does not
// apply and the transaction runs again. So reads and writes are serializable, like
// Strata's. Scans take no comparisons (they read a snapshot of a range).

#include <map>
#include <string>

#include <grpcpp/grpcpp.h>

#include "runtime/real/threads.h"
#include "tools/bench/etcd_kv.grpc.pb.h"
#include "tools/bench/peer_session.h"

namespace strata::bench {

namespace {

using real::monotonic_seconds;

// How long connecting may take.
constexpr int64_t connect_timeout_s = 5;

// etcd's default limit on the operations of one Txn.
constexpr size_t max_txn_ops = 128;

class EtcdSession final : public PeerSession {
 public:
  explicit EtcdSession(const std::string& address) : address_(address) {
    split_host_port(address, "--etcd");
    grpc::ChannelArguments arguments;
    // A connection of its own for every session, as the other peers have.
    arguments.SetInt("grpc.use_local_subchannel_pool", 1);
    channel_ = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
    kv_ = etcdserverpb::KV::NewStub(channel_);
    etcdserverpb::RangeRequest probe;
    probe.set_key("bench/");
    probe.set_count_only(true);
    etcdserverpb::RangeResponse response;
    call("connecting", [&](grpc::ClientContext& context) {
      // gRPC's own clock: a peer that does not answer fails the run instead of hanging it.
      context.set_deadline(gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                        gpr_time_from_seconds(connect_timeout_s, GPR_TIMESPAN)));
      return kv_->Range(&context, probe, &response);
    });
  }

  void load(const std::vector<KeyValue>& rows) override {
    for (size_t first = 0; first < rows.size(); first += max_txn_ops) {
      etcdserverpb::TxnRequest request;
      for (size_t i = first; i < std::min(rows.size(), first + max_txn_ops); ++i)
        add_put(request, rows[i].key, rows[i].value);
      etcdserverpb::TxnResponse response;
      call("loading",
           [&](grpc::ClientContext& context) { return kv_->Txn(&context, request, &response); });
    }
  }

  bool run(const TransactionPlan& plan, bool measured, Timings& timings) override {
    std::map<std::string, int64_t> read_revisions;
    for (const Op& op : plan.ops) {
      if (op.kind == OpKind::write || op.kind == OpKind::insert) continue;
      etcdserverpb::RangeRequest request;
      request.set_key(op.key);
      if (op.kind == OpKind::scan) {
        request.set_range_end(op.end);
        request.set_limit(op.rows);
      }
      etcdserverpb::RangeResponse response;
      double started = monotonic_seconds();
      call("Range",
           [&](grpc::ClientContext& context) { return kv_->Range(&context, request, &response); });
      if (measured) {
        timings.read.add(monotonic_seconds() - started);
        if (op.kind == OpKind::scan)
          timings.rows_read += static_cast<uint64_t>(response.kvs_size());
      }
      if (op.kind != OpKind::scan) {
        // A missing key compares as revision 0.
        read_revisions[op.key] = response.kvs_size() > 0 ? response.kvs(0).mod_revision() : 0;
      }
    }
    if (!plan.writes()) return true;
    etcdserverpb::TxnRequest request;
    for (const auto& [key, revision] : read_revisions) {
      etcdserverpb::Compare* compare = request.add_compare();
      compare->set_key(key);
      compare->set_target(etcdserverpb::Compare::MOD);
      compare->set_result(etcdserverpb::Compare::EQUAL);
      compare->set_mod_revision(revision);
    }
    // etcd refuses a Txn that puts one key twice: the last write of a key wins.
    std::map<std::string, const std::string*> writes;
    for (const Op& op : plan.ops) {
      if (op.kind != OpKind::read && op.kind != OpKind::scan) writes[op.key] = &op.value;
    }
    for (const auto& [key, value] : writes)
      add_put(request, key, *value);
    etcdserverpb::TxnResponse response;
    double started = monotonic_seconds();
    call("Txn",
         [&](grpc::ClientContext& context) { return kv_->Txn(&context, request, &response); });
    if (!response.succeeded()) return false;
    if (measured) timings.commit.add(monotonic_seconds() - started);
    return true;
  }

 private:
  static void add_put(etcdserverpb::TxnRequest& request, const std::string& key,
                      const std::string& value) {
    etcdserverpb::PutRequest* put = request.add_success()->mutable_request_put();
    put->set_key(key);
    put->set_value(value);
  }

  template <class Call>
  void call(const char* what, Call body) {
    grpc::ClientContext context;
    grpc::Status status = body(context);
    if (!status.ok()) {
      throw PeerError(std::string("etcd at ") + address_ + " failed " + what + ": " +
                      status.error_message());
    }
  }

  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
  // The client of etcd's KV service (gRPC calls its generated clients "Stub").
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
};

}  // namespace

std::unique_ptr<PeerSession> connect_etcd(const BenchOptions& options) {
  return std::make_unique<EtcdSession>(options.etcd);
}

}  // namespace strata::bench
