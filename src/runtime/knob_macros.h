#pragma once

// Turns a library's knob .def file into its struct (STRATA_KNOB_FIELD) and the entries
// of its registered table (STRATA_KNOB_ENTRY); runtime_knobs.h and runtime_knobs.cpp show
// the pattern every library follows. The .def lines are
// STRATA_KNOB(type, name, default, simulated expression), where the expression (which may
// contain commas) may use `random` (a Random&) and `value` (the default).

#include "runtime/knobs.h"

#define STRATA_KNOB_FIELD(type, name, default_value, ...) type name = default_value;

#define STRATA_KNOB_ENTRY(type, name, default_value, ...)                                     \
  table.add<type>(#name, &knobs.name, default_value, [](Random& random, type value) -> type { \
    (void)random;                                                                             \
    (void)value;                                                                              \
    return __VA_ARGS__;                                                                       \
  });
