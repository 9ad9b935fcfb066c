#include "client/client_knobs.h"

namespace strata {

namespace {

void fill(KnobTable& table, ClientKnobs& knobs) {
#define STRATA_KNOB STRATA_KNOB_ENTRY
#include "client/client_knobs.def"
#undef STRATA_KNOB
}

[[maybe_unused]] const ClientKnobs& registered = client_knobs();

}  // namespace

ClientKnobs& client_knobs() {
  return knob_instance<ClientKnobs>("client", fill);
}

}  // namespace strata
