// Sorted sets (zset_access.h): a member index and a score index. Redis 7.0's replies and
// errors.

#include <cmath>
#include <map>

#include "layers/redis/arguments.h"
#include "layers/redis/collection.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "layers/redis/glob.h"
#include "layers/redis/zset_access.h"
#include "runtime/environment.h"

namespace strata::redis {

namespace {

using namespace command_flags;

Future<std::optional<SortedSet>> find_zset(CommandContext& c, std::string name) {
  std::optional<Metadata> found = co_await c.store.find_typed(name, RedisType::zset);
  if (!found) co_return std::nullopt;
  co_return SortedSet(c.store, std::move(name), *found);
}

double score_argument(std::string_view text) {
  const long double value = float_argument(text);
  return static_cast<double>(value);
}

// Members and scores: RESP2 a flat array with scores as text, RESP3 pairs with doubles;
// without scores, the members.
void reply_scored(CommandContext& c, const std::vector<ScoredMember>& members, bool with_scores) {
  const bool pairs = with_scores && c.session.protocol == 3;
  c.reply.array(members.size() * (with_scores && !pairs ? 2 : 1));
  for (const auto& [member, score] : members) {
    if (pairs) c.reply.array(2);
    c.reply.bulk_string(member);
    if (with_scores) c.reply.double_value(score);
  }
}

Future<Void> zadd_command(CommandContext& c) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
  size_t i = 2;
  for (; i < c.args.size(); ++i) {
    const std::string& option = c.args[i];
    if (is_word(option, "NX")) {
      nx = true;
    } else if (is_word(option, "XX")) {
      xx = true;
    } else if (is_word(option, "GT")) {
      gt = true;
    } else if (is_word(option, "LT")) {
      lt = true;
    } else if (is_word(option, "CH")) {
      ch = true;
    } else if (is_word(option, "INCR")) {
      incr = true;
    } else {
      break;
    }
  }
  const size_t pairs_left = c.args.size() - i;
  if (pairs_left == 0 || pairs_left % 2 != 0) fail_syntax();
  if (nx && xx) fail("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    fail("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && pairs_left > 2) fail("ERR INCR option supports a single increment-element pair");
  std::vector<std::pair<double, std::string>> pairs;
  for (; i < c.args.size(); i += 2) {
    pairs.emplace_back(score_argument(c.args[i]), c.args[i + 1]);
    check_value_size(c.args[i + 1]);
  }
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::zset);
  if (!found && xx) {
    incr ? c.reply.null() : c.reply.integer(0);
    co_return;
  }
  SortedSet zset(c.store, c.args[1],
                 found ? *found : co_await c.store.new_metadata(RedisType::zset));
  int64_t added = 0, changed = 0;
  std::optional<double> incremented;
  for (const auto& [given, member] : pairs) {
    std::optional<double> old = co_await zset.score(member);
    if ((nx && old) || (xx && !old)) continue;
    double score = given;
    if (incr && old) score = *old + given;
    if (std::isnan(score)) fail("ERR resulting score is not a number (NaN)");
    if (old && ((gt && score <= *old) || (lt && score >= *old))) continue;
    if (!old) {
      ++added;
    } else if (*old != score) {
      ++changed;
    }
    zset.put(member, score, old);
    incremented = score;
  }
  if (added > 0 || changed > 0) zset.save(found);
  if (incr) {
    incremented ? c.reply.double_value(*incremented) : c.reply.null();
  } else {
    c.reply.integer(ch ? added + changed : added);
  }
}

Future<Void> zincrby_command(CommandContext& c) {
  const double increment = score_argument(c.args[2]);
  check_value_size(c.args[3]);
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::zset);
  SortedSet zset(c.store, c.args[1],
                 found ? *found : co_await c.store.new_metadata(RedisType::zset));
  std::optional<double> old = co_await zset.score(c.args[3]);
  const double score = old ? *old + increment : increment;
  if (std::isnan(score)) fail("ERR resulting score is not a number (NaN)");
  zset.put(c.args[3], score, old);
  zset.save(found);
  c.reply.double_value(score);
}

Future<Void> zrem_command(CommandContext& c) {
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  int64_t removed = 0;
  if (zset) {
    const Metadata found = zset->metadata();
    for (size_t i = 2; i < c.args.size(); ++i) {
      std::optional<double> score = co_await zset->score(c.args[i]);
      if (!score) continue;
      zset->remove(c.args[i], *score);
      ++removed;
    }
    if (removed > 0) zset->save(found);
  }
  c.reply.integer(removed);
}

Future<Void> zscore_command(CommandContext& c) {
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  std::optional<double> score;
  if (zset) score = co_await zset->score(c.args[2]);
  score ? c.reply.double_value(*score) : c.reply.null();
}

Future<Void> zmscore_command(CommandContext& c) {
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  std::vector<std::optional<double>> scores;
  for (size_t i = 2; i < c.args.size(); ++i)
    scores.push_back(zset ? co_await zset->score(c.args[i]) : std::nullopt);
  c.reply.array(scores.size());
  for (const auto& score : scores)
    score ? c.reply.double_value(*score) : c.reply.null();
}

Future<Void> zcard_command(CommandContext& c) {
  std::optional<Metadata> found = co_await c.store.find_typed(c.args[1], RedisType::zset);
  c.reply.integer(found ? found->size : 0);
}

Future<Void> zcount_command(CommandContext& c) {
  const ScoreBound min = score_bound(c.args[2]);
  const ScoreBound max = score_bound(c.args[3]);
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  int64_t count = 0;
  if (zset) count = static_cast<int64_t>((co_await zset->by_score(min, max, false, 0, -1)).size());
  c.reply.integer(count);
}

Future<Void> zlexcount_command(CommandContext& c) {
  const LexBound min = lex_bound(c.args[2]);
  const LexBound max = lex_bound(c.args[3]);
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  int64_t count = 0;
  if (zset) count = static_cast<int64_t>((co_await zset->by_lex(min, max, false, 0, -1)).size());
  c.reply.integer(count);
}

enum class RangeKind { rank, score, lex };

// ZRANGE and its older forms: the members of `name` from `from` to `to` (ranks, scores or
// lexicographic bounds, in the order given: for a reversed score or lex range, the highest
// first).
Future<std::vector<ScoredMember>> range_of(CommandContext& c, const std::string& name,
                                           RangeKind kind, const std::string& from,
                                           const std::string& to, bool reverse, int64_t offset,
                                           int64_t count) {
  std::optional<ScoreBound> min_score, max_score;
  std::optional<LexBound> min_lex, max_lex;
  int64_t start = 0, stop = 0;
  if (kind == RangeKind::score) {
    min_score = score_bound(reverse ? to : from);
    max_score = score_bound(reverse ? from : to);
  } else if (kind == RangeKind::lex) {
    min_lex = lex_bound(reverse ? to : from);
    max_lex = lex_bound(reverse ? from : to);
  } else {
    start = integer_argument(from);
    stop = integer_argument(to);
  }
  std::optional<SortedSet> zset = co_await find_zset(c, name);
  if (!zset) co_return std::vector<ScoredMember>{};
  if (kind == RangeKind::score) {
    co_return co_await zset->by_score(*min_score, *max_score, reverse, offset, count);
  }
  if (kind == RangeKind::lex) {
    co_return co_await zset->by_lex(*min_lex, *max_lex, reverse, offset, count);
  }
  if (!clamp_element_range(start, stop, zset->metadata().size))
    co_return std::vector<ScoredMember>{};
  co_return co_await zset->by_rank(start, stop, reverse);
}

// The options after a range: [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES], as
// each form of the command allows them.
struct RangeOptions {
  RangeKind kind = RangeKind::rank;
  bool reverse = false;
  bool with_scores = false;
  bool limited = false;
  int64_t offset = 0;
  int64_t count = -1;
};

RangeOptions range_options(const CommandContext& c, size_t from, RangeKind kind, bool reverse,
                           bool kind_words) {
  RangeOptions options;
  options.kind = kind;
  options.reverse = reverse;
  for (size_t i = from; i < c.args.size(); ++i) {
    const std::string& option = c.args[i];
    if (kind_words && is_word(option, "BYSCORE")) {
      options.kind = RangeKind::score;
    } else if (kind_words && is_word(option, "BYLEX")) {
      options.kind = RangeKind::lex;
    } else if (kind_words && is_word(option, "REV")) {
      options.reverse = true;
    } else if (is_word(option, "WITHSCORES")) {
      options.with_scores = true;
    } else if (is_word(option, "LIMIT") && i + 2 < c.args.size()) {
      options.limited = true;
      options.offset = integer_argument(c.args[i + 1]);
      options.count = integer_argument(c.args[i + 2]);
      i += 2;
    } else {
      fail_syntax();
    }
  }
  if (options.limited && options.kind == RangeKind::rank) {
    fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (options.with_scores && options.kind == RangeKind::lex) {
    fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  return options;
}

Future<Void> run_range(CommandContext& c, RangeOptions options) {
  std::vector<ScoredMember> members;
  if (options.offset >= 0) {
    members = co_await range_of(c, c.args[1], options.kind, c.args[2], c.args[3], options.reverse,
                                options.offset, options.count < 0 ? -1 : options.count);
  } else {
    // A negative offset: an empty reply, once the bounds are known to be valid.
    co_await range_of(c, c.args[1], options.kind, c.args[2], c.args[3], options.reverse, 0, 0);
  }
  reply_scored(c, members, options.with_scores);
}

Future<Void> zrange_command(CommandContext& c) {
  return run_range(c, range_options(c, 4, RangeKind::rank, false, true));
}
Future<Void> zrevrange_command(CommandContext& c) {
  return run_range(c, range_options(c, 4, RangeKind::rank, true, false));
}
Future<Void> zrangebyscore_command(CommandContext& c) {
  return run_range(c, range_options(c, 4, RangeKind::score, false, false));
}
Future<Void> zrevrangebyscore_command(CommandContext& c) {
  return run_range(c, range_options(c, 4, RangeKind::score, true, false));
}
Future<Void> zrangebylex_command(CommandContext& c) {
  return run_range(c, range_options(c, 4, RangeKind::lex, false, false));
}
Future<Void> zrevrangebylex_command(CommandContext& c) {
  return run_range(c, range_options(c, 4, RangeKind::lex, true, false));
}

Future<Void> zrank_command(CommandContext& c, bool reverse) {
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  std::optional<double> score;
  if (zset) score = co_await zset->score(c.args[2]);
  if (!score) {
    c.reply.null();
    co_return;
  }
  c.reply.integer(co_await zset->rank(c.args[2], *score, reverse));
}

// ZPOPMIN, ZPOPMAX: `count` members from the lowest or highest score.
Future<std::vector<ScoredMember>> pop(CommandContext& c, const std::string& name, int64_t count,
                                      bool highest) {
  std::optional<Metadata> found = co_await c.find_to_take(name, RedisType::zset);
  if (!found || count <= 0) co_return std::vector<ScoredMember>{};
  SortedSet zset(c.store, name, *found);
  std::vector<ScoredMember> members =
      co_await zset.by_rank(0, std::min(count, found->size) - 1, highest);
  for (const auto& [member, score] : members)
    zset.remove(member, score);
  zset.save(found);
  co_return members;
}

Future<Void> zpop_command(CommandContext& c, bool highest) {
  if (c.args.size() > 3) fail_syntax();
  int64_t count = 1;
  if (c.args.size() == 3) {
    count = integer_argument(c.args[2]);
    if (count < 0) fail("ERR value is out of range, must be positive");
  }
  std::vector<ScoredMember> members = co_await pop(c, c.args[1], count, highest);
  if (c.args.size() == 3) {
    reply_scored(c, members, true);
    co_return;
  }
  // Without a count: the member and its score, flat, in both protocols.
  c.reply.array(members.size() * 2);
  for (const auto& [member, score] : members) {
    c.reply.bulk_string(member);
    c.reply.double_value(score);
  }
}

// BZPOPMIN, BZPOPMAX: key ..., timeout.
Future<Void> bzpop_command(CommandContext& c, bool highest) {
  timeout_argument(c.args.back());
  for (size_t i = 1; i + 1 < c.args.size(); ++i) {
    std::vector<ScoredMember> members = co_await pop(c, c.args[i], 1, highest);
    if (members.empty()) continue;
    c.reply.array(3);
    c.reply.bulk_string(c.args[i]);
    c.reply.bulk_string(members[0].first);
    c.reply.double_value(members[0].second);
    co_return;
  }
  if (!c.wake_on) {
    c.reply.null_array();
    co_return;
  }
  for (size_t i = 1; i + 1 < c.args.size(); ++i)
    c.wake_on->push_back(c.store.keyspace().metadata_key(c.store.db(), c.args[i]));
}

// ZMPOP numkeys key ... MIN|MAX [COUNT n], and BZMPOP timeout numkeys ...: the first
// sorted set with members gives up to n of them.
Future<Void> zmpop_command(CommandContext& c, bool blocking) {
  if (blocking) timeout_argument(c.args[1]);
  const MultiPop request = multi_pop_arguments(c.args, blocking ? 2 : 1, "MIN", "MAX");
  for (const std::string& name : request.keys) {
    std::vector<ScoredMember> members = co_await pop(c, name, request.count, !request.first_end);
    if (members.empty()) continue;
    c.reply.array(2);
    c.reply.bulk_string(name);
    c.reply.array(members.size());
    for (const auto& [member, score] : members) {
      c.reply.array(2);
      c.reply.bulk_string(member);
      c.reply.double_value(score);
    }
    co_return;
  }
  if (blocking && c.wake_on) {
    for (const std::string& name : request.keys)
      c.wake_on->push_back(c.store.keyspace().metadata_key(c.store.db(), name));
    co_return;
  }
  c.reply.null_array();
}

// ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX.
Future<Void> zremrange_command(CommandContext& c, RangeKind kind) {
  std::vector<ScoredMember> members =
      co_await range_of(c, c.args[1], kind, c.args[2], c.args[3], false, 0, -1);
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  if (zset && !members.empty()) {
    const Metadata found = zset->metadata();
    for (const auto& [member, score] : members)
      zset->remove(member, score);
    zset->save(found);
  }
  c.reply.integer(static_cast<int64_t>(members.size()));
}

enum class Combine { unite, inter, diff };

// The members and scores of the sorted set (or set: score 1) at `name`; WRONGTYPE for
// another type.
Future<std::map<std::string, double>> scored_members(CommandContext& c, std::string name) {
  std::map<std::string, double> members;
  std::optional<Metadata> found = co_await c.store.find(name);
  if (found && found->type == RedisType::zset) {
    SortedSet zset(c.store, name, *found);
    for (auto& [member, score] : co_await zset.by_rank(0, found->size - 1, false))
      members[member] = score;
  } else if (found && found->type == RedisType::set) {
    for (auto& [member, value] : co_await all_fields(c.store, name, *found))
      members[member] = 1.0;
  } else if (found) {
    fail_wrong_type();
  }
  co_return members;
}

// ZUNION, ZINTER, ZDIFF and their STORE forms, from the numkeys argument at `at`: keys,
// then [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] (not for ZDIFF) and [WITHSCORES] (not for
// the STORE forms), with Redis's errors.
struct Combination {
  std::map<std::string, double> members;
  bool with_scores = false;
};
Future<Combination> combine_zsets(CommandContext& c, size_t at, Combine how, bool store) {
  const int64_t keys = integer_argument(c.args[at]);
  if (keys < 1) {
    fail("ERR at least 1 input key is needed for '" + lower_case(c.args[0]) + "' command");
  }
  if (keys > static_cast<int64_t>(c.args.size() - at) - 1) fail_syntax();
  const size_t end = at + 1 + static_cast<size_t>(keys);
  std::vector<double> weights(static_cast<size_t>(keys), 1.0);
  enum class Aggregate { sum, min, max } aggregate = Aggregate::sum;
  Combination result;
  for (size_t i = end; i < c.args.size(); ++i) {
    const size_t left = c.args.size() - i - 1;
    if (how != Combine::diff && is_word(c.args[i], "WEIGHTS") && left >= weights.size()) {
      for (size_t k = 0; k < weights.size(); ++k) {
        std::optional<long double> weight = parse_long_double(c.args[i + 1 + k]);
        if (!weight) fail("ERR weight value is not a float");
        weights[k] = static_cast<double>(*weight);
      }
      i += weights.size();
    } else if (how != Combine::diff && is_word(c.args[i], "AGGREGATE") && left >= 1) {
      const std::string& kind = c.args[++i];
      if (is_word(kind, "SUM")) {
        aggregate = Aggregate::sum;
      } else if (is_word(kind, "MIN")) {
        aggregate = Aggregate::min;
      } else if (is_word(kind, "MAX")) {
        aggregate = Aggregate::max;
      } else {
        fail_syntax();
      }
    } else if (!store && is_word(c.args[i], "WITHSCORES")) {
      result.with_scores = true;
    } else {
      fail_syntax();
    }
  }
  auto combine = [&](double a, double b) {
    switch (aggregate) {
      case Aggregate::sum: {
        const double sum = a + b;
        return std::isnan(sum) ? 0.0 : sum;  // inf + -inf is 0 in Redis
      }
      case Aggregate::min:
        return std::min(a, b);
      case Aggregate::max:
        return std::max(a, b);
    }
    return a;
  };
  std::map<std::string, double>& members = result.members;
  for (size_t k = 0; k < weights.size(); ++k) {
    std::map<std::string, double> input = co_await scored_members(c, c.args[at + 1 + k]);
    auto weighted = [&](double score) {
      const double value = score * weights[k];
      return std::isnan(value) ? 0.0 : value;
    };
    if (k == 0) {
      for (auto& [member, score] : input)
        members[member] = weighted(score);
    } else if (how == Combine::unite) {
      for (auto& [member, score] : input) {
        auto existing = members.find(member);
        members[member] = existing == members.end() ? weighted(score)
                                                    : combine(existing->second, weighted(score));
      }
    } else if (how == Combine::inter) {
      std::map<std::string, double> kept;
      for (auto& [member, score] : members) {
        auto other = input.find(member);
        if (other != input.end()) kept[member] = combine(score, weighted(other->second));
      }
      members = std::move(kept);
    } else {
      for (const auto& [member, score] : input)
        members.erase(member);
    }
  }
  co_return result;
}

std::vector<ScoredMember> in_score_order(const std::map<std::string, double>& members) {
  std::vector<ScoredMember> ordered(members.begin(), members.end());
  std::stable_sort(
      ordered.begin(), ordered.end(),
      [](const ScoredMember& a, const ScoredMember& b) { return a.second < b.second; });
  return ordered;
}

// Makes `destination` the sorted set of `members` (deleting it when there are none).
Future<Void> store_zset(CommandContext& c, std::string destination,
                        std::vector<ScoredMember> members) {
  std::optional<Metadata> existing = co_await c.store.find(destination);
  if (existing) c.store.remove(destination, *existing);
  if (members.empty()) co_return;
  SortedSet zset(c.store, destination, co_await c.store.new_metadata(RedisType::zset));
  for (const auto& [member, score] : members)
    zset.put(member, score, std::nullopt);
  zset.save(std::nullopt);
}

Future<Void> zcombine_command(CommandContext& c, Combine how, bool store) {
  Combination result = co_await combine_zsets(c, store ? 2 : 1, how, store);
  std::vector<ScoredMember> ordered = in_score_order(result.members);
  if (store) {
    co_await store_zset(c, c.args[1], ordered);
    c.reply.integer(static_cast<int64_t>(ordered.size()));
  } else {
    reply_scored(c, ordered, result.with_scores);
  }
}

Future<Void> zintercard_command(CommandContext& c) {
  const InterCard request = intercard_arguments(
      c.args, "ERR at least 1 input key is needed for 'zintercard' command", false);
  const size_t end = 2 + request.keys.size();
  const int64_t limit = request.limit;
  std::map<std::string, double> members;
  for (size_t i = 2; i < end; ++i) {
    std::map<std::string, double> input = co_await scored_members(c, c.args[i]);
    if (i == 2) {
      members = std::move(input);
      continue;
    }
    std::map<std::string, double> kept;
    for (auto& member : members) {
      if (input.contains(member.first)) kept.insert(member);
    }
    members = std::move(kept);
  }
  const auto size = static_cast<int64_t>(members.size());
  c.reply.integer(limit > 0 ? std::min(limit, size) : size);
}

// ZRANGESTORE destination source min max [BYSCORE|BYLEX] [REV] [LIMIT offset count].
Future<Void> zrangestore_command(CommandContext& c) {
  // The options follow the range as ZRANGE's do, one argument later.
  std::vector<std::string> shifted(c.args.begin() + 1, c.args.end());
  shifted[0] = c.args[0];
  CommandContext view{c.instance, c.session, c.store, c.reply, shifted, nullptr, nullptr, false};
  const RangeOptions options = range_options(view, 4, RangeKind::rank, false, true);
  if (options.with_scores) fail_syntax();
  std::vector<ScoredMember> members;
  if (options.offset >= 0) {
    members = co_await range_of(c, c.args[2], options.kind, c.args[3], c.args[4], options.reverse,
                                options.offset, options.count < 0 ? -1 : options.count);
  }
  co_await store_zset(c, c.args[1], members);
  c.reply.integer(static_cast<int64_t>(members.size()));
}

Future<Void> zrandmember_command(CommandContext& c) {
  std::optional<int64_t> count;
  bool with_scores = false;
  if (c.args.size() >= 3) count = integer_argument(c.args[2]);
  if (c.args.size() == 4) {
    if (!is_word(c.args[3], "WITHSCORES")) fail_syntax();
    with_scores = true;
  }
  if (c.args.size() > 4) fail_syntax();
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  std::vector<ScoredMember> members;
  if (zset) members = co_await zset->by_rank(0, zset->metadata().size - 1, false);
  if (!count) {
    members.empty() ? c.reply.null() : c.reply.bulk_string(env().random().pick(members).first);
    co_return;
  }
  std::vector<ScoredMember> chosen;
  for (size_t index : random_choice(members.size(), *count))
    chosen.push_back(members[index]);
  reply_scored(c, chosen, with_scores);
}

Future<Void> zscan_command(CommandContext& c) {
  const ScanArguments scan = scan_arguments(c.args, 2, false);
  std::optional<SortedSet> zset = co_await find_zset(c, c.args[1]);
  std::optional<std::string> after;
  if (scan.cursor != 0) after = c.instance.scan_cursors().find(scan.cursor);
  std::vector<ScoredMember> page;
  const int64_t count = std::min<int64_t>(scan.count, 100000);
  if (zset && (scan.cursor == 0 || after)) {
    LexBound from;
    if (after) {
      from.value = *after;
      from.exclusive = true;
    } else {
      from.infinite = -1;
    }
    LexBound to;
    to.infinite = 1;
    page = co_await zset->by_lex(from, to, false, 0, count + 1);
  }
  const bool more = static_cast<int64_t>(page.size()) > count;
  if (more) page.pop_back();
  const uint64_t next = more ? c.instance.scan_cursors().save(page.back().first) : 0;
  std::vector<ScoredMember> shown;
  for (auto& member : page) {
    if (!scan.pattern || glob_match(*scan.pattern, member.first)) shown.push_back(member);
  }
  c.reply.array(2);
  c.reply.bulk_string(std::to_string(next));
  c.reply.array(shown.size() * 2);
  for (const auto& [member, score] : shown) {
    c.reply.bulk_string(member);
    c.reply.bulk_string(format_redis_double(score));
  }
}

}  // namespace

void add_zset_commands(CommandTable& table) {
  auto add = [&](std::string name, int arity, uint32_t flags, KeyPositions keys,
                 std::string summary, std::string since, CommandHandler handler) {
    table.add(make_command(std::move(name), arity, flags, keys, "sorted-set", std::move(summary),
                           std::move(since), handler));
  };
  const KeyPositions key{1, 1, 1};
  add("zadd", -4, write | fast, key, "Add members with scores", "1.2.0", zadd_command);
  add("zincrby", 4, write | fast, key, "Add to a member's score", "1.2.0", zincrby_command);
  add("zrem", -3, write | fast, key, "Remove members", "1.2.0", zrem_command);
  add("zscore", 3, readonly | fast, key, "A member's score", "1.2.0", zscore_command);
  add("zmscore", -3, readonly | fast, key, "Members' scores", "6.2.0", zmscore_command);
  add("zcard", 2, readonly | fast, key, "The number of members", "1.2.0", zcard_command);
  add("zcount", 4, readonly | fast, key, "Members in a score range", "2.0.0", zcount_command);
  add("zlexcount", 4, readonly | fast, key, "Members in a lexicographic range", "2.8.9",
      zlexcount_command);
  add("zrange", -4, readonly, key, "Members by rank, score or lexicographic range", "1.2.0",
      zrange_command);
  add("zrevrange", -4, readonly, key, "Members by rank, highest first", "1.2.0", zrevrange_command);
  add("zrangebyscore", -4, readonly, key, "Members by score", "1.0.5", zrangebyscore_command);
  add("zrevrangebyscore", -4, readonly, key, "Members by score, highest first", "2.2.0",
      zrevrangebyscore_command);
  add("zrangebylex", -4, readonly, key, "Members by lexicographic range", "2.8.9",
      zrangebylex_command);
  add("zrevrangebylex", -4, readonly, key, "Members by lexicographic range, reversed", "2.8.9",
      zrevrangebylex_command);
  add("zrank", 3, readonly | fast, key, "A member's rank", "2.0.0",
      [](CommandContext& c) { return zrank_command(c, false); });
  add("zrevrank", 3, readonly | fast, key, "A member's rank, highest first", "2.0.0",
      [](CommandContext& c) { return zrank_command(c, true); });
  add("zpopmin", -2, write | fast, key, "Remove and return the lowest members", "5.0.0",
      [](CommandContext& c) { return zpop_command(c, false); });
  add("zpopmax", -2, write | fast, key, "Remove and return the highest members", "5.0.0",
      [](CommandContext& c) { return zpop_command(c, true); });
  add("bzpopmin", -3, write | fast | blocking, {1, -2, 1},
      "Remove and return the lowest member, waiting", "5.0.0",
      [](CommandContext& c) { return bzpop_command(c, false); });
  add("bzpopmax", -3, write | fast | blocking, {1, -2, 1},
      "Remove and return the highest member, waiting", "5.0.0",
      [](CommandContext& c) { return bzpop_command(c, true); });
  add("zmpop", -4, write, {0, 0, 0}, "Take members from the first sorted set that has some",
      "7.0.0", [](CommandContext& c) { return zmpop_command(c, false); });
  add("bzmpop", -5, write | blocking, {0, 0, 0},
      "Take members from the first sorted set that has some, waiting", "7.0.0",
      [](CommandContext& c) { return zmpop_command(c, true); });
  add("zremrangebyrank", 4, write, key, "Remove members by rank", "2.0.0",
      [](CommandContext& c) { return zremrange_command(c, RangeKind::rank); });
  add("zremrangebyscore", 4, write, key, "Remove members by score", "1.2.0",
      [](CommandContext& c) { return zremrange_command(c, RangeKind::score); });
  add("zremrangebylex", 4, write, key, "Remove members by lexicographic range", "2.8.9",
      [](CommandContext& c) { return zremrange_command(c, RangeKind::lex); });
  add("zunionstore", -4, write, {1, 1, 1}, "Store the union of sorted sets", "2.0.0",
      [](CommandContext& c) { return zcombine_command(c, Combine::unite, true); });
  add("zinterstore", -4, write, {1, 1, 1}, "Store the intersection of sorted sets", "2.0.0",
      [](CommandContext& c) { return zcombine_command(c, Combine::inter, true); });
  add("zdiffstore", -4, write, {1, 1, 1}, "Store the difference of sorted sets", "6.2.0",
      [](CommandContext& c) { return zcombine_command(c, Combine::diff, true); });
  add("zunion", -3, readonly, {0, 0, 0}, "The union of sorted sets", "6.2.0",
      [](CommandContext& c) { return zcombine_command(c, Combine::unite, false); });
  add("zinter", -3, readonly, {0, 0, 0}, "The intersection of sorted sets", "6.2.0",
      [](CommandContext& c) { return zcombine_command(c, Combine::inter, false); });
  add("zdiff", -3, readonly, {0, 0, 0}, "The difference of sorted sets", "6.2.0",
      [](CommandContext& c) { return zcombine_command(c, Combine::diff, false); });
  add("zintercard", -3, readonly, {0, 0, 0}, "The size of the intersection of sorted sets", "7.0.0",
      zintercard_command);
  add("zrangestore", -5, write, {1, 2, 1}, "Store a range of a sorted set", "6.2.0",
      zrangestore_command);
  add("zrandmember", -2, readonly, key, "Random members", "6.2.0", zrandmember_command);
  add("zscan", -3, readonly, key, "Iterate over the members", "2.8.0", zscan_command);
}

}  // namespace strata::redis
