#pragma once

// What a transaction has written so far: the structure behind read-your-writes, and the
// source of the mutations and write conflict ranges it sends at commit.
//
// A key's state, as the transaction sees it, is one of:
// - known: set, cleared, or an atomic operation stacked on a set or a clear (applied at
//   once, so the key holds a plain value or nothing);
// - database: the database's value with zero or more atomic operations to apply to it;
// - unreadable: a versionstamped write made the value unknown until commit. FoundationDB
//   fails such reads with accessed_unreadable (1036); a set does not make the key
//   readable again, only a clear does. A set_versionstamped_key makes the whole range of
//   keys it may write unreadable.
//
// Commit: mutations() returns the state, not a log: every cleared range (merged), then
// per key its set value or its pending operations, then the versionstamped keys.
// FoundationDB's client also sends its write map's state rather than the writes made. It
// is equivalent to replaying the writes in order: writes to different keys commute, a
// clear precedes every write recorded after it on a key inside it (later writes on
// cleared keys were already applied on top of "nothing"), and a clear erases whatever it
// covers. Memory is therefore O(written keys + cleared ranges + stacked operations that
// could not be merged), not O(writes).
//
// Atomic operations on a key whose value depends on the database are kept as a stack.
// Like FoundationDB, when an operation follows one of the same type on a readable key,
// the two become one whose operand is the first applied to the second: always for
// bit_and, byte_min, byte_max and append_if_fits; for add, bit_or, bit_xor, max and min
// only when both operands have the same length; never for compare_and_clear. All these
// merges give the result of applying both operations but one, which FoundationDB makes
// too: two append_if_fits become one append of both operands, all or nothing, so when
// the first would fit and both would not, neither is applied. Reads and commit agree on
// it because both use the merged stack.
//
// Lookups are O(log n); a range read copies the writes inside its range (see
// RangeWrites), so a read in flight is not affected by later writes, as in FoundationDB.
// The transaction checks arguments (sizes, key ranges, mutation types) before calling;
// the map asserts the few things it relies on. Single-threaded, like the transaction.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/atomic_ops.h"
#include "interfaces/types.h"

namespace strata {

enum class ReadDirection : uint8_t { forward, reverse };

// Whether a write also adds its keys to the write conflict ranges. FoundationDB's
// next_write_no_write_conflict_range option skips it for one write; a write that skips it
// never removes the conflict range an earlier write added.
enum class WriteConflict : uint8_t { add, skip };

// A set of keys, kept as disjoint ranges that neither overlap nor touch, so that equal
// sets have equal representations. Operations are O(log n) plus the ranges they merge or
// remove.
class KeyRangeSet {
 public:
  // Adds every key of `range` (which may be empty: then nothing changes).
  void insert(const KeyRange& range);
  // Removes every key of `range`.
  void erase(const KeyRange& range);
  bool contains(std::string_view key) const;
  // The set's ranges that intersect `range`, clipped to it, in order.
  std::vector<KeyRange> intersecting(const KeyRange& range) const;
  std::vector<KeyRange> ranges() const;
  bool empty() const { return ranges_.empty(); }
  size_t size() const { return ranges_.size(); }
  // The total size of the ranges' begin and end keys.
  size_t bytes() const { return bytes_; }
  void clear();

 private:
  void add(std::string begin, std::string end);
  std::map<std::string, std::string, std::less<>>::iterator remove(
      std::map<std::string, std::string, std::less<>>::iterator position);

  // begin -> end; for consecutive entries, the first's end < the second's begin.
  std::map<std::string, std::string, std::less<>> ranges_;
  size_t bytes_ = 0;
};

class WriteMap {
 public:
  // What a read of one key sees of the transaction's writes.
  struct Lookup {
    enum class Kind : uint8_t { known, database, unreadable };
    Kind kind = Kind::database;
    // Kind::known: the value, or nullopt when the transaction cleared the key.
    std::optional<Value> value;
    // Kind::database: operations to apply to the database's value, oldest first; empty
    // means the database's value as it is.
    AtomicOperations pending;

    // Kind::known or Kind::database: what the transaction sees when the database holds
    // `database_value` (ignored for known keys).
    std::optional<Value> resolve(const std::optional<Value>& database_value) const;
  };

  // One piece of the transaction's view of a range. Keys of a range that no segment
  // covers read the database as it is.
  struct Segment {
    enum class Kind : uint8_t {
      value,       // one key, set by the transaction: `value`
      pending,     // one key: the database's value with `pending` applied
      cleared,     // no key of the range exists, whatever the database holds
      unreadable,  // reading any key of the range fails (accessed_unreadable)
    };
    Kind kind = Kind::cleared;
    // value and pending: single_key_range(key), so the key is range.begin.
    KeyRange range;
    Value value;
    AtomicOperations pending;
  };

  // The transaction's writes inside one range, copied from the map when the read starts,
  // as disjoint segments in key order. A range read merges them with the database's rows.
  //
  // How the transaction fills a get_range of `range` with `limit` rows:
  //
  //   RangeWrites writes = write_map.read_range(range);
  //   KeyRange remaining = range;
  //   std::vector<KeyValue> rows;
  //   while (!remaining.empty() && rows.size() < limit) {
  //     // Every database row of `remaining` in `direction` order, or a prefix of them
  //     // (at least one row) with more = true. Cleared segments drop rows, so the
  //     // database may have to be asked again even when it returned `limit` rows.
  //     auto [database_rows, more] = co_await read_database(remaining, direction, ...);
  //     auto step = writes.merge(remaining, database_rows, more, direction,
  //                              limit - rows.size(), rows);
  //     if (step.unreadable) throw accessed_unreadable
  //     remaining = step.remaining;
  //   }
  //   // rows hold the transaction's view of `range` from its start (forward) or end
  //   // (reverse); !remaining.empty() means more may follow.
  //
  // merge() only vouches for keys the database part covered: with more = true and last
  // row K, forward covers [part.begin, K] and reverse [K, part.end). It returns the part
  // left to read, which the loop passes back with the next database rows. It never emits
  // a key twice and always makes progress when the database returned a row or had no
  // more. The read conflict range of the part read (range minus remaining) is
  // database_ranges() of it: keys the transaction's writes decide are no conflict.
  class RangeWrites {
   public:
    struct MergeResult {
      size_t rows_added = 0;
      // What of `part` is not accounted for yet: a suffix of it (forward) or a prefix
      // (reverse); empty when the whole part is done.
      KeyRange remaining;
      bool limit_reached = false;
      // The merge reached an unreadable segment before the limit; `remaining` starts
      // (forward) or ends (reverse) at it.
      bool unreadable = false;
    };

    const KeyRange& range() const { return range_; }
    std::span<const Segment> segments() const { return segments_; }

    // Appends to `out`, in `direction` order, at most `row_limit` (> 0) rows: what the
    // transaction sees in `part` (inside range()) given `database_rows`, the database's
    // rows in `part` in `direction` order. `database_more`: the database holds more rows
    // in `part` beyond the last one given (which requires at least one row).
    MergeResult merge(const KeyRange& part, std::span<const KeyValue> database_rows,
                      bool database_more, ReadDirection direction, size_t row_limit,
                      std::vector<KeyValue>& out) const;

    // The parts of `part` whose content depends on the database (keys not written, and
    // keys with pending atomic operations), merged, in order. Unreadable segments are
    // left out: reading them fails.
    std::vector<KeyRange> database_ranges(const KeyRange& part) const;

   private:
    friend class WriteMap;
    MergeResult merge_forward(const KeyRange& part, std::span<const KeyValue> database_rows,
                              bool database_more, size_t row_limit,
                              std::vector<KeyValue>& out) const;
    MergeResult merge_reverse(const KeyRange& part, std::span<const KeyValue> database_rows,
                              bool database_more, size_t row_limit,
                              std::vector<KeyValue>& out) const;

    KeyRange range_;
    std::vector<Segment> segments_;
  };

  void set(std::string_view key, std::string_view value,
           WriteConflict conflict = WriteConflict::add);
  void clear(std::string_view key, WriteConflict conflict = WriteConflict::add);
  // Requires begin < end.
  void clear_range(std::string_view begin, std::string_view end,
                   WriteConflict conflict = WriteConflict::add);
  // Any atomic type except set_versionstamped_key; set_versionstamped_value makes the key
  // unreadable and, like a set, replaces what the key held.
  void atomic_op(std::string_view key, MutationType type, std::string_view operand,
                 WriteConflict conflict = WriteConflict::add);
  // `key` is the mutation's parameter as sent at commit (placeholder and 4-byte offset
  // included); `possible_keys` holds every key the commit may write, which becomes
  // unreadable. Adds no write conflict range: the commit adds the real key's. A later
  // clear of a range holding `key` drops the write, as in FoundationDB.
  void set_versionstamped_key(std::string_view key, std::string_view value,
                              const KeyRange& possible_keys);
  // Requires a non-empty range.
  void add_write_conflict_range(const KeyRange& range);
  // Forgets every write (the transaction was reset).
  void clear();

  Lookup lookup(std::string_view key) const;
  RangeWrites read_range(const KeyRange& range) const;

  // What to send at commit (see the top of this file).
  std::vector<Mutation> mutations() const;
  // Every key written (unless the write skipped it) and every added range, merged.
  std::vector<KeyRange> write_conflict_ranges() const;
  // The sizes FoundationDB limits (transaction_size_limit, with the read conflict ranges
  // the transaction adds): parameters of mutations(), begin and end keys of
  // write_conflict_ranges().
  size_t mutation_bytes() const;
  size_t write_conflict_bytes() const { return conflicts_.bytes(); }
  size_t size_bytes() const { return mutation_bytes() + write_conflict_bytes(); }
  // No mutation and no write conflict range: nothing to commit.
  bool empty() const;

 private:
  // One write on a key. set_value always has a value.
  struct KeyOperation {
    MutationType type = MutationType::set_value;
    std::string operand;
  };
  // A key's writes, oldest first. Invariants: a set_value is alone; a
  // set_versionstamped_value comes first and is followed by atomic operations only; any
  // other stack is atomic operations on the database's value. A stack on a key inside a
  // cleared range is a set_value unless the key is unreadable.
  using Stack = std::vector<KeyOperation>;
  using Points = std::map<std::string, Stack, std::less<>>;

  static size_t stack_bytes(std::string_view key, const Stack& stack);
  void replace_stack(std::string_view key, Stack stack);
  Points::iterator erase_point(Points::iterator position);
  // Stores a value computed by the transaction alone: a set, or nothing.
  void store_known(std::string_view key, std::optional<Value> value);
  void stack_operation(Points::iterator position, MutationType type, std::string_view operand);
  Segment point_segment(const std::string& key, const Stack& stack) const;
  std::vector<Segment> readable_segments(const KeyRange& range) const;

  Points points_;
  // Ranges the transaction cleared; a point inside one overrides it.
  KeyRangeSet cleared_;
  KeyRangeSet unreadable_;
  KeyRangeSet conflicts_;
  // set_versionstamped_key writes by parameter, in the order made for equal keys.
  std::multimap<std::string, std::string, std::less<>> versionstamped_keys_;
  size_t points_bytes_ = 0;
  size_t versionstamped_keys_bytes_ = 0;
};

}  // namespace strata
