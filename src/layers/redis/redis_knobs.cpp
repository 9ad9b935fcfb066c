#include "layers/redis/redis_knobs.h"

namespace strata::redis {

namespace {

void fill(KnobTable& table, RedisKnobs& knobs) {
#define STRATA_KNOB STRATA_KNOB_ENTRY
#include "layers/redis/redis_knobs.def"
#undef STRATA_KNOB
}

[[maybe_unused]] const RedisKnobs& registered = redis_knobs();

}  // namespace

RedisKnobs& redis_knobs() {
  return knob_instance<RedisKnobs>("redis", fill);
}

}  // namespace strata::redis
