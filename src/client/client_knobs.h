#pragma once

#include <cstdint>

#include "runtime/knob_macros.h"

namespace strata {

struct ClientKnobs {
#define STRATA_KNOB STRATA_KNOB_FIELD
#include "client/client_knobs.def"
#undef STRATA_KNOB
};

ClientKnobs& client_knobs();

}  // namespace strata
