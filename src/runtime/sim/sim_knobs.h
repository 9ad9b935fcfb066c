#pragma once

#include <cstdint>

#include "runtime/knob_macros.h"

namespace strata::sim {

struct SimKnobs {
#define STRATA_KNOB STRATA_KNOB_FIELD
#include "runtime/sim/sim_knobs.def"
#undef STRATA_KNOB
};

SimKnobs& sim_knobs();

}  // namespace strata::sim
