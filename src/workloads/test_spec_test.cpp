#include "workloads/test_spec.h"

#include <gtest/gtest.h>

#include "runtime/error.h"
#include "workloads/workload.h"

namespace strata {
namespace {

TEST(TestSpecTest, ParsesSectionsAndOptions) {
  TestSpec spec = parse_test_spec("t", "fast",
                                  "# comment\n"
                                  "duration_s = 5\n"
                                  "\n"
                                  "[workload attrition]\n"
                                  "kills = 2\n"
                                  "[workload partitions]\n");
  EXPECT_EQ(spec.options.at("duration_s"), "5");
  ASSERT_EQ(spec.workloads.size(), 2u);
  EXPECT_EQ(spec.workloads[0].name, "attrition");
  EXPECT_EQ(spec.workloads[0].options.at("kills"), "2");
  EXPECT_EQ(spec.workloads[1].line, 6);
}

void expect_invalid(std::string_view text, std::string_view mentioned) {
  try {
    parse_test_spec("t", "fast", text);
    ADD_FAILURE() << "accepted: " << text;
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::test_specification_invalid);
    EXPECT_NE(error.detail().find(mentioned), std::string_view::npos) << error.message();
  }
}

TEST(TestSpecTest, ErrorsNameTheLine) {
  expect_invalid("a = 1\nnot a pair\n[workload x]\n", "line 2");
  expect_invalid("[workload x]\nk = 1\nk = 2\n", "given twice");
  expect_invalid("[other x]\n", "sections are");
  expect_invalid("a = 1\n", "no workload");
}

TEST(TestSpecTest, UnknownWorkloadsAndOptionsAreRejected) {
  WorkloadSpec unknown{"no_such_workload", {}, 3};
  EXPECT_THROW(create_workload(unknown), Error);
  WorkloadSpec typo{"attrition", {{"kils", "3"}}, 4};
  try {
    create_workload(typo);
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(error.detail().find("kils"), std::string_view::npos);
  }
}

TEST(TestSpecTest, EveryBuiltInSpecIsValid) {
  ASSERT_FALSE(builtin_test_specs().empty());
  for (const TestSpec& spec : builtin_test_specs()) {
    EXPECT_TRUE(spec.suite == "fast" || spec.suite == "slow") << spec.name;
    for (const WorkloadSpec& workload : spec.workloads) {
      EXPECT_NO_THROW(create_workload(workload)) << spec.name << ": " << workload.name;
    }
  }
}

}  // namespace
}  // namespace strata
