# The cluster status document, built from plain facts without a cluster.
add_executable(cluster_status_tests
  ${PROJECT_SOURCE_DIR}/src/server/cluster_controller/cluster_status_test.cpp
)
target_link_libraries(cluster_status_tests PRIVATE strata_server GTest::gtest GTest::gtest_main)
gtest_discover_tests(cluster_status_tests DISCOVERY_TIMEOUT 60)
