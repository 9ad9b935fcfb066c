# The ratekeeper's arithmetic: limits from queues.
add_executable(ratekeeper_tests ${PROJECT_SOURCE_DIR}/src/server/ratekeeper/rate_plan_test.cpp)
target_link_libraries(ratekeeper_tests PRIVATE strata_server GTest::gtest GTest::gtest_main)
gtest_discover_tests(ratekeeper_tests DISCOVERY_TIMEOUT 60)
