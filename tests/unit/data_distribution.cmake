# The data distributor's decisions about shard sizes: splits, merges and balance.
add_executable(data_distribution_tests
               ${PROJECT_SOURCE_DIR}/src/server/data_distributor/size_plan_test.cpp)
target_link_libraries(data_distribution_tests PRIVATE strata_server GTest::gtest GTest::gtest_main)
gtest_discover_tests(data_distribution_tests DISCOVERY_TIMEOUT 60)
