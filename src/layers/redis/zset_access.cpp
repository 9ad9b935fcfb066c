#include "layers/redis/zset_access.h"

#include <cmath>

#include "layers/redis/arguments.h"
#include "layers/redis/command_error.h"

namespace strata::redis {

namespace {

constexpr int64_t member_index = 0;
constexpr int64_t score_index = 1;

// Redis has one zero: -0 is stored as 0, so that equal scores share a place in the index.
double normal(double score) {
  return score == 0 ? 0.0 : score;
}

}  // namespace

ScoreBound score_bound(std::string_view text) {
  ScoreBound bound;
  if (!text.empty() && text[0] == '(') {
    bound.exclusive = true;
    text.remove_prefix(1);
  }
  std::optional<long double> value = parse_long_double(text);
  if (!value) fail("ERR min or max is not a float");
  bound.value = normal(static_cast<double>(*value));
  return bound;
}

LexBound lex_bound(std::string_view text) {
  LexBound bound;
  if (text == "-") {
    bound.infinite = -1;
  } else if (text == "+") {
    bound.infinite = 1;
  } else if (!text.empty() && (text[0] == '[' || text[0] == '(')) {
    bound.exclusive = text[0] == '(';
    bound.value = std::string(text.substr(1));
  } else {
    fail("ERR min or max not valid string range item");
  }
  return bound;
}

std::string SortedSet::member_key(std::string_view member) const {
  return store_.element_key(name_, metadata_,
                            Tuple().append_int(member_index).append_bytes(member));
}

std::string SortedSet::score_key(double score, std::string_view member) const {
  return store_.element_key(
      name_, metadata_,
      Tuple().append_int(score_index).append_double(normal(score)).append_bytes(member));
}

Future<std::optional<double>> SortedSet::score(std::string member) {
  std::optional<Value> stored = co_await store_.transaction().get(member_key(member));
  if (!stored) co_return std::nullopt;
  co_return Tuple::unpack(*stored).double_at(0);
}

void SortedSet::put(const std::string& member, double score, std::optional<double> old) {
  score = normal(score);
  if (old) {
    if (*old == score) return;
    store_.transaction().clear(score_key(*old, member));
  } else {
    ++metadata_.size;
  }
  store_.transaction().set(member_key(member), Tuple().append_double(score).pack());
  store_.transaction().set(score_key(score, member), "");
}

void SortedSet::remove(const std::string& member, double score) {
  store_.transaction().clear(member_key(member));
  store_.transaction().clear(score_key(score, member));
  --metadata_.size;
}

void SortedSet::save(const std::optional<Metadata>& found) {
  if (metadata_.size > 0) {
    store_.put(name_, metadata_, found);
  } else if (found) {
    store_.remove(name_, *found);
  }
}

Future<std::vector<ScoredMember>> SortedSet::read(std::string begin, std::string end, bool reverse,
                                                  int64_t offset, int64_t count, bool by_score) {
  std::vector<ScoredMember> members;
  while (count != 0 && begin < end) {
    const int64_t wanted = count < 0 ? 0 : offset + count;
    RangeResult rows = co_await store_.transaction().get_range(
        begin, end, static_cast<int>(std::min<int64_t>(wanted, 100000)), reverse);
    for (KeyValue& row : rows.rows) {
      if (offset > 0) {
        --offset;
        continue;
      }
      const Tuple element =
          store_.keyspace().element_of(row.key, store_.db(), name_, metadata_.version);
      if (by_score) {
        members.emplace_back(element.bytes_at(2), element.double_at(1));
      } else {
        members.emplace_back(element.bytes_at(1), Tuple::unpack(row.value).double_at(0));
      }
      if (count > 0 && --count == 0) break;
    }
    if (!rows.more || rows.rows.empty()) break;
    if (reverse) {
      end = rows.rows.back().key;
    } else {
      begin = rows.rows.back().key + '\0';
    }
  }
  co_return members;
}

Future<std::vector<ScoredMember>> SortedSet::by_rank(int64_t start, int64_t stop, bool reverse) {
  const std::string begin = store_.element_key(name_, metadata_, Tuple().append_int(score_index));
  const std::string end = store_.element_key(name_, metadata_, Tuple().append_int(score_index + 1));
  return read(begin, end, reverse, start, stop - start + 1, true);
}

std::pair<std::string, std::string> SortedSet::score_range(const ScoreBound& min,
                                                           const ScoreBound& max) const {
  auto at = [&](double score) {
    return store_.element_key(name_, metadata_,
                              Tuple().append_int(score_index).append_double(score));
  };
  // Every entry of `score` is that prefix and then a member, whose tuple code (0x01) is
  // below 0xff.
  auto after = [&](double score) { return at(score) + '\xff'; };
  std::string begin = min.exclusive ? after(min.value) : at(min.value);
  std::string end = max.exclusive ? at(max.value) : after(max.value);
  return {begin, end};
}

Future<std::vector<ScoredMember>> SortedSet::by_score(ScoreBound min, ScoreBound max, bool reverse,
                                                      int64_t offset, int64_t count) {
  auto [begin, end] = score_range(min, max);
  return read(begin, end, reverse, offset, count, true);
}

Future<std::vector<ScoredMember>> SortedSet::by_lex(LexBound min, LexBound max, bool reverse,
                                                    int64_t offset, int64_t count) {
  const std::string first = store_.element_key(name_, metadata_, Tuple().append_int(member_index));
  const std::string last =
      store_.element_key(name_, metadata_, Tuple().append_int(member_index + 1));
  auto begin_of = [&](const LexBound& bound) -> std::string {
    if (bound.infinite < 0) return first;
    if (bound.infinite > 0) return last;
    return bound.exclusive ? member_key(bound.value) + '\0' : member_key(bound.value);
  };
  auto end_of = [&](const LexBound& bound) -> std::string {
    if (bound.infinite < 0) return first;
    if (bound.infinite > 0) return last;
    return bound.exclusive ? member_key(bound.value) : member_key(bound.value) + '\0';
  };
  return read(begin_of(min), end_of(max), reverse, offset, count, false);
}

Future<int64_t> SortedSet::rank(std::string member, double score, bool reverse) {
  const std::string first = store_.element_key(name_, metadata_, Tuple().append_int(score_index));
  const std::string last =
      store_.element_key(name_, metadata_, Tuple().append_int(score_index + 1));
  const std::string at = score_key(score, member);
  const std::vector<KeyValue> before = co_await read_whole_range(
      store_.transaction(), reverse ? at + '\0' : first, reverse ? last : at);
  co_return static_cast<int64_t>(before.size());
}

}  // namespace strata::redis
