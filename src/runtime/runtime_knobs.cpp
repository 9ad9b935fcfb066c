#include "runtime/runtime_knobs.h"

namespace strata {

RuntimeKnobs& runtime_knobs() {
  static RuntimeKnobs knobs;
  return knobs;
}

namespace {

KnobTable* build_table() {
  static KnobTable table("runtime");
  RuntimeKnobs& knobs = runtime_knobs();
#define STRATA_KNOB STRATA_KNOB_ENTRY
#include "runtime/runtime_knobs.def"
#undef STRATA_KNOB
  register_knob_table(&table);
  return &table;
}

[[maybe_unused]] KnobTable* const registered = build_table();

}  // namespace

}  // namespace strata
