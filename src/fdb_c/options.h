#pragma once

// FoundationDB's options by their numeric codes: which Strata honours, which it accepts
// without effect (because the behaviour they ask for is already Strata's, or they only
// tune what Strata does not have), and which it refuses with invalid_option (2007)
// because accepting them would promise something Strata does not do. Unknown codes are
// refused too, never ignored. docs/fdb-compatibility.md lists every one.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "foundationdb/fdb_c_types.h"
#include "strata/transaction.h"

namespace strata::fdb_c {

// A transaction option, checked and decoded, ready to apply on the network thread.
struct TransactionOption {
  int code = 0;
  int64_t number = 0;
};

// Checks a transaction option (code and parameter) and decodes it into `out`: 0,
// invalid_option (2007) or invalid_option_value (2006). Options that change nothing
// decode to code 0.
fdb_error_t parse_transaction_option(int code, const uint8_t* value, int length,
                                     TransactionOption* out);
// Applies a parsed option; throws what the transaction throws.
void apply_transaction_option(Transaction& transaction, const TransactionOption& option);

// What a database option asks for.
struct DatabaseOption {
  // A default for every transaction of the database (code 0: none).
  TransactionOption transaction_default;
  // max_watches, or -1.
  int64_t max_watches = -1;
  // machine_id and datacenter_id (Strata's zones take the part of FoundationDB's data
  // centres in read locality), when given.
  std::optional<std::string> machine_id;
  std::optional<std::string> datacenter_id;
};
fdb_error_t parse_database_option(int code, const uint8_t* value, int length, DatabaseOption* out);

// Checks a network option; applies the ones Strata honours (knob, trace files).
fdb_error_t set_network_option(int code, const uint8_t* value, int length);
// Applies the network options given as FDB_NETWORK_OPTION_<NAME> environment variables
// (FoundationDB's rule: read when the network is set up, before it is). Integers are
// decimal text; several values of one option are separated by ':'.
fdb_error_t set_network_options_from_environment();

}  // namespace strata::fdb_c
