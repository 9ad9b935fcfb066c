#pragma once

// The vocabulary of the transaction system: versions, keys, ranges, key-value pairs and
// mutations, shared by every role and the client.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

// A point in the database's history. Commit versions advance about 1,000,000 per second
// of clock time; 0 is the empty database before any commit.
using Version = int64_t;
constexpr Version invalid_version = -1;

// Keys and values are arbitrary bytes, ordered bytewise.
using Key = std::string;
using Value = std::string;

// [begin, end): begin included, end excluded. Empty when begin >= end.
// Whether [begin, end) holds exactly one key: end is begin followed by a zero byte.
inline bool is_single_key_range(std::string_view begin, std::string_view end) {
  return end.size() == begin.size() + 1 && end.back() == '\0' && end.starts_with(begin);
}

struct KeyRange {
  Key begin;
  Key end;

  bool empty() const { return begin >= end; }
  bool single_key() const { return is_single_key_range(begin, end); }
  bool contains(std::string_view key) const { return begin <= key && key < end; }
  bool intersects(const KeyRange& other) const {
    return begin < other.end && other.begin < end && !empty() && !other.empty();
  }
  friend auto operator<=>(const KeyRange&, const KeyRange&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(begin, end);
  }
};

// The range holding exactly `key`: [key, key + '\0').
inline KeyRange single_key_range(std::string_view key) {
  std::string end(key);
  end.push_back('\0');
  return KeyRange{std::string(key), std::move(end)};
}

// The first key after every key that starts with `prefix`; empty if there is none (the
// prefix is all 0xff bytes).
std::string strinc(std::string_view prefix);

struct KeyValue {
  Key key;
  Value value;

  friend bool operator==(const KeyValue&, const KeyValue&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(key, value);
  }
};

// FoundationDB's key selector: start at the last key before `key` (at or before it, with
// or_equal), then move `offset` keys (forward when positive, backward when negative). So
// offset 1 from "before k" is the first key at or after k.
struct KeySelector {
  Key key;
  bool or_equal = false;
  int32_t offset = 0;

  static KeySelector first_greater_or_equal(Key key) { return {std::move(key), false, 1}; }
  static KeySelector first_greater_than(Key key) { return {std::move(key), true, 1}; }
  static KeySelector last_less_or_equal(Key key) { return {std::move(key), true, 0}; }
  static KeySelector last_less_than(Key key) { return {std::move(key), false, 0}; }

  friend bool operator==(const KeySelector&, const KeySelector&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(key, or_equal, offset);
  }
};

// Mutation types, numbered as FoundationDB's mutation type options where it has them.
enum class MutationType : uint8_t {
  set_value = 0,
  clear_range = 1,
  add = 2,
  bit_and = 6,
  bit_or = 7,
  bit_xor = 8,
  append_if_fits = 9,
  max = 12,
  min = 13,
  set_versionstamped_key = 14,
  set_versionstamped_value = 15,
  byte_min = 16,
  byte_max = 17,
  compare_and_clear = 20,
};

bool is_known_mutation_type(uint8_t type);
std::string_view mutation_type_name(MutationType type);

// One change. set_value: param1 is the key, param2 the value. clear_range: [param1,
// param2). Atomic operations: param1 is the key, param2 the operand.
struct Mutation {
  MutationType type = MutationType::set_value;
  std::string param1;
  std::string param2;

  friend bool operator==(const Mutation&, const Mutation&) = default;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(type, param1, param2);
    if constexpr (!Archive::is_writer) {
      if (!is_known_mutation_type(static_cast<uint8_t>(type))) {
        archive.fail("unknown mutation type " + std::to_string(static_cast<int>(type)));
      }
    }
  }
};

// FoundationDB's transaction priorities (priority_batch, default, priority_system_immediate),
// as the read-version proxies see them.
enum class ReadVersionPriority : uint8_t { batch = 0, normal = 1, immediate = 2 };

// Keys at or above \xff belong to the system; \xff\xff begins the special key space.
inline const std::string system_keys_begin("\xff", 1);
inline const std::string special_keys_begin("\xff\xff", 2);
// The end of the whole keyspace an ordinary transaction may touch.
inline const std::string normal_keys_end = system_keys_begin;
// The end of everything storage servers hold: the special key space above is virtual.
inline const std::string all_keys_end = special_keys_begin;
// The special key whose value is the cluster's status document (docs/status-json.md).
inline const std::string status_json_key = special_keys_begin + "/status/json";

// FoundationDB's limits.
constexpr size_t key_size_limit = 10'000;
constexpr size_t system_key_size_limit = 30'000;
constexpr size_t value_size_limit = 100'000;
constexpr size_t transaction_size_limit = 10'000'000;

// A versionstamp: the commit version (8 bytes) and the transaction's place in its commit
// batch (2 bytes), big-endian. A commit batch therefore holds at most 65,536 transactions.
constexpr size_t versionstamp_bytes = 10;
constexpr size_t commit_batch_transactions_limit = 65'536;

}  // namespace strata
