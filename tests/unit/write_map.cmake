# The client transaction: its argument checks and limits, its write map, and
# FoundationDB's atomic operations, and the tenant map's changes.
add_executable(client_unit_tests
  ${PROJECT_SOURCE_DIR}/src/client/atomic_ops_test.cpp
  ${PROJECT_SOURCE_DIR}/src/client/read_version_batcher_test.cpp
  ${PROJECT_SOURCE_DIR}/src/client/tenant_changes_test.cpp
  ${PROJECT_SOURCE_DIR}/src/client/transaction_test.cpp
  ${PROJECT_SOURCE_DIR}/src/client/tuple_test.cpp
  ${PROJECT_SOURCE_DIR}/src/client/write_map_test.cpp
)
target_link_libraries(client_unit_tests PRIVATE strata_client strata_runtime_sim GTest::gtest
                      GTest::gtest_main)
gtest_discover_tests(client_unit_tests DISCOVERY_TIMEOUT 60)
