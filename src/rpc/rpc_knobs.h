#pragma once

#include <cstdint>

#include "runtime/knob_macros.h"

namespace strata {

struct RpcKnobs {
#define STRATA_KNOB STRATA_KNOB_FIELD
#include "rpc/rpc_knobs.def"
#undef STRATA_KNOB
};

RpcKnobs& rpc_knobs();

}  // namespace strata
