# The ordered map with a hash index behind the MVCC window, the memory engine and the
# resolver: compared with std::map under random changes.
add_executable(ordered_key_map_tests ${PROJECT_SOURCE_DIR}/src/server/ordered_key_map_test.cpp)
target_link_libraries(ordered_key_map_tests PRIVATE strata_runtime GTest::gtest GTest::gtest_main)
target_include_directories(ordered_key_map_tests PRIVATE ${PROJECT_SOURCE_DIR}/src)
gtest_discover_tests(ordered_key_map_tests DISCOVERY_TIMEOUT 60)
