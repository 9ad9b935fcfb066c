# The Redis layer: its protocol (requests, inline arguments, integers, replies), its keys,
# its metadata, its glob patterns and numbers, stream IDs.
add_executable(redis_tests ${PROJECT_SOURCE_DIR}/src/layers/redis/resp_test.cpp
                           ${PROJECT_SOURCE_DIR}/src/layers/redis/keyspace_test.cpp
                           ${PROJECT_SOURCE_DIR}/src/layers/redis/glob_test.cpp
                           ${PROJECT_SOURCE_DIR}/src/layers/redis/stream_id_test.cpp)
target_link_libraries(redis_tests PRIVATE strata_redis GTest::gtest GTest::gtest_main)
gtest_discover_tests(redis_tests DISCOVERY_TIMEOUT 60)
