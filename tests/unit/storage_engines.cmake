# The storage engines: one conformance suite against memory and rocksdb on the real
# backend, the memory engine's snapshot and corruption handling, rocksdb refused in
# simulation.
add_executable(storage_engine_tests
  ${PROJECT_SOURCE_DIR}/src/server/storage/engines/key_value_store_test.cpp
)
target_link_libraries(storage_engine_tests PRIVATE strata_storage_engines strata_runtime_real
                      strata_runtime_sim GTest::gtest GTest::gtest_main)
gtest_discover_tests(storage_engine_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
