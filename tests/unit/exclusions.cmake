# Excluded addresses: parsing, which processes an exclusion covers, the rows they live in.
add_executable(exclusions_tests ${PROJECT_SOURCE_DIR}/src/interfaces/exclusions_test.cpp)
target_link_libraries(exclusions_tests PRIVATE strata_interfaces GTest::gtest GTest::gtest_main)
gtest_discover_tests(exclusions_tests DISCOVERY_TIMEOUT 60)
