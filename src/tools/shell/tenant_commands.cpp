// tenant and usetenant: FoundationDB's tenants from the shell, through the management
// module (\xff\xff/management/tenant/map/), as fdbcli's tenant commands do.

#include <nlohmann/json.hpp>

#include "client/management.h"
#include "interfaces/tenant_map.h"
#include "runtime/combinators.h"
#include "tools/shell/commands.h"
#include "tools/shell/shell.h"

namespace strata::shell {

namespace {

const std::string& tenant_map = tenant_management_prefix;

// The tenant `usetenant' chose may change only between transactions.
void require_no_transaction(const Shell& shell, std::string_view what) {
  if (shell.state().transaction) {
    throw Error(ErrorCode::client_invalid_operation,
                std::string(what) + ": commit or roll back the transaction `begin' started first");
  }
}

// Creates (or deletes) tenant `name`, failing with tenant_already_exists (tenant_not_found)
// when it exists (does not) as the change is first tried. A retry after an unknown result
// does not look again: the first attempt may have made the change.
Future<Void> change_tenant(Shell& shell, std::string name, bool create) {
  require_no_transaction(shell, "tenant commands run in their own transaction");
  co_await shell.connect();
  bool checked = false;
  co_await timeout_error(shell.database().run([&](Transaction& transaction) -> Future<Void> {
    transaction.set_special_key_space_enable_writes();
    const std::string key = tenant_map + name;
    if (!checked) {
      const bool exists = (co_await transaction.get(key)).has_value();
      checked = true;
      if (create && exists) throw Error(ErrorCode::tenant_already_exists);
      if (!create && !exists) throw Error(ErrorCode::tenant_not_found);
    }
    if (create) {
      transaction.set(key, "");
    } else {
      transaction.clear(key);
    }
  }),
                         shell.options().timeout_s);
  say("The tenant " + in_quotes(name) + " has been " + (create ? "created" : "deleted"));
}

Future<Void> list_tenants(Shell& shell, const Words& arguments) {
  const std::string begin = arguments.size() > 1 ? arguments[1] : "";
  const std::string end = arguments.size() > 2 ? arguments[2] : "\xff";
  int limit = 100;
  if (arguments.size() > 3) {
    try {
      limit = std::stoi(arguments[3]);
    } catch (...) {
      limit = 0;
    }
    if (limit <= 0) {
      throw Error(
          ErrorCode::client_invalid_operation,
          "tenant list: the limit must be a positive number, not " + in_quotes(arguments[3]));
    }
  }
  co_await shell.connect();
  RangeResult rows = co_await timeout_error(shell.database().run([&](Transaction& transaction) {
    return transaction.get_range(tenant_map + begin, tenant_map + end, limit);
  }),
                                            shell.options().timeout_s);
  if (rows.rows.empty()) {
    say("The cluster has no tenants in the range given");
    co_return;
  }
  int index = 0;
  for (const KeyValue& row : rows.rows)
    say("  " + std::to_string(++index) + ". " + in_quotes(row.key.substr(tenant_map.size())));
}

Future<Void> get_tenant(Shell& shell, const Words& arguments) {
  const std::string& name = arguments[1];
  const bool json = arguments.size() > 2 && arguments[2] == "JSON";
  if (arguments.size() > 2 && !json) {
    throw Error(ErrorCode::client_invalid_operation,
                "tenant get NAME [JSON]: unknown word " + in_quotes(arguments[2]));
  }
  co_await shell.connect();
  std::optional<Value> entry =
      co_await timeout_error(shell.database().run([&](Transaction& transaction) {
        return transaction.get(tenant_map + name);
      }),
                             shell.options().timeout_s);
  if (!entry) throw Error(ErrorCode::tenant_not_found);
  if (json) {
    say(*entry);
    co_return;
  }
  nlohmann::json parsed = nlohmann::json::parse(*entry);
  say("  id: " + std::to_string(parsed["id"].get<int64_t>()));
  say("  prefix: " + parsed["prefix"]["printable"].get<std::string>());
  say("  lock state: " + parsed["lock_state"].get<std::string>());
}

}  // namespace

Future<Void> tenant_command(Shell& shell, const Words& arguments) {
  const std::string& verb = arguments[0];
  const size_t count = arguments.size();
  if ((verb == "create" || verb == "delete") && count == 2) {
    co_await change_tenant(shell, arguments[1], verb == "create");
  } else if (verb == "list" && count <= 4) {
    co_await list_tenants(shell, arguments);
  } else if (verb == "get" && (count == 2 || count == 3)) {
    co_await get_tenant(shell, arguments);
  } else {
    throw Error(ErrorCode::client_invalid_operation,
                "usage: tenant create NAME | tenant delete NAME | tenant list [BEGIN [END "
                "[LIMIT]]] | tenant get NAME [JSON]");
  }
}

Future<Void> usetenant_command(Shell& shell, const Words& arguments) {
  if (arguments.empty()) {
    const std::optional<std::string>& tenant = shell.state().tenant;
    say(tenant ? "Using tenant " + in_quotes(*tenant) : std::string("Using no tenant"));
    co_return;
  }
  require_no_transaction(shell, "the tenant cannot change in the middle of a transaction");
  check_tenant_name(arguments[0]);
  shell.state().tenant = arguments[0];
  say("Using tenant " + in_quotes(arguments[0]));
}

Future<Void> defaulttenant_command(Shell& shell, const Words&) {
  require_no_transaction(shell, "the tenant cannot change in the middle of a transaction");
  shell.state().tenant.reset();
  say("Using no tenant");
  co_return;
}

}  // namespace strata::shell
