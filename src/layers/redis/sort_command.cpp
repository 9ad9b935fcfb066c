// SORT and SORT_RO: the elements of a list, a set or a sorted set, sorted as numbers or
// (ALPHA) as strings, by themselves or by the values of other keys (BY), a part of them
// (LIMIT), each replaced by the values of other keys (GET), and, SORT only, stored as a
// list (STORE) instead of answered. Patterns name other keys: the first '*' stands for the
// element, "->field" after it reads a hash's field instead of a string, "#" is the element
// itself, and a pattern without '*' names nothing (a GET of it answers nil; sorting BY it
// keeps the elements' own order).
//
// Everything runs in the command's transaction: the elements, the keys the patterns name
// and the stored list are one consistent view, whatever other clients do meanwhile.

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "layers/redis/arguments.h"
#include "layers/redis/collection.h"
#include "layers/redis/command_context.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/list_access.h"
#include "layers/redis/zset_access.h"
#include "runtime/combinators.h"

namespace strata::redis {

namespace {

struct SortOptions {
  bool descending = false;
  bool alpha = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string> by;
  // BY a pattern without '*': the elements keep their own order.
  bool keep_order = false;
  std::vector<std::string> gets;
  std::optional<std::string> store;
};

// The options after the key, as Redis reads them (the last ASC/DESC wins; STORE is a
// syntax error for SORT_RO).
SortOptions sort_options(const std::vector<std::string>& args, bool read_only) {
  SortOptions options;
  for (size_t at = 2; at < args.size(); ++at) {
    const size_t left = args.size() - at - 1;
    const std::string& word = args[at];
    if (is_word(word, "asc")) {
      options.descending = false;
    } else if (is_word(word, "desc")) {
      options.descending = true;
    } else if (is_word(word, "alpha")) {
      options.alpha = true;
    } else if (is_word(word, "limit") && left >= 2) {
      options.limit_start = integer_argument(args[at + 1]);
      options.limit_count = integer_argument(args[at + 2]);
      at += 2;
    } else if (!read_only && is_word(word, "store") && left >= 1) {
      options.store = args[++at];
    } else if (is_word(word, "by") && left >= 1) {
      options.by = args[++at];
      if (options.by->find('*') == std::string::npos) options.keep_order = true;
    } else if (is_word(word, "get") && left >= 1) {
      options.gets.push_back(args[++at]);
    } else {
      fail_syntax();
    }
  }
  return options;
}

// What `pattern` names for `element`: the element itself ("#"), a string's value, a hash
// field's value ("->field"), or nullopt (no '*', no such key, another type, no such field).
Future<std::optional<std::string>> pattern_value(KeyStore& store, std::string pattern,
                                                 std::string element) {
  if (pattern == "#") co_return element;
  const size_t star = pattern.find('*');
  if (star == std::string::npos) co_return std::nullopt;
  // "->" followed by a field name, after the '*'; "->" at the very end is part of the key.
  size_t key_end = pattern.size();
  std::optional<std::string> field;
  const size_t arrow = pattern.find("->", star + 1);
  if (arrow != std::string::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
    key_end = arrow;
  }
  const std::string key =
      pattern.substr(0, star) + element + pattern.substr(star + 1, key_end - star - 1);
  std::optional<Metadata> found = co_await store.find(key);
  if (!found) co_return std::nullopt;
  if (field) {
    if (found->type != RedisType::hash) co_return std::nullopt;
    co_return co_await store.transaction().get(field_key(store, key, *found, *field));
  }
  if (found->type != RedisType::string) co_return std::nullopt;
  co_return co_await store.read_string(key, *found);
}

// `pattern`'s value for every element, read at once.
Future<std::vector<std::optional<std::string>>> pattern_values(
    KeyStore& store, const std::string& pattern, const std::vector<std::string>& elements) {
  std::vector<Future<std::optional<std::string>>> reads;
  reads.reserve(elements.size());
  for (const std::string& element : elements)
    reads.push_back(pattern_value(store, pattern, element));
  return when_all(std::move(reads));
}

// A weight as Redis reads one (strtod: leading spaces, hexadecimal and "inf" allowed;
// nothing after the number; not NaN, not out of range; an empty value is 0).
std::optional<double> sort_weight(const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (*end != '\0' || errno == ERANGE || std::isnan(value)) return std::nullopt;
  return value;
}

struct SortItem {
  std::string element;
  double weight = 0;
  // ALPHA BY a pattern: the value it named (none sorts first).
  std::optional<std::string> text;
};

// The elements in the order SORT keeps without sorting: a list's from its head, a sorted
// set's by score, a set's by member; a list's and a sorted set's only [start, end] of that
// order (reversed when descending), as Redis reads them then.
Future<std::vector<std::string>> elements_of(KeyStore& store, const std::string& name,
                                             const Metadata& metadata, bool range_only,
                                             int64_t start, int64_t end, bool descending) {
  std::vector<std::string> elements;
  if (metadata.type == RedisType::list) {
    if (!range_only) co_return co_await read_items(store, name, metadata, 0, metadata.size);
    if (end < start) co_return elements;
    // Descending: positions counted from the tail.
    const int64_t from = descending ? metadata.size - 1 - end : start;
    elements = co_await read_items(store, name, metadata, from, from + (end - start + 1));
    if (descending) std::reverse(elements.begin(), elements.end());
    co_return elements;
  }
  if (metadata.type == RedisType::zset) {
    SortedSet zset(store, name, metadata);
    if (range_only && end < start) co_return elements;
    const std::vector<ScoredMember> members =
        range_only ? co_await zset.by_rank(start, end, descending)
                   : co_await zset.by_rank(0, metadata.size - 1, false);
    for (const auto& [member, score] : members)
      elements.push_back(member);
    co_return elements;
  }
  for (auto& [member, value] : co_await all_fields(store, name, metadata))
    elements.push_back(std::move(member));
  co_return elements;
}

Future<Void> sort_generic(CommandContext& c, bool read_only) {
  const SortOptions options = sort_options(c.args, read_only);
  std::optional<Metadata> found = co_await c.store.find(c.args[1]);
  if (found && found->type != RedisType::list && found->type != RedisType::set &&
      found->type != RedisType::zset) {
    fail_wrong_type();
  }
  bool keep_order = options.keep_order;
  bool alpha = options.alpha;
  std::optional<std::string> by = options.by;
  if (keep_order && found && found->type == RedisType::set && options.store) {
    // A set has no order of its own: what is stored must not depend on how it is kept.
    keep_order = false;
    alpha = true;
    by.reset();
  }

  // LIMIT, clamped as Redis clamps it: [start, end] of the sorted elements.
  const int64_t length = found ? found->size : 0;
  int64_t start = std::clamp<int64_t>(options.limit_start, 0, length);
  const int64_t count = std::clamp<int64_t>(options.limit_count, -1, length);
  int64_t end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  end = std::min(end, length - 1);

  // Lists and sorted sets kept in their order: only the range is read, and it is all.
  std::vector<std::string> elements;
  if (found) {
    const bool range_only = keep_order && found->type != RedisType::set;
    elements = co_await elements_of(c.store, c.args[1], *found, range_only, start, end,
                                    options.descending);
    if (range_only) {
      end -= start;
      start = 0;
    }
  }

  std::vector<std::optional<std::string>> weights;
  if (!keep_order && by) weights = co_await pattern_values(c.store, *by, elements);
  std::vector<SortItem> items;
  items.reserve(elements.size());
  for (std::string& element : elements)
    items.push_back(SortItem{std::move(element), 0, std::nullopt});
  if (!keep_order) {
    bool unreadable = false;
    for (size_t i = 0; i < items.size(); ++i) {
      // BY a key that is not there: weight 0, or, ALPHA, before every value.
      const std::optional<std::string>& value = by ? weights[i] : items[i].element;
      if (!value) continue;
      if (alpha) {
        if (by) items[i].text = value;
        continue;
      }
      const std::optional<double> weight = sort_weight(*value);
      unreadable = unreadable || !weight;
      items[i].weight = weight.value_or(0);
    }
    if (unreadable) fail("ERR One or more scores can't be converted into double");
    const bool descending = options.descending;
    auto compare = [&](const SortItem& a, const SortItem& b) {
      int order = 0;
      if (!alpha) {
        // Equal weights: by the elements' bytes, so that the order is always the same.
        order = a.weight < b.weight ? -1 : a.weight > b.weight ? 1 : a.element.compare(b.element);
      } else if (by) {
        order = a.text == b.text ? 0 : !a.text ? -1 : !b.text ? 1 : a.text->compare(*b.text);
      } else {
        order = a.element.compare(b.element);
      }
      return descending ? order > 0 : order < 0;
    };
    std::stable_sort(items.begin(), items.end(), compare);
  }

  // The result: each element of [start, end], or what each GET pattern names for it.
  end = std::min(end, static_cast<int64_t>(items.size()) - 1);
  std::vector<std::string> chosen;
  for (int64_t j = std::max<int64_t>(start, 0); j <= end; ++j)
    chosen.push_back(items[static_cast<size_t>(j)].element);
  std::vector<std::optional<std::string>> output;
  if (options.gets.empty()) {
    output.assign(chosen.begin(), chosen.end());
  } else {
    std::vector<std::vector<std::optional<std::string>>> per_get;
    for (const std::string& pattern : options.gets)
      per_get.push_back(co_await pattern_values(c.store, pattern, chosen));
    for (size_t j = 0; j < chosen.size(); ++j) {
      for (const auto& values : per_get)
        output.push_back(values[j]);
    }
  }

  if (!options.store) {
    c.reply.array(output.size());
    for (const std::optional<std::string>& value : output)
      value ? c.reply.bulk_string(*value) : c.reply.null();
    co_return;
  }
  // STORE: the destination becomes a list of the result (a missing value stored as ""),
  // whatever it was, or is deleted when the result is empty.
  std::optional<Metadata> existing = co_await c.store.find(*options.store);
  if (existing) c.store.remove(*options.store, *existing);
  if (!output.empty()) {
    std::vector<std::string> values;
    for (std::optional<std::string>& value : output)
      values.push_back(value.value_or(""));
    co_await push_items(c.store, *options.store, std::move(values), /*left=*/false);
  }
  c.reply.integer(static_cast<int64_t>(output.size()));
}

Future<Void> sort_command(CommandContext& c) {
  return sort_generic(c, false);
}

Future<Void> sort_ro_command(CommandContext& c) {
  return sort_generic(c, true);
}

}  // namespace

void add_sort_commands(CommandTable& table) {
  using namespace command_flags;
  table.add(make_command("sort", -2, write, {1, 1, 1}, "generic",
                         "Sort a list, set or sorted set, or store the result", "1.0.0",
                         sort_command));
  table.add(make_command("sort_ro", -2, readonly, {1, 1, 1}, "generic",
                         "Sort a list, set or sorted set", "7.0.0", sort_ro_command));
}

}  // namespace strata::redis
