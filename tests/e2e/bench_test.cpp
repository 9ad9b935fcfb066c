// strata-bench against a real strata-server: every workload runs, commits what it says and
// writes its report; errors name what went wrong.

#include <csignal>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "child_process.h"

namespace strata {
namespace {

using testing::ChildProcess;
using testing::TemporaryDirectory;

constexpr double hang_guard_s = 300;

class BenchTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = testing::start_single_server(directory_.path(), hang_guard_s); }

  // Runs strata-bench with `arguments`; its exit status, its output in `output`.
  int bench(std::vector<std::string> arguments, std::string* output) {
    ChildProcess bench(STRATA_BENCH_PATH, arguments, directory_.path());
    std::optional<int> status = bench.wait(hang_guard_s);
    *output = bench.transcript();
    return status.value_or(-1);
  }

  std::string read_file(const std::string& name) {
    std::ifstream file(directory_.path() + "/" + name);
    std::stringstream contents;
    contents << file.rdbuf();
    return contents.str();
  }

  // The number after "name": in a JSON text (the first one), or -1.
  static double json_number(const std::string& json, const std::string& name) {
    std::smatch match;
    std::regex pattern("\"" + name + "\":(-?[0-9.eE+-]+)");
    if (!std::regex_search(json, match, pattern)) return -1;
    return std::stod(match[1]);
  }

  TemporaryDirectory directory_;
  std::unique_ptr<ChildProcess> server_;
};

TEST_F(BenchTest, EveryWorkloadRunsAndReports) {
  for (const char* workload : {"reads", "writes", "writes10", "mixed90", "range", "ycsb-a",
                               "ycsb-b", "ycsb-c", "ycsb-d", "ycsb-e", "ycsb-f", "tpcc"}) {
    SCOPED_TRACE(workload);
    std::string report = std::string(workload) + ".json";
    std::string output;
    int status = bench({"--workload", workload, "--cluster-file", "strata.cluster", "--keys",
                        "2000", "--range-rows", "100", "--warehouses", "1", "--duration", "1",
                        "--warmup", "0", "--in-flight", "8", "--json", report},
                       &output);
    ASSERT_EQ(status, 0) << output;
    EXPECT_NE(output.find("loaded"), std::string::npos) << output;
    EXPECT_NE(output.find("transactions/s"), std::string::npos) << output;
    std::string json = read_file(report);
    EXPECT_GT(json_number(json, "ops_per_sec"), 0) << json;
    EXPECT_GT(json_number(json, "transactions_per_sec"), 0) << json;
    // latency_ms holds the transaction's percentiles first.
    size_t latency = json.find("\"latency_ms\":{");
    ASSERT_NE(latency, std::string::npos) << json;
    EXPECT_GT(json_number(json.substr(latency), "p50"), 0) << json;
    EXPECT_GE(json_number(json.substr(latency), "p99"), json_number(json.substr(latency), "p50"));
    if (std::string(workload) == "range") {
      // Every range read returns its 100 rows.
      EXPECT_EQ(json_number(json, "rows_read_per_sec"), 100 * json_number(json, "ops_per_sec"))
          << json;
    }
  }
}

TEST_F(BenchTest, RateLimitHoldsTheRate) {
  std::string output;
  ASSERT_EQ(bench({"--workload", "writes", "--cluster-file", "strata.cluster", "--keys", "100",
                   "--duration", "2", "--warmup", "0", "--rate", "50", "--json", "rate.json"},
                  &output),
            0)
      << output;
  double rate = json_number(read_file("rate.json"), "transactions_per_sec");
  EXPECT_GT(rate, 0);
  EXPECT_LE(rate, 55) << "at most 50 per second were allowed";
}

TEST_F(BenchTest, ErrorsNameWhatIsWrong) {
  std::string output;
  EXPECT_EQ(bench({"--workload", "nonsense"}, &output), 2);
  EXPECT_NE(output.find("--workload takes one of"), std::string::npos) << output;
  EXPECT_EQ(bench({"--workload", "reads", "--cluster-file", "missing.cluster"}, &output), 1);
  EXPECT_NE(output.find("missing.cluster"), std::string::npos) << output;
  // A peer that is not there (or a strata-bench built without it) says which.
  int closed = testing::free_loopback_port();
  EXPECT_EQ(bench({"--workload", "reads", "--target", "redis", "--redis",
                   "127.0.0.1:" + std::to_string(closed)},
                  &output),
            1);
  EXPECT_NE(output.find("Redis"), std::string::npos) << output;
  EXPECT_EQ(bench({"--workload", "reads", "--target", "postgres", "--postgres",
                   "host=127.0.0.1 port=" + std::to_string(closed) + " connect_timeout=5"},
                  &output),
            1);
  EXPECT_NE(output.find("PostgreSQL"), std::string::npos) << output;
}

}  // namespace
}  // namespace strata
