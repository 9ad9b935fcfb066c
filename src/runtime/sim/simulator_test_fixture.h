#pragma once

// A GoogleTest fixture for tests that run a simulator: knobs start at their defaults, and
// once the simulator is destroyed every actor the test started must be gone (a leak of
// actors is a leak of everything they hold).

#include <cstdint>
#include <memory>

#include <gtest/gtest.h>

#include "runtime/future.h"
#include "runtime/knobs.h"
#include "runtime/sim/simulator.h"

namespace strata {

class SimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reset_all_knobs();
    actors_before_ = ActorBase::live_actors();
  }
  void TearDown() override {
    simulator_.reset();
    reset_all_knobs();
    EXPECT_EQ(ActorBase::live_actors(), actors_before_);
  }

  std::unique_ptr<sim::Simulator> simulator_;

 private:
  int64_t actors_before_ = 0;
};

}  // namespace strata
