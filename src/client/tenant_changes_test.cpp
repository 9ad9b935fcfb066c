// The tenant map's changes against a database held in a std::map: the ids they give out,
// what they refuse, and which reads they make (each read must add a read conflict, so the
// test records them).

#include "client/tenant_changes.h"

#include <map>

#include <gtest/gtest.h>

#include "interfaces/tenant_map.h"

namespace strata {
namespace {

class TenantChangesTest : public ::testing::Test {
 protected:
  TenantMapReads reads() {
    return TenantMapReads{[this](Key key) -> Future<std::optional<Value>> {
                            read_keys.push_back(key);
                            auto it = database.find(key);
                            if (it == database.end())
                              return Future<std::optional<Value>>(std::nullopt);
                            return Future<std::optional<Value>>(std::optional<Value>(it->second));
                          },
                          [this](KeyRange range, int limit) -> Future<std::vector<KeyValue>> {
                            read_ranges.push_back(range);
                            std::vector<KeyValue> rows;
                            for (auto it = database.lower_bound(range.begin);
                                 it != database.end() && it->first < range.end; ++it) {
                              if (limit > 0 && static_cast<int>(rows.size()) == limit) break;
                              rows.push_back(KeyValue{it->first, it->second});
                            }
                            return Future<std::vector<KeyValue>>(std::move(rows));
                          }};
  }

  // Runs `changes` and applies what they write, as a commit would.
  void commit(std::vector<TenantChange> changes) {
    Future<std::vector<Mutation>> mutations = tenant_map_mutations(std::move(changes), reads());
    ASSERT_TRUE(mutations.is_ready());
    for (const Mutation& mutation : mutations.get()) {
      if (mutation.type == MutationType::set_value) {
        database[mutation.param1] = mutation.param2;
      } else {
        ASSERT_EQ(mutation.type, MutationType::clear_range);
        database.erase(database.lower_bound(mutation.param1),
                       database.lower_bound(mutation.param2));
      }
    }
  }

  // The error `changes` fail with (success if none).
  ErrorCode error_of(std::vector<TenantChange> changes) {
    Future<std::vector<Mutation>> mutations = tenant_map_mutations(std::move(changes), reads());
    EXPECT_TRUE(mutations.is_ready());
    return mutations.is_error() ? mutations.error().code() : ErrorCode::success;
  }

  static TenantChange create(const std::string& name) {
    Key entry = tenant_map_key(name);
    return TenantChange{TenantChange::Kind::create, single_key_range(entry)};
  }
  static TenantChange remove(const std::string& first, const std::string& end) {
    return TenantChange{TenantChange::Kind::remove,
                        KeyRange{tenant_map_key(first), tenant_map_key(end)}};
  }
  static TenantChange remove(const std::string& name) { return remove(name, name + '\0'); }

  std::optional<int64_t> id_of(const std::string& name) {
    auto it = database.find(tenant_map_key(name));
    if (it == database.end()) return std::nullopt;
    return decode_tenant_id(it->first, it->second);
  }

  void allow_tenants() { database[tenant_mode_key] = "optional_experimental"; }

  std::map<Key, Value> database;
  std::vector<Key> read_keys;
  std::vector<KeyRange> read_ranges;
};

TEST_F(TenantChangesTest, NoTenantCanBeCreatedWhileTheModeIsDisabled) {
  EXPECT_EQ(error_of({create("a")}), ErrorCode::tenants_disabled);
  database[tenant_mode_key] = "disabled";
  EXPECT_EQ(error_of({create("a")}), ErrorCode::tenants_disabled);
  // Deleting what does not exist needs no mode: clearing the empty map succeeds.
  EXPECT_EQ(error_of({remove("", "\xff")}), ErrorCode::success);
  EXPECT_EQ(database.size(), 1u) << "something besides the mode was written";
}

TEST_F(TenantChangesTest, IdsStartAtOneAndAreNeverGivenTwice) {
  allow_tenants();
  commit({create("a"), create("b")});
  EXPECT_EQ(id_of("a"), 1);
  EXPECT_EQ(id_of("b"), 2);
  commit({remove("a")});
  EXPECT_EQ(id_of("a"), std::nullopt);
  commit({create("a")});
  EXPECT_EQ(id_of("a"), 3) << "a deleted tenant's id came back";
  EXPECT_EQ(decode_tenant_id("", database[tenant_last_id_key]), 3);
  EXPECT_EQ(tenant_prefix(3), std::string("\0\0\0\0\0\0\0\x03", 8));
}

TEST_F(TenantChangesTest, CreatingAnExistingTenantOrDeletingAMissingOneChangesNothing) {
  allow_tenants();
  commit({create("a")});
  const std::map<Key, Value> before = database;
  commit({create("a")});
  commit({remove("missing")});
  EXPECT_EQ(database, before);
  // Within one transaction, the later change sees the earlier one.
  commit({create("b"), create("b"), remove("b"), remove("b"), create("b")});
  EXPECT_EQ(id_of("b"), 3);
}

TEST_F(TenantChangesTest, ATenantThatHoldsKeysCannotBeDeleted) {
  allow_tenants();
  commit({create("full")});
  database[tenant_prefix(1) + "k"] = "v";
  EXPECT_EQ(error_of({remove("full")}), ErrorCode::tenant_not_empty);
  EXPECT_EQ(error_of({remove("", "\xff")}), ErrorCode::tenant_not_empty);
  database.erase(tenant_prefix(1) + "k");
  commit({remove("", "\xff")});
  EXPECT_EQ(id_of("full"), std::nullopt);
}

TEST_F(TenantChangesTest, ARangeDeletesEveryTenantInIt) {
  allow_tenants();
  commit({create("a"), create("b"), create("c")});
  commit({remove("a", "c")});
  EXPECT_EQ(id_of("a"), std::nullopt);
  EXPECT_EQ(id_of("b"), std::nullopt);
  EXPECT_EQ(id_of("c"), 3);
  // One created earlier in the same transaction is deleted too.
  commit({create("bb"), remove("b", "c")});
  EXPECT_EQ(id_of("bb"), std::nullopt);
}

TEST_F(TenantChangesTest, KeysAlreadyUnderTheNextPrefixRefuseTheTenant) {
  allow_tenants();
  database[tenant_prefix(1) + "raw"] = "x";
  EXPECT_EQ(error_of({create("a")}), ErrorCode::tenant_prefix_allocator_conflict);
}

TEST_F(TenantChangesTest, EveryDecisionRestsOnAReadThatConflicts) {
  allow_tenants();
  commit({create("a")});
  read_keys.clear();
  read_ranges.clear();
  commit({create("b")});
  // The entry (a concurrent create of the same name), the mode, the last id (a concurrent
  // create of another), and the new prefix.
  EXPECT_EQ(read_keys,
            (std::vector<Key>{tenant_map_key("b"), tenant_mode_key, tenant_last_id_key}));
  ASSERT_EQ(read_ranges.size(), 1u);
  EXPECT_EQ(read_ranges[0].begin, tenant_prefix(2));
  read_ranges.clear();
  commit({remove("a")});
  // The entries, and the tenant's keys (a concurrent write into it).
  ASSERT_EQ(read_ranges.size(), 2u);
  EXPECT_EQ(read_ranges[1], (KeyRange{tenant_prefix(1), strinc(tenant_prefix(1))}));
}

TEST(TenantMap, EntriesAreShownAsFoundationDBShowsThem) {
  EXPECT_EQ(
      tenant_entry_json("t1", 1),
      R"({"id":1,"lock_state":"unlocked","name":{"base64":"dDE=","printable":"t1"},)"
      R"("prefix":{"base64":"AAAAAAAAAAE=","printable":"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01"}})");
  EXPECT_EQ(decode_tenant_id("k", encode_tenant_id(0x0102030405060708)), 0x0102030405060708);
  EXPECT_THROW(decode_tenant_id("k", "short"), Error);
  EXPECT_EQ(parse_tenant_mode("optional_experimental"), TenantMode::optional);
  EXPECT_EQ(parse_tenant_mode("required_experimental"), std::nullopt);
  EXPECT_EQ(tenant_mode_of(std::nullopt), TenantMode::disabled);
  try {
    check_tenant_name(
        std::string("\xff"
                    "x"));
    ADD_FAILURE() << "a name beginning with \\xff was accepted";
  } catch (Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::invalid_tenant_name);
  }
}

}  // namespace
}  // namespace strata
