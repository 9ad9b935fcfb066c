#pragma once

#include <cstdint>
#include <string>

#include "runtime/knob_macros.h"

namespace strata {

struct RuntimeKnobs {
#define STRATA_KNOB STRATA_KNOB_FIELD
#include "runtime/runtime_knobs.def"
#undef STRATA_KNOB
};

RuntimeKnobs& runtime_knobs();

}  // namespace strata
