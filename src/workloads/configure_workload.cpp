// configure: changes the database configuration under load (the number of logs, commit
// and read-version proxies and resolvers, and with `redundancy_modes` the redundancy mode,
// one of those listed), each change taking effect through a recovery.
// Checks that every acknowledged change is the configuration the cluster reports when the
// next one starts and at the end, and that the cluster runs what it reports.

#include <nlohmann/json.hpp>

#include "client/database_context.h"
#include "client/management.h"
#include "interfaces/database_configuration.h"
#include "runtime/combinators.h"
#include "workloads/workload.h"

namespace strata {

namespace {

class ConfigureWorkload final : public Workload {
 public:
  explicit ConfigureWorkload(Options& options)
      : changes_(options.get_int("changes", 4)),
        logs_max_(options.get_int("logs_max", 3)),
        proxies_max_(options.get_int("proxies_max", 3)),
        resolvers_max_(options.get_int("resolvers_max", 3)) {
    std::string modes = options.get_string("redundancy_modes", "");
    for (size_t begin = 0; begin < modes.size();) {
      size_t end = modes.find(',', begin);
      if (end == std::string::npos) end = modes.size();
      if (end > begin) redundancy_modes_.push_back(modes.substr(begin, end - begin));
      begin = end + 1;
    }
  }

  std::string name() const override { return "configure"; }

  Future<Void> start(WorkloadContext& context) override {
    Random& random = env().random();
    const double started = now();
    const double interval = context.duration_s() / static_cast<double>(changes_ + 1);
    for (int64_t i = 0; i < changes_; ++i) {
      co_await delay(random.uniform_real(0.5, 1.5) * interval);
      std::vector<std::string> words = {
          "logs=" + std::to_string(random.uniform(1, logs_max_ + 1)),
          "commit_proxies=" + std::to_string(random.uniform(1, proxies_max_ + 1)),
          "grv_proxies=" + std::to_string(random.uniform(1, proxies_max_ + 1)),
          "resolvers=" + std::to_string(random.uniform(1, resolvers_max_ + 1))};
      if (!redundancy_modes_.empty()) words.push_back(random.pick(redundancy_modes_));
      // A change refused (the cluster looked too small while links were clogged) or
      // unanswered is tried again, as an operator would, while the test runs: the same
      // words, so whichever attempt lands leaves the same configuration.
      std::optional<std::string> recorded;
      while (!recorded) {
        std::optional<Error> failure;
        try {
          recorded = co_await timeout_error(configure_database(context.database(), words), 30.0);
        } catch (Error& error) {
          if (error.is_cancellation()) throw;
          failure = error;
        }
        if (recorded) break;
        // A controller that fails mid-change: the change may or may not be recorded.
        TraceEvent(Severity::warn, "ConfigureUnanswered").error(*failure);
        uncertain_ = true;
        if (now() - started > context.duration_s()) break;
        co_await delay(random.uniform_real(1.0, 3.0));
      }
      if (!recorded) continue;
      TraceEvent("ConfigureChanged").detail("Configuration", *recorded);
      last_ = recorded;
      uncertain_ = false;
      ++done_;
    }
  }

  Future<Void> check(WorkloadContext& context) override {
    if (!last_ || uncertain_) co_return;
    // The last acknowledged configuration is the one the cluster reports, and runs.
    std::string document = co_await context.database().context()->cluster_status();
    nlohmann::json status = nlohmann::json::parse(document, nullptr, false);
    const nlohmann::json& configuration = status["cluster"]["configuration"];
    std::string reported = configuration["redundancy_mode"].get<std::string>() +
                           " logs=" + configuration["logs"].dump() +
                           " commit_proxies=" + configuration["commit_proxies"].dump() +
                           " grv_proxies=" + configuration["grv_proxies"].dump() +
                           " resolvers=" + configuration["resolvers"].dump() +
                           " storage_engine=" + configuration["storage_engine"].get<std::string>();
    if (reported != *last_) {
      context.fail(name(), "the cluster reports the configuration '" + reported +
                               "', but the last change acknowledged was '" + *last_ + "'");
    }
    // At least one log per copy.
    const std::string mode = configuration["redundancy_mode"].get<std::string>();
    const auto copies = static_cast<size_t>(std::max(1, replication_of_mode(mode)));
    const nlohmann::json& logs = status["cluster"]["logs"];
    if (!logs.is_array() || logs.empty() ||
        logs[0]["log_servers"].size() != std::max(copies, configuration["logs"].get<size_t>())) {
      context.fail(name(), "the current generation does not run the configured number of logs: " +
                               logs.dump());
    }
  }

  std::vector<std::pair<std::string, std::string>> metrics() const override {
    return {{"changes", std::to_string(done_)}};
  }

 private:
  const int64_t changes_;
  const int64_t logs_max_;
  const int64_t proxies_max_;
  const int64_t resolvers_max_;
  std::vector<std::string> redundancy_modes_;
  std::optional<std::string> last_;
  bool uncertain_ = false;
  uint64_t done_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_configure_workload(Options& options) {
  return std::make_unique<ConfigureWorkload>(options);
}

}  // namespace strata
