#pragma once

// An ordered map from byte-string keys to values whose lookups of keys it holds go
// through a hash index. A tree lookup touches two cache lines per level (the node, then
// the key's bytes, since keys longer than 15 bytes live on the heap): at 10^5 keys that
// made it most of the cost of a point read, of applying a write to the storage server's
// window and of recording one in the resolver. The hash index touches about three in
// all. Ordered walks use the tree; lower_bound and upper_bound use the index first when
// the key is present, the tree otherwise.
//
// Invariant: `index_` holds exactly the keys of `map_`, each as a view of its node's key
// (map nodes never move) with that node's iterator. Iterators stay valid as std::map's do.
// Not thread-safe.

#include <cstddef>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace strata {

template <class V>
class OrderedKeyMap {
 public:
  using Map = std::map<std::string, V, std::less<>>;
  using iterator = typename Map::iterator;
  using const_iterator = typename Map::const_iterator;
  using value_type = typename Map::value_type;

  // Heap bytes per entry beyond its key's and value's own: the tree node's links and the
  // index's node and bucket, for memory accounting.
  static constexpr size_t entry_overhead_bytes =
      4 * sizeof(void*) + sizeof(std::string_view) + sizeof(iterator) + 3 * sizeof(void*);

  OrderedKeyMap() = default;
  // A copy's index would point into the original.
  OrderedKeyMap(const OrderedKeyMap&) = delete;
  OrderedKeyMap& operator=(const OrderedKeyMap&) = delete;
  // Moving keeps the nodes, so the index stays right.
  OrderedKeyMap(OrderedKeyMap&&) noexcept = default;
  OrderedKeyMap& operator=(OrderedKeyMap&&) noexcept = default;

  iterator find(std::string_view key) {
    auto found = index_.find(key);
    return found == index_.end() ? map_.end() : found->second;
  }
  const_iterator find(std::string_view key) const {
    auto found = index_.find(key);
    return found == index_.end() ? map_.end() : const_iterator(found->second);
  }

  // The entry of `key`, created with V{} when missing; second: whether it was created.
  std::pair<iterator, bool> try_emplace(std::string_view key) {
    if (iterator found = find(key); found != map_.end()) return {found, false};
    auto [entry, inserted] = map_.try_emplace(std::string(key));
    index_.emplace(std::string_view(entry->first), entry);
    return {entry, true};
  }

  iterator erase(iterator entry) {
    index_.erase(std::string_view(entry->first));
    return map_.erase(entry);
  }
  iterator erase(iterator first, iterator last) {
    for (iterator entry = first; entry != last; ++entry)
      index_.erase(std::string_view(entry->first));
    return map_.erase(first, last);
  }

  // Inserts a missing key, next to `hint` if that is where it goes.
  iterator emplace_hint(const_iterator hint, std::string_view key, V value) {
    size_t size_before = map_.size();
    iterator entry = map_.emplace_hint(hint, std::string(key), std::move(value));
    if (map_.size() != size_before) index_.emplace(std::string_view(entry->first), entry);
    return entry;
  }

  // The tree alone, for keys that are probably not there (the hash lookup would be wasted).
  iterator tree_lower_bound(std::string_view key) { return map_.lower_bound(key); }
  const_iterator tree_upper_bound(std::string_view key) const { return map_.upper_bound(key); }

  iterator lower_bound(std::string_view key) {
    auto found = index_.find(key);
    return found != index_.end() ? found->second : map_.lower_bound(key);
  }
  const_iterator lower_bound(std::string_view key) const {
    auto found = index_.find(key);
    return found != index_.end() ? const_iterator(found->second) : map_.lower_bound(key);
  }
  iterator upper_bound(std::string_view key) {
    auto found = index_.find(key);
    return found != index_.end() ? std::next(found->second) : map_.upper_bound(key);
  }
  const_iterator upper_bound(std::string_view key) const {
    auto found = index_.find(key);
    return found != index_.end() ? std::next(const_iterator(found->second)) : map_.upper_bound(key);
  }
  iterator begin() { return map_.begin(); }
  iterator end() { return map_.end(); }
  const_iterator begin() const { return map_.begin(); }
  const_iterator end() const { return map_.end(); }
  size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }

 private:
  Map map_;
  std::unordered_map<std::string_view, iterator> index_;
};

}  // namespace strata
