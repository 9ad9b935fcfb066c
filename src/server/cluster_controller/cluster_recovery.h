#pragma once

// Recovery: ending the current generation of the transaction system and starting a new
// one, one function per phase, each checking what the one before handed it.
//
//  1. reading_coordinated_state: read the core state from a majority of the coordinators
//     (and finish a coordinators change a previous controller left half done).
//  2. locking_coordinated_state: claim a new epoch in the core state. Every attempt claims
//     its own, so a failed attempt's roles can never be mistaken for a later one's, and a
//     controller that lost the race can no longer write.
//  3. configuration_never_created (a new cluster only): wait for its first workers (those
//     whose folders hold another database are refused and do not count).
//  4. locking_old_transaction_servers: lock the logs of the last generation (at least one
//     must answer; each holds every acknowledged commit, since a commit is acknowledged
//     only once durable on all of them) and take the smallest end among them as the
//     recovery version: no acknowledged commit is above it, and everything up to it is on
//     every locked log.
//  5. recruiting_transaction_servers: new logs (holding the versions after the recovery
//     version), a sequencer, resolvers and proxies on the live workers that fit best; for
//     a new database, its storage servers.
//  6. writing_coordinated_state: record the new generation, with the locked logs of the
//     last one as an old generation ending at the recovery version.
//  7. accepting_commits: publish the generation; storage servers drop what they applied
//     past the recovery version.
//  8. fully_recovered: the new generation has made its first commit durable.

#include "runtime/future.h"
#include "server/cluster_controller/controller_state.h"

namespace strata {

// One recovery attempt, from reading the core state to publishing the new generation.
// Fails when any phase cannot complete (the caller tries again after a pause).
Future<Void> recover(ControllerState* state);

// Waits until the published generation has made a commit durable, then records the
// recovery as complete.
Future<Void> wait_fully_recovered(ControllerState* state);

// Keeps a data distributor running once the database exists: recruits one on a live worker
// (stateless processes first), and another whenever it fails; it outlives recoveries.
// Runs until cancelled (when this controller steps down).
Future<Void> keep_data_distributor(ControllerState* state);
// The same for the ratekeeper, which ServerDBInfo names.
Future<Void> keep_ratekeeper(ControllerState* state);

// Once the database is fully recovered, a live storage-class process that is not excluded
// and hosts no storage server ends the generation: the next recovery gives it one (with no
// shards; the data distributor then moves shards onto it). Runs until cancelled.
Future<Void> watch_storage_joins(ControllerState* state);

// The ServerDBInfo of a recorded core state and the stateless roles recruited for it.
ServerDBInfo server_db_info_of(const CoreState& core, const StatelessRoles& roles);

}  // namespace strata
