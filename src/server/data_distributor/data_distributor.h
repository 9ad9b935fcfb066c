#pragma once

// The data distributor (see interfaces/data_distributor_interface.h). Runs until
// cancelled, or until another distributor takes the move lock (movekeys_conflict).
//
// What it does now: watches every storage server of \xff/serverList/; once one has been
// failed for dd_failed_storage_s, moves each shard it holds to a team of live servers in
// distinct zones (the shard's other members, plus the live servers holding fewest shards
// in zones the team lacks), one move at a time (client/move_keys.h); when no shard names
// it any more, removes it from \xff/serverList/ and asks the controller to drop it. A
// shard left moving by an earlier distributor (its destination team is in the map, but
// nobody finishes the move) is moved again, and so is a shard whose team is not of the
// configured size (after a change of the redundancy mode): to a team of that size, keeping
// its healthy members.

#include "interfaces/data_distributor_interface.h"
#include "runtime/future.h"
#include "strata/database.h"

namespace strata {

DataDistributorInterface make_data_distributor_interface(UID id);

Future<Void> run_data_distributor(DataDistributorInterface interface, uint64_t epoch,
                                  int replication, Database database);

}  // namespace strata
