#pragma once

#include <cstdint>

#include "runtime/knob_macros.h"

namespace strata::redis {

struct RedisKnobs {
#define STRATA_KNOB STRATA_KNOB_FIELD
#include "layers/redis/redis_knobs.def"
#undef STRATA_KNOB
};

RedisKnobs& redis_knobs();

}  // namespace strata::redis
