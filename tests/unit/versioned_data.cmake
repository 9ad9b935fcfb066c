# The storage server's in-memory MVCC window, its byte sample and the ranges it holds.
add_executable(versioned_data_tests ${PROJECT_SOURCE_DIR}/src/server/storage/versioned_data_test.cpp
               ${PROJECT_SOURCE_DIR}/src/server/storage/range_clears_test.cpp
               ${PROJECT_SOURCE_DIR}/src/server/storage/byte_sample_test.cpp
               ${PROJECT_SOURCE_DIR}/src/server/storage/owned_ranges_test.cpp)
target_link_libraries(versioned_data_tests PRIVATE strata_server GTest::gtest GTest::gtest_main)
gtest_discover_tests(versioned_data_tests DISCOVERY_TIMEOUT 60)
