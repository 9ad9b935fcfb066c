#pragma once

// What the commands of hashes and sets share: a collection is a metadata key (its type,
// version and size) and one element key per field or member, (1, db, name, version,
// field) -> value (keyspace.h). A collection that becomes empty is deleted, as in Redis.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "layers/redis/command_context.h"

namespace strata::redis {

// The element key of `field` in the collection.
std::string field_key(KeyStore& store, std::string_view name, const Metadata& metadata,
                      std::string_view field);

// The collection as found (WRONGTYPE for another type), or a new empty one of `type`:
// `found` says which.
Future<Metadata> find_or_create(KeyStore& store, std::string name, RedisType type,
                                std::optional<Metadata>& found);

// Writes the collection's metadata after a change, or deletes it if it became empty.
void save_collection(KeyStore& store, std::string_view name, const Metadata& metadata,
                     const std::optional<Metadata>& found);

// Every field of the collection, in field order, with its value.
Future<std::vector<std::pair<std::string, std::string>>> all_fields(KeyStore& store,
                                                                    std::string name,
                                                                    Metadata metadata);

// A page of fields after `after` (none: from the first), at most `limit` of them; `more`
// says whether fields were left.
struct FieldPage {
  std::vector<std::pair<std::string, std::string>> fields;
  bool more = false;
};
Future<FieldPage> field_page(KeyStore& store, std::string name, Metadata metadata,
                             std::optional<std::string> after, int limit);

// A field's or member's value must fit in one Strata value; fails naming the limit.
void check_value_size(std::string_view value);

// Indexes of `count` random elements of `size`: distinct ones (at most `size`) for a
// count >= 0, repeats allowed for a negative count (HRANDFIELD, SRANDMEMBER, SPOP), of
// which at most random_choice_max ("ERR value is out of range" beyond: a reply that large
// is a mistake, and Redis would spend minutes on it).
inline constexpr int64_t random_choice_max = 10'000'000;
std::vector<size_t> random_choice(size_t size, int64_t count);

// LMPOP, BLMPOP, ZMPOP, BZMPOP: numkeys (at `at`), the keys, then `first_end` or
// `second_end` (LEFT|RIGHT, MIN|MAX) and [COUNT n], with Redis's errors.
struct MultiPop {
  std::vector<std::string> keys;
  bool first_end = true;
  int64_t count = 1;
  bool counted = false;
};
MultiPop multi_pop_arguments(const std::vector<std::string>& args, size_t at,
                             std::string_view first_end, std::string_view second_end);

// SINTERCARD and ZINTERCARD: numkeys, the keys, [LIMIT n] (0: none), with Redis's
// errors; `no_keys` is what a count below 1 gets (the two commands differ there).
struct InterCard {
  std::vector<std::string> keys;
  int64_t limit = 0;
};
InterCard intercard_arguments(const std::vector<std::string>& args, const std::string& no_keys,
                              bool no_keys_for_text);

// HSCAN and SSCAN: cursor, then MATCH and COUNT; replies [cursor, [field (, value) ...]].
Future<Void> scan_fields(CommandContext& c, RedisType type, bool with_values);

}  // namespace strata::redis
