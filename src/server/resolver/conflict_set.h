#pragma once

// Conflict detection for optimistic transactions: the core of the resolver.
//
// A transaction read at a snapshot version and wants to commit at a later version V. It
// may commit only if nothing it read was written by a transaction that committed after its
// snapshot (strict serializability). The ConflictSet remembers, for every key, the newest
// version at which a committed transaction wrote it, for the versions inside the MVCC
// window [oldest_version(), newest resolved version]. Reads older than the window cannot
// be checked any more and are rejected as too old.
//
// Batches are resolved one at a time, at strictly increasing versions. Within a batch the
// transactions are taken in order, as if each committed on its own at V:
//   - a transaction with at least one read range whose snapshot is below oldest_version()
//     is `too_old` (a transaction with no read ranges is never too old: it read nothing
//     that could have changed, so its snapshot does not matter);
//   - otherwise it is a `conflict` if one of its read ranges intersects a range written
//     at a version greater than its snapshot, by an earlier batch or by a transaction
//     earlier in the same batch that committed;
//   - otherwise it is `committed`, and its write ranges are recorded at V, visible to the
//     transactions after it in the batch and to later batches.
// Transactions that are too old or conflict record nothing. An empty range (begin >= end)
// never conflicts and records nothing.
//
// Not thread-safe; nothing here suspends. Misuse (batches out of version order, a batch
// below the window, a read snapshot not below its batch's version) is a programmer error
// and fails STRATA_ASSERT.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "interfaces/resolver_types.h"
#include "interfaces/types.h"
#include "server/ordered_key_map.h"

namespace strata {

class ConflictSet {
 public:
  // Reads with snapshots below `oldest_version` are too old from the start.
  explicit ConflictSet(Version oldest_version = 0);

  // Resolves one batch at `version`, which must be greater than every earlier batch's
  // version and not below oldest_version(). Returns one outcome per transaction, in batch
  // order. Each read range costs O(log n + steps it covers), each write range recorded the
  // same, where n is range_count().
  // `conflicting`, when given, receives for each transaction that conflicted and asked
  // (report_conflicts) its place in the batch and the read ranges written after its
  // snapshot.
  std::vector<ResolveOutcome> resolve(
      const std::vector<ConflictTransaction>& batch, Version version,
      std::vector<std::pair<uint32_t, std::vector<KeyRange>>>* conflicting = nullptr);

  // Forgets the writes of batches below `oldest`: from now on reads with snapshots below
  // it are too old. Never moves backwards (a smaller value is ignored). Costs
  // O(log n) per write range recorded by the batches it forgets, so over the life of the
  // set it adds a constant factor to each recorded write.
  void set_oldest_version(Version oldest);
  Version oldest_version() const { return oldest_version_; }

  // Boundaries of the step function held (at least 1). Each non-empty write range recorded
  // by a batch at or above oldest_version() accounts for at most 4 of them, and nothing
  // else does: older writes have been merged away.
  size_t range_count() const { return steps_.size(); }
  // An estimate of the heap memory held, for memory accounting.
  size_t memory_bytes() const;

  // Describes the first invariant of the data structure that does not hold, or returns an
  // empty string. O(n log n): for tests, which can then name the seed that broke it.
  std::string check_invariants() const;

 private:
  // The version of keys nobody wrote inside the window: below every read snapshot.
  static constexpr Version forgotten_version = std::numeric_limits<Version>::min();

  // Key boundaries recorded by one batch, so that forgetting the batch revisits exactly
  // the steps it created instead of scanning the whole set. Keys are packed in one buffer
  // to keep the overhead per recorded key small.
  struct BatchBoundaries {
    Version version = invalid_version;
    std::string keys;
    std::vector<uint32_t> key_ends;

    size_t size() const { return key_ends.size(); }
    std::string_view key(size_t index) const;
    void add(std::string_view key);
  };

  using Steps = OrderedKeyMap<Version>;

  bool transaction_too_old(const ConflictTransaction& transaction) const;
  bool reads_conflict(const ConflictTransaction& transaction) const;
  // Whether a key of the non-empty `range` was written at a version above `snapshot`.
  bool written_after(const KeyRange& range, Version snapshot) const;
  void record_write(const KeyRange& range, Version version, BatchBoundaries& boundaries);
  // Turns the step at `key`, if it is still older than the window, into a forgotten one and
  // merges it with forgotten neighbours. `near` (or end()) is a step that is probably just
  // before `key`, to spare the search. Returns a step at or before `key` that is still
  // there, or end().
  Steps::iterator forget_step(std::string_view key, Steps::iterator near);
  Steps::iterator insert_step(Steps::iterator hint, std::string_view key, Version version);
  Steps::iterator erase_step(Steps::iterator step);
  static size_t heap_key_bytes(std::string_view key);
  // A version below the window reads the same as nothing written.
  Version normalized(Version version) const {
    return version < oldest_version_ ? forgotten_version : version;
  }

  // The step function: the entry (k, v) says that v is the newest version at which keys
  // in [k, next entry's key) were written, or forgotten_version. Invariants: the empty key
  // is always present (every key has a step); adjacent entries never both hold
  // forgotten_version; every entry not holding forgotten_version was last set by a batch
  // still in boundaries_ (which is what bounds the memory by the window).
  Steps steps_;
  // Bytes of key held by steps_, for memory_bytes().
  size_t step_key_bytes_ = 0;
  // One element per batch that recorded writes, oldest first.
  std::deque<BatchBoundaries> boundaries_;
  size_t boundary_bytes_ = 0;
  Version oldest_version_;
  // The version of the last batch resolved.
  Version newest_version_ = std::numeric_limits<Version>::min();
};

}  // namespace strata
