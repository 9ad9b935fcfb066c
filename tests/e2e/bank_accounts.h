#pragma once

// The bank of the end-to-end tests: accounts under bank/account/, and every transfer
// recorded under bank/transfer/ID as "FROM,TO,AMOUNT" in the transaction that moves the
// money, so that after any crash the balances can be checked against the records and the
// records against what the clients saw commit.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/cluster_connection.h"
#include "runtime/future.h"
#include "strata/database.h"

namespace strata::testing {

constexpr int bank_accounts = 20;
constexpr int64_t bank_initial_balance = 1000;

std::string account_key(int account);

// Sets every account to the initial balance; `guard_s` bounds a hang.
void open_accounts(const ClusterConnectionString& connection, double guard_s);

enum class TransferOutcome {
  committed,        // this attempt committed it
  found_committed,  // an earlier attempt did (its result was unknown)
  skipped,          // the source account lacked the money: nothing to do
};

// One attempt at transfer `id` in `tr`, each read and the commit bounded by
// `operation_timeout_s`; throws what the transaction failed with.
Future<TransferOutcome> try_transfer(Transaction& tr, const std::string& id, int from, int to,
                                     int64_t amount, double operation_timeout_s);

// Called for each transfer a client saw commit: `version` is the commit's, or nullopt when a
// retry found it committed (the first attempt's result was unknown).
using TransferAcknowledged = std::function<void(const std::string& id, std::optional<Version>)>;

// One client thread (call it on a thread of its own): random transfers until `stop`, with
// ids `id_prefix`N, each given up after a few attempts (the cluster may be recovering, or
// gone), each read and commit bounded by `operation_timeout_s`.
void transfer_until_stopped(const ClusterConnectionString& connection, unsigned seed,
                            const std::string& id_prefix, double operation_timeout_s,
                            const std::atomic<bool>& stop,
                            const TransferAcknowledged& acknowledged);

struct BankState {
  std::vector<int64_t> balances;
  // Transfer id -> "FROM,TO,AMOUNT".
  std::map<std::string, std::string> transfers;
};

BankState read_bank(const ClusterConnectionString& connection, double guard_s);

// Fails the test (naming `context`) unless the balances agree with the transfer records,
// the money adds up and every transfer in `acknowledged` is recorded. Returns how many
// acknowledged transfers are missing.
size_t check_bank(const BankState& state, const std::set<std::string>& acknowledged,
                  const std::string& context);

}  // namespace strata::testing
