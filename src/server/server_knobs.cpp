#include "server/server_knobs.h"

namespace strata {

namespace {

void fill(KnobTable& table, ServerKnobs& knobs) {
#define STRATA_KNOB STRATA_KNOB_ENTRY
#include "server/server_knobs.def"
#undef STRATA_KNOB
}

[[maybe_unused]] const ServerKnobs& registered = server_knobs();

}  // namespace

ServerKnobs& server_knobs() {
  return knob_instance<ServerKnobs>("server", fill);
}

}  // namespace strata
