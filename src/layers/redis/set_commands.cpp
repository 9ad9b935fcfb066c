// Sets: one element key per member, (1, db, name, version, member) -> "", and the size in
// the metadata. Redis 7.0's replies and errors.

#include <set>

#include "layers/redis/arguments.h"
#include "layers/redis/collection.h"
#include "layers/redis/command_error.h"
#include "layers/redis/command_table.h"
#include "runtime/environment.h"

namespace strata::redis {

namespace {

using namespace command_flags;
using Members = std::set<std::string>;

Future<bool> has_member(KeyStore& store, std::string name, Metadata set, std::string member) {
  co_return (co_await store.transaction().get(field_key(store, name, set, member))).has_value();
}

// Every member of the set at `name` (none if absent; WRONGTYPE for another type).
Future<Members> members_of(KeyStore& store, std::string name) {
  std::optional<Metadata> set = co_await store.find_typed(name, RedisType::set);
  Members members;
  if (!set) co_return members;
  for (auto& [member, value] : co_await all_fields(store, name, *set))
    members.insert(std::move(member));
  co_return members;
}

void reply_members(CommandContext& c, const Members& members) {
  c.reply.set(members.size());
  for (const std::string& member : members)
    c.reply.bulk_string(member);
}

// Adds `members` to the set at `name`; how many were new.
Future<int64_t> add_members(KeyStore& store, std::string name, std::vector<std::string> members) {
  std::optional<Metadata> found;
  Metadata set = co_await find_or_create(store, name, RedisType::set, found);
  int64_t added = 0;
  for (const std::string& member : members) {
    const std::string key = field_key(store, name, set, member);
    if (co_await store.transaction().get(key)) continue;
    store.transaction().set(key, "");
    ++added;
    ++set.size;
  }
  if (added > 0) save_collection(store, name, set, found);
  co_return added;
}

// Removes `members` from the set found as `found`; how many were there.
int64_t remove_members(KeyStore& store, std::string_view name, const Metadata& found,
                       const std::vector<std::string>& members, const Members& present) {
  Metadata set = found;
  int64_t removed = 0;
  for (const std::string& member : members) {
    if (!present.contains(member)) continue;
    store.transaction().clear(field_key(store, name, set, member));
    ++removed;
    --set.size;
  }
  if (removed > 0) save_collection(store, name, set, found);
  return removed;
}

Future<Void> sadd_command(CommandContext& c) {
  for (size_t i = 2; i < c.args.size(); ++i)
    check_value_size(c.args[i]);
  c.reply.integer(co_await add_members(c.store, c.args[1], {c.args.begin() + 2, c.args.end()}));
}

Future<Void> srem_command(CommandContext& c) {
  std::optional<Metadata> set = co_await c.store.find_typed(c.args[1], RedisType::set);
  if (!set) {
    c.reply.integer(0);
    co_return;
  }
  Members present;
  for (size_t i = 2; i < c.args.size(); ++i) {
    if (co_await has_member(c.store, c.args[1], *set, c.args[i])) present.insert(c.args[i]);
  }
  c.reply.integer(
      remove_members(c.store, c.args[1], *set, {c.args.begin() + 2, c.args.end()}, present));
}

Future<Void> smembers_command(CommandContext& c) {
  reply_members(c, co_await members_of(c.store, c.args[1]));
}

Future<Void> sismember_command(CommandContext& c) {
  std::optional<Metadata> set = co_await c.store.find_typed(c.args[1], RedisType::set);
  c.reply.integer(set && co_await has_member(c.store, c.args[1], *set, c.args[2]) ? 1 : 0);
}

Future<Void> smismember_command(CommandContext& c) {
  std::optional<Metadata> set = co_await c.store.find_typed(c.args[1], RedisType::set);
  std::vector<int64_t> answers;
  for (size_t i = 2; i < c.args.size(); ++i)
    answers.push_back(set && co_await has_member(c.store, c.args[1], *set, c.args[i]) ? 1 : 0);
  c.reply.array(answers.size());
  for (int64_t answer : answers)
    c.reply.integer(answer);
}

Future<Void> scard_command(CommandContext& c) {
  std::optional<Metadata> set = co_await c.store.find_typed(c.args[1], RedisType::set);
  c.reply.integer(set ? set->size : 0);
}

// SPOP and SRANDMEMBER.
Future<Void> random_members(CommandContext& c, bool pop) {
  std::optional<int64_t> count;
  if (c.args.size() > 3) fail_syntax();
  if (c.args.size() == 3) {
    count = integer_argument(c.args[2]);
    if (pop && *count < 0) fail("ERR value is out of range, must be positive");
  }
  std::optional<Metadata> set = co_await c.store.find_typed(c.args[1], RedisType::set);
  std::vector<std::string> members;
  if (set) {
    for (auto& [member, value] : co_await all_fields(c.store, c.args[1], *set))
      members.push_back(std::move(member));
  }
  std::vector<std::string> chosen;
  for (size_t index : random_choice(members.size(), count.value_or(1)))
    chosen.push_back(members[index]);
  if (pop && set && !chosen.empty()) {
    remove_members(c.store, c.args[1], *set, chosen, Members(chosen.begin(), chosen.end()));
  }
  if (!count) {
    chosen.empty() ? c.reply.null() : c.reply.bulk_string(chosen[0]);
    co_return;
  }
  pop ? c.reply.set(chosen.size()) : c.reply.array(chosen.size());
  for (const std::string& member : chosen)
    c.reply.bulk_string(member);
}
Future<Void> spop_command(CommandContext& c) {
  return random_members(c, true);
}
Future<Void> srandmember_command(CommandContext& c) {
  return random_members(c, false);
}

Future<Void> smove_command(CommandContext& c) {
  std::optional<Metadata> source = co_await c.store.find_typed(c.args[1], RedisType::set);
  // As Redis: no source, 0; else a destination of another type is WRONGTYPE.
  if (source) co_await c.store.find_typed(c.args[2], RedisType::set);
  if (!source || !co_await has_member(c.store, c.args[1], *source, c.args[3])) {
    c.reply.integer(0);
    co_return;
  }
  if (c.args[1] != c.args[2]) {
    remove_members(c.store, c.args[1], *source, {c.args[3]}, {c.args[3]});
    co_await add_members(c.store, c.args[2], {c.args[3]});
  }
  c.reply.integer(1);
}

enum class Combine { inter, unite, diff };

// The combination of the sets named by the arguments from `first` (all of them read first,
// so that a key of another type fails the command before anything is written).
Future<Members> combine(CommandContext& c, size_t first, size_t end, Combine how) {
  std::vector<Members> sets;
  for (size_t i = first; i < end; ++i)
    sets.push_back(co_await members_of(c.store, c.args[i]));
  Members result = sets.empty() ? Members{} : sets[0];
  for (size_t i = 1; i < sets.size(); ++i) {
    if (how == Combine::unite) {
      result.insert(sets[i].begin(), sets[i].end());
    } else {
      Members next;
      for (const std::string& member : result) {
        if (sets[i].contains(member) == (how == Combine::inter)) next.insert(member);
      }
      result = std::move(next);
    }
  }
  co_return result;
}

Future<Void> combine_command(CommandContext& c, Combine how) {
  reply_members(c, co_await combine(c, 1, c.args.size(), how));
}

Future<Void> combine_store_command(CommandContext& c, Combine how) {
  Members result = co_await combine(c, 2, c.args.size(), how);
  std::optional<Metadata> existing = co_await c.store.find(c.args[1]);
  if (existing) c.store.remove(c.args[1], *existing);
  if (!result.empty()) co_await add_members(c.store, c.args[1], {result.begin(), result.end()});
  c.reply.integer(static_cast<int64_t>(result.size()));
}

Future<Void> sintercard_command(CommandContext& c) {
  const InterCard request =
      intercard_arguments(c.args, "ERR numkeys should be greater than 0", true);
  const size_t end = 2 + request.keys.size();
  const int64_t limit = request.limit;
  const Members result = co_await combine(c, 2, end, Combine::inter);
  const auto size = static_cast<int64_t>(result.size());
  c.reply.integer(limit > 0 ? std::min(limit, size) : size);
}

Future<Void> sscan_command(CommandContext& c) {
  return scan_fields(c, RedisType::set, false);
}

}  // namespace

void add_set_commands(CommandTable& table) {
  auto add = [&](std::string name, int arity, uint32_t flags, KeyPositions keys,
                 std::string summary, std::string since, CommandHandler handler) {
    table.add(make_command(std::move(name), arity, flags, keys, "set", std::move(summary),
                           std::move(since), handler));
  };
  const KeyPositions key{1, 1, 1};
  const KeyPositions all{1, -1, 1};
  add("sadd", -3, write | fast, key, "Add members to a set", "1.0.0", sadd_command);
  add("srem", -3, write | fast, key, "Remove members from a set", "1.0.0", srem_command);
  add("smembers", 2, readonly, key, "Every member of a set", "1.0.0", smembers_command);
  add("sismember", 3, readonly | fast, key, "Whether a set has a member", "1.0.0",
      sismember_command);
  add("smismember", -3, readonly | fast, key, "Whether a set has each member", "6.2.0",
      smismember_command);
  add("scard", 2, readonly | fast, key, "The number of members of a set", "1.0.0", scard_command);
  add("spop", -2, write | fast, key, "Remove and return random members", "1.0.0", spop_command);
  add("srandmember", -2, readonly, key, "Random members of a set", "1.0.0", srandmember_command);
  add("smove", 4, write | fast, {1, 2, 1}, "Move a member to another set", "1.0.0", smove_command);
  add("sinter", -2, readonly, all, "The intersection of sets", "1.0.0",
      [](CommandContext& c) { return combine_command(c, Combine::inter); });
  add("sunion", -2, readonly, all, "The union of sets", "1.0.0",
      [](CommandContext& c) { return combine_command(c, Combine::unite); });
  add("sdiff", -2, readonly, all, "The difference of sets", "1.0.0",
      [](CommandContext& c) { return combine_command(c, Combine::diff); });
  add("sinterstore", -3, write, all, "Store the intersection of sets", "1.0.0",
      [](CommandContext& c) { return combine_store_command(c, Combine::inter); });
  add("sunionstore", -3, write, all, "Store the union of sets", "1.0.0",
      [](CommandContext& c) { return combine_store_command(c, Combine::unite); });
  add("sdiffstore", -3, write, all, "Store the difference of sets", "1.0.0",
      [](CommandContext& c) { return combine_store_command(c, Combine::diff); });
  add("sintercard", -3, readonly, {2, -1, 1}, "The size of the intersection of sets", "7.0.0",
      sintercard_command);
  add("sscan", -3, readonly, key, "Iterate over the members of a set", "2.8.0", sscan_command);
}

}  // namespace strata::redis
