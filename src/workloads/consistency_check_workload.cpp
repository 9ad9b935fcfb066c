// consistency_check: after the faults, every copy of every shard must hold the same keys and
// values at the same version (client/consistency_check.h). Copies that do not answer (a
// process lost for good) are counted, and fail the run only with require_every_copy; a
// shard no copy answers for always fails it.

#include "client/consistency_check.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class ConsistencyCheckWorkload final : public Workload {
 public:
  explicit ConsistencyCheckWorkload(Options& options)
      : require_every_copy_(options.get_bool("require_every_copy", false)),
        member_timeout_s_(options.get_double("member_timeout_s", 5.0)) {}

  std::string name() const override { return "consistency_check"; }

  Future<Void> start(WorkloadContext& context) override { return ready(); }

  Future<Void> check(WorkloadContext& context) override {
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
