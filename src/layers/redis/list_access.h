#pragma once

// A list's items as one transaction sees them (list_commands.cpp, and the blocking pops):
// positions count from the head (0) as Redis's do; the item at position p is the element
// (head + p) of the list's version. Every function that changes a list writes its
// metadata, or deletes the list when it became empty, as Redis does.

#include <optional>
#include <string>
#include <vector>

#include "layers/redis/key_store.h"

namespace strata::redis {

std::string item_key(const KeyStore& store, std::string_view name, const Metadata& list,
                     int64_t position);

// Items at positions [from, to).
Future<std::vector<std::string>> read_items(KeyStore& store, std::string name, Metadata list,
                                            int64_t from, int64_t to);

// Pushes `values` one by one at the head (`left`) or the tail; creates the list if needed
// (WRONGTYPE for another type). The new length.
Future<int64_t> push_items(KeyStore& store, std::string name, std::vector<std::string> values,
                           bool left);

// Removes and returns up to `count` items from the head or the tail, nearest first.
Future<std::vector<std::string>> pop_items(KeyStore& store, std::string name, Metadata list,
                                           int64_t count, bool left);

// Makes the list exactly `items` (LINSERT, LREM).
void rewrite_items(KeyStore& store, std::string_view name, const Metadata& list,
                   std::vector<std::string> items);

// Keeps only positions [from, to), a non-empty range.
void trim_items(KeyStore& store, std::string_view name, const Metadata& list, int64_t from,
                int64_t to);

// LMOVE: pops from one end of `source` and pushes at one end of `destination`; nullopt
// when `source` is absent (then `destination` is not looked at, as in Redis).
Future<std::optional<std::string>> move_item(KeyStore& store, std::string source,
                                             std::string destination, bool from_left, bool to_left);

}  // namespace strata::redis
