# The storage server's in-memory MVCC window.
add_executable(versioned_data_tests ${PROJECT_SOURCE_DIR}/src/server/storage/versioned_data_test.cpp
               ${PROJECT_SOURCE_DIR}/src/server/storage/range_clears_test.cpp)
target_link_libraries(versioned_data_tests PRIVATE strata_server GTest::gtest GTest::gtest_main)
gtest_discover_tests(versioned_data_tests DISCOVERY_TIMEOUT 60)
