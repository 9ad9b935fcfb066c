# The cluster status document, built from plain facts without a cluster, and the roles'
# figures that go into it.
add_executable(cluster_status_tests
  ${PROJECT_SOURCE_DIR}/src/server/cluster_controller/cluster_status_test.cpp
  ${PROJECT_SOURCE_DIR}/src/server/role_metrics_test.cpp
)
target_link_libraries(cluster_status_tests PRIVATE strata_server GTest::gtest GTest::gtest_main)
gtest_discover_tests(cluster_status_tests DISCOVERY_TIMEOUT 60)
