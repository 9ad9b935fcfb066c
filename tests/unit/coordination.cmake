# The coordinators in the simulator: the generation register, learning after a lost disk,
# forwarding, the leader lease; and the controller's recruitment and core state.
add_executable(coordination_tests
  ${PROJECT_SOURCE_DIR}/src/server/coordinator/coordination_test.cpp
  ${PROJECT_SOURCE_DIR}/src/server/cluster_controller/recruitment_test.cpp
)
target_link_libraries(coordination_tests PRIVATE strata_server strata_runtime_sim GTest::gtest
                      GTest::gtest_main)
gtest_discover_tests(coordination_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
