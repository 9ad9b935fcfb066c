#pragma once

// Moving the core state to a new set of coordinators (the shell's `coordinators`). The
// controller first checks that every new coordinator answers, then records the move in the
// core state of the old set (moving_to), writes the core state to the new set under a new
// connection string, and finally forwards the old coordinators to it. A controller that
// dies part way leaves moving_to recorded: the next one to read the core state finishes
// the move. Once forwarded, workers and clients follow the new connection string (and
// rewrite their cluster files), and a controller is elected among the new coordinators.

#include <vector>

#include "runtime/future.h"
#include "server/cluster_controller/controller_state.h"

namespace strata {

// Finishes a move recorded in `core` (its moving_to is set): writes the core state to the
// new coordinators and forwards the old ones.
Future<Void> finish_coordinators_move(ControllerState* state, CoreState core);

// Handles a `coordinators` request: answers it with the new connection string and fails
// with coordinators_changed once the move is done, or answers it with the reason the set
// was refused (and returns).
Future<Void> change_coordinators(ControllerState* state, ChangeCoordinatorsRequest request);

// `coordinators auto`: one live process per zone, as many as 5, 3 or 1 zones allow,
// keeping current coordinators where possible.
std::vector<NetworkAddress> choose_coordinators(const ControllerState& state);

}  // namespace strata
