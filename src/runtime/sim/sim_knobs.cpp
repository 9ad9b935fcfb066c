#include "runtime/sim/sim_knobs.h"

namespace strata::sim {

namespace {

void fill(KnobTable& table, SimKnobs& knobs) {
#define STRATA_KNOB STRATA_KNOB_ENTRY
#include "runtime/sim/sim_knobs.def"
#undef STRATA_KNOB
}

[[maybe_unused]] const SimKnobs& registered = sim_knobs();

}  // namespace

SimKnobs& sim_knobs() {
  return knob_instance<SimKnobs>("sim", fill);
}

}  // namespace strata::sim
