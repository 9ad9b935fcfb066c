// consistency_check: after the faults, every copy of every shard must hold the same keys and
// values at the same version (client/consistency_check.h). Copies that do not answer (a
// process lost for good) are counted, and fail the run only with require_every_copy; a
// shard no copy answers for always fails it. With `copies`, it first waits (up to
// `settle_s`) for every shard to be held by that many live servers, as status shows, and
// fails the run if that never happens or the check compares any other count. Shards may
// still be moving between full teams: evening out servers of many small shards can take
// longer than the wait, and the check reads each shard where its reads go.

#include <nlohmann/json.hpp>

#include "client/consistency_check.h"
#include "client/database_context.h"
#include "runtime/combinators.h"
#include "workloads/cluster_faults.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class ConsistencyCheckWorkload final : public Workload {
 public:
  explicit ConsistencyCheckWorkload(Options& options)
      : require_every_copy_(options.get_bool("require_every_copy", false)),
        member_timeout_s_(options.get_double("member_timeout_s", 5.0)),
        wanted_copies_(options.get_int("copies", 0)),
        settle_s_(options.get_double("settle_s", 180.0)) {}

  std::string name() const override { return "consistency_check"; }

  Future<Void> start(WorkloadContext& context) override { return ready(); }

  Future<Void> check(WorkloadContext& context) override {
    if (wanted_copies_ > 0 && !co_await settled_at_copies(context)) {
      context.fail(name(), "the shards did not all reach " + std::to_string(wanted_copies_) +
                               " live copies within " + std::to_string(settle_s_) + " s");
    }
    ConsistencyReport report = co_await check_consistency(context.database(), member_timeout_s_);
    shards_ = report.shards;
    copies_ = report.copies_compared;
    rows_ = report.rows;
    unreachable_ = static_cast<int>(report.unreachable.size());
    for (const std::string& difference : report.differences)
      context.fail(name(), difference);
    if (require_every_copy_) {
      for (const std::string& missing : report.unreachable)
        context.fail(name(), "a copy did not answer: " + missing);
    }
    if (wanted_copies_ > 0 && report.copies_compared != report.shards * wanted_copies_) {
      context.fail(name(), "compared " + std::to_string(report.copies_compared) + " copies of " +
                               std::to_string(report.shards) + " shards, not " +
                               std::to_string(wanted_copies_) + " of each");
    }
  }

  // Whether status shows every shard held by `wanted_copies_` live servers.
  Future<bool> settled_at_copies(WorkloadContext& context) {
    const double deadline = now() + settle_s_;
    while (now() < deadline) {
      std::optional<std::string> document;
      try {
        document = co_await timeout_error(context.database().context()->cluster_status(), 10.0);
      } catch (Error& error) {
        if (error.is_cancellation()) throw;
      }
      if (document) {
        nlohmann::json status = nlohmann::json::parse(*document, nullptr, false);
        if (teams_at_copies(status["cluster"], static_cast<size_t>(wanted_copies_), true,
                            /*moves_allowed=*/true)) {
          co_return true;
        }
      }
      co_await delay(1.0);
    }
    co_return false;
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"shards", std::to_string(shards_)},
            {"copies_compared", std::to_string(copies_)},
            {"rows", std::to_string(rows_)},
            {"copies_unreachable", std::to_string(unreachable_)}};
  }

 private:
  const bool require_every_copy_;
  const double member_timeout_s_;
  const int64_t wanted_copies_;
  const double settle_s_;
  int shards_ = 0;
  int copies_ = 0;
  int64_t rows_ = 0;
  int unreachable_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_consistency_check_workload(Options& options) {
  return std::make_unique<ConsistencyCheckWorkload>(options);
}

}  // namespace strata
