# The resolver's conflict set: hand-written cases and a comparison with a brute-force model.
add_executable(conflict_set_tests ${PROJECT_SOURCE_DIR}/src/server/resolver/conflict_set_test.cpp)
target_link_libraries(conflict_set_tests PRIVATE strata_conflict_set GTest::gtest GTest::gtest_main)
gtest_discover_tests(conflict_set_tests DISCOVERY_TIMEOUT 60)
