# The shard map over \xff/keyServers/: hand-written cases and a comparison with a per-key model.
add_executable(shard_map_tests ${PROJECT_SOURCE_DIR}/src/interfaces/shard_map_test.cpp)
target_link_libraries(shard_map_tests PRIVATE strata_interfaces GTest::gtest GTest::gtest_main)
gtest_discover_tests(shard_map_tests DISCOVERY_TIMEOUT 60)
