// Tenants against a real strata-server, as FoundationDB defines them: the management
// module creates, lists and deletes them; a tenant's transactions see only its keys,
// without its prefix, everywhere a key goes in or comes out; the rest of the database sees
// them under the prefix; a tenant deleted or emptied by another transaction is noticed.

#include <gtest/gtest.h>

#include "child_process.h"
#include "client/management.h"
#include "client_thread.h"
#include "interfaces/tenant_map.h"
#include "runtime/combinators.h"
#include "strata/database.h"

namespace strata {
namespace {

using testing::ChildProcess;
using testing::run_client;
using testing::TemporaryDirectory;

// Only against hangs: nothing here is timed.
constexpr double hang_guard_s = 120;

const std::string& tenant_map = tenant_management_prefix;

class TenantTest : public ::testing::Test {
 protected:
  void SetUp() override { server_ = testing::start_single_server(directory_.path(), hang_guard_s); }

  Database open() const {
    return Database::open(testing::cluster_file_at(directory_.path() + "/strata.cluster"));
  }

  TemporaryDirectory directory_;
  std::unique_ptr<ChildProcess> server_;
};

// Runs `body` in `run`'s retry loop and returns the error it ends with (success if none).
template <class Runner>
Future<ErrorCode> error_of(Runner& runner, std::function<Future<Void>(Transaction&)> body) {
  try {
    co_await timeout_error(runner.run(body), hang_guard_s);
  } catch (Error& error) {
    if (error.is_cancellation()) throw;
    co_return error.code();
  }
  co_return ErrorCode::success;
}

Future<Void> manage(Database database, std::string name, bool create) {
  co_await timeout_error(database.run([&](Transaction& tr) -> Future<Void> {
    tr.set_special_key_space_enable_writes();
    if (create) {
      tr.set(tenant_map + name, "");
    } else {
      tr.clear(tenant_map + name);
    }
    co_return;
  }),
                         hang_guard_s);
}

Future<std::optional<Value>> read(auto& runner, std::string key) {
  co_return co_await timeout_error(runner.run([&](Transaction& tr) { return tr.get(key); }),
                                   hang_guard_s);
}

Future<Void> write(auto& runner, std::string key, std::string value) {
  co_await timeout_error(runner.run([&](Transaction& tr) -> Future<Void> {
    tr.set(key, value);
    co_return;
  }),
                         hang_guard_s);
}

TEST_F(TenantTest, DisabledUntilConfigured) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    // Clearing the empty map succeeds in any mode (FoundationDB's tools begin so).
    co_await timeout_error(database.run([&](Transaction& tr) -> Future<Void> {
      tr.set_special_key_space_enable_writes();
      tr.clear_range(tenant_map, std::string("\xff\xff", 2) + "/management/tenant/map0");
      co_return;
    }),
                           hang_guard_s);
    EXPECT_EQ(co_await error_of(database,
                                [&](Transaction& tr) -> Future<Void> {
                                  tr.set_special_key_space_enable_writes();
                                  tr.set(tenant_map + "t", "");
                                  co_return;
                                }),
              ErrorCode::tenants_disabled);
    Tenant tenant = database.open_tenant("t");
    EXPECT_EQ(
        co_await error_of(tenant, [](Transaction& tr) -> Future<Void> { co_await tr.get("k"); }),
        ErrorCode::tenants_disabled);
    std::string configured = co_await timeout_error(
        configure_database(database, {"tenant_mode=optional_experimental"}), hang_guard_s);
    EXPECT_EQ(configured, "tenant_mode=optional_experimental");
    // Status shows it once the controller has read it (it looks every second or so).
    bool shown = false;
    for (int tries = 0; !shown && tries < hang_guard_s / 0.2; ++tries) {
      std::optional<Value> status = co_await read(database, std::string(status_json_key));
      shown =
          status && status->find(R"("tenant_mode":"optional_experimental")") != std::string::npos;
      if (!shown) co_await delay(0.2);
    }
    EXPECT_TRUE(shown) << "status never showed the new tenant_mode";
    EXPECT_EQ(
        co_await error_of(tenant, [](Transaction& tr) -> Future<Void> { co_await tr.get("k"); }),
        ErrorCode::tenant_not_found);
    co_await manage(database, "t", true);
    EXPECT_EQ(co_await read(tenant, "k"), std::nullopt);
    EXPECT_EQ(co_await timeout_error(tenant.get_id(), hang_guard_s), 1);
  });
}

TEST_F(TenantTest, ATenantSeesOnlyItsOwnKeys) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    co_await timeout_error(configure_database(database, {"tenant_mode=optional_experimental"}),
                           hang_guard_s);
    co_await manage(database, "one", true);
    co_await manage(database, "two", true);
    Tenant one = database.open_tenant("one");
    Tenant two = database.open_tenant("two");
    const Key prefix_one = tenant_prefix(co_await timeout_error(one.get_id(), hang_guard_s));
    const Key prefix_two = tenant_prefix(co_await timeout_error(two.get_id(), hang_guard_s));
    EXPECT_NE(prefix_one, prefix_two);

    co_await write(database, "k", "raw");
    co_await write(one, "k", "one");
    co_await write(two, "k", "two");
    EXPECT_EQ(co_await read(database, "k"), "raw");
    EXPECT_EQ(co_await read(one, "k"), "one");
    EXPECT_EQ(co_await read(two, "k"), "two");
    EXPECT_EQ(co_await read(database, prefix_one + "k"), "one");

    // Ranges, selectors and clears stay inside the tenant, and come back without the
    // prefix; a selector that runs off either end stops at the tenant's.
    co_await timeout_error(one.run([](Transaction& tr) -> Future<Void> {
      for (const char* key : {"a", "b", "c"})
        tr.set(key, std::string("v") + key);
      co_return;
    }),
                           hang_guard_s);
    RangeResult rows = co_await timeout_error(
        one.run([](Transaction& tr) { return tr.get_range("", "\xff"); }), hang_guard_s);
    EXPECT_EQ(rows.rows.size(), 4u);
    if (rows.rows.size() != 4u) co_return;
    EXPECT_EQ(rows.rows[0].key, "a");
    EXPECT_EQ(rows.rows[3].key, "k");
    RangeResult reversed = co_await timeout_error(
        one.run([](Transaction& tr) { return tr.get_range("b", "z", 1, /*reverse=*/true); }),
        hang_guard_s);
    EXPECT_EQ(reversed.rows.size(), 1u);
    if (reversed.rows.size() != 1u) co_return;
    EXPECT_EQ(reversed.rows[0].key, "k");
    EXPECT_EQ(co_await timeout_error(one.run([](Transaction& tr) {
                return tr.get_key(KeySelector::last_less_than("a"));
              }),
                                     hang_guard_s),
              "");
    EXPECT_EQ(co_await timeout_error(one.run([](Transaction& tr) {
                return tr.get_key(KeySelector::first_greater_than("k"));
              }),
                                     hang_guard_s),
              "\xff");
    EXPECT_EQ(co_await timeout_error(one.run([](Transaction& tr) {
                return tr.get_key(KeySelector::first_greater_or_equal("bb"));
              }),
                                     hang_guard_s),
              "c");
    co_await timeout_error(one.run([](Transaction& tr) -> Future<Void> {
      tr.clear_range("", "\xff");
      co_return;
    }),
                           hang_guard_s);
    EXPECT_EQ(co_await read(one, "k"), std::nullopt);
    EXPECT_EQ(co_await read(two, "k"), "two");
    EXPECT_EQ(co_await read(database, "k"), "raw");

    // No system keys, no special keys, no raw access in a tenant.
    Transaction tr = one.create_transaction();
    EXPECT_THROW(tr.set_access_system_keys(), Error);
    EXPECT_THROW(tr.set_raw_access(), Error);
    try {
      tr.set(std::string("\xff") + "x", "");
      ADD_FAILURE() << "a tenant wrote a system key";
    } catch (Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::key_outside_legal_range);
    }
  });
}

TEST_F(TenantTest, VersionstampsAndWatchesWorkUnderThePrefix) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    co_await timeout_error(configure_database(database, {"tenant_mode=optional_experimental"}),
                           hang_guard_s);
    co_await manage(database, "vs", true);
    Tenant tenant = database.open_tenant("vs");
    const Key prefix = tenant_prefix(co_await timeout_error(tenant.get_id(), hang_guard_s));
    Transaction tr = tenant.create_transaction();
    // "s/" then the 10-byte placeholder at position 2.
    tr.atomic_op(std::string("s/") + std::string(10, '\0') + std::string("\x02\0\0\0", 4), "x",
                 MutationType::set_versionstamped_key);
    Future<std::string> stamp = tr.get_versionstamp();
    co_await timeout_error(tr.commit(), hang_guard_s);
    const std::string versionstamp = co_await stamp;
    EXPECT_EQ(co_await read(tenant, "s/" + versionstamp), "x");
    EXPECT_EQ(co_await read(database, prefix + "s/" + versionstamp), "x");

    co_await write(tenant, "w", "0");
    Transaction watching = tenant.create_transaction();
    Future<Void> watch = watching.watch("w");
    co_await timeout_error(watching.commit(), hang_guard_s);
    co_await write(database, "w", "raw");  // the same key outside the tenant: no change
    co_await delay(0.5);
    EXPECT_FALSE(watch.is_ready()) << "a write outside the tenant fired its watch";
    co_await write(tenant, "w", "1");
    co_await timeout_error(watch, hang_guard_s);
  });
}

TEST_F(TenantTest, TheManagementModuleListsAndDeletes) {
  run_client([&]() -> Future<Void> {
    Database database = open();
    co_await timeout_error(configure_database(database, {"tenant_mode=optional_experimental"}),
                           hang_guard_s);
    co_await manage(database, "a", true);
    co_await manage(database, "b", true);
    RangeResult listed = co_await timeout_error(database.run([](Transaction& tr) {
      return tr.get_range(tenant_map, std::string("\xff\xff", 2) + "/management/tenant/map0");
    }),
                                                hang_guard_s);
    EXPECT_EQ(listed.rows.size(), 2u);
    if (listed.rows.size() != 2u) co_return;
    EXPECT_EQ(listed.rows[0].key, tenant_map + "a");
    EXPECT_EQ(listed.rows[0].value, tenant_entry_json("a", 1));
    EXPECT_EQ(listed.rows[1].value, tenant_entry_json("b", 2));
    EXPECT_EQ(co_await read(database, tenant_map + "b"), tenant_entry_json("b", 2));

    Tenant a = database.open_tenant("a");
    co_await write(a, "k", "v");
    EXPECT_EQ(co_await error_of(database,
                                [](Transaction& tr) -> Future<Void> {
                                  tr.set_special_key_space_enable_writes();
                                  tr.clear(tenant_map + "a");
                                  co_return;
                                }),
              ErrorCode::tenant_not_empty);
    // A transaction in the tenant that read before the deletion cannot commit after it.
    Transaction late = a.create_transaction();
    co_await timeout_error(late.get("k"), hang_guard_s);
    late.clear("k");
    co_await timeout_error(late.commit(), hang_guard_s);
    Transaction stale = a.create_transaction();
    co_await timeout_error(stale.get("other"), hang_guard_s);
    stale.set("other", "x");
    co_await manage(database, "a", false);
    try {
      co_await timeout_error(stale.commit(), hang_guard_s);
      ADD_FAILURE() << "a write into a deleted tenant committed";
    } catch (Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::not_committed);
    }
    EXPECT_EQ(co_await error_of(a, [](Transaction& tr) -> Future<Void> { co_await tr.get("k"); }),
              ErrorCode::tenant_not_found);
    // A tenant created again under the name is a new one, with a new prefix.
    co_await manage(database, "a", true);
    EXPECT_EQ(co_await timeout_error(a.get_id(), hang_guard_s), 3);
  });
}

}  // namespace
}  // namespace strata
