#pragma once

#include <cstdint>

#include "runtime/knob_macros.h"

namespace strata {

struct ServerKnobs {
#define STRATA_KNOB STRATA_KNOB_FIELD
#include "server/server_knobs.def"
#undef STRATA_KNOB
};

ServerKnobs& server_knobs();

}  // namespace strata
