#include "rpc/rpc_knobs.h"

namespace strata {

namespace {

void fill(KnobTable& table, RpcKnobs& knobs) {
#define STRATA_KNOB STRATA_KNOB_ENTRY
#include "rpc/rpc_knobs.def"
#undef STRATA_KNOB
}

[[maybe_unused]] const RpcKnobs& registered = rpc_knobs();

}  // namespace

RpcKnobs& rpc_knobs() {
  return knob_instance<RpcKnobs>("rpc", fill);
}

}  // namespace strata
