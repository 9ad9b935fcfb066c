#include "runtime/runtime_knobs.h"

namespace strata {

namespace {

void fill(KnobTable& table, RuntimeKnobs& knobs) {
#define STRATA_KNOB STRATA_KNOB_ENTRY
#include "runtime/runtime_knobs.def"
#undef STRATA_KNOB
}

// Registered at start-up so that --knob can set it before anything reads it.
[[maybe_unused]] const RuntimeKnobs& registered = runtime_knobs();

}  // namespace

RuntimeKnobs& runtime_knobs() {
  return knob_instance<RuntimeKnobs>("runtime", fill);
}

}  // namespace strata
