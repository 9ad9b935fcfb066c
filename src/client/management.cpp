#include "client/management.h"

#include <type_traits>

#include "client/client_knobs.h"
#include "client/database_context.h"
#include "interfaces/data_distributor_interface.h"
#include "interfaces/status_interface.h"
#include "interfaces/tenant_map.h"
#include "runtime/combinators.h"

namespace strata {

namespace {

// Failures that mean "the controller moved or was not there": ask the new one.
bool controller_gone(const Error& error) {
  return error.is(ErrorCode::broken_promise) || error.is(ErrorCode::connection_failed) ||
         error.is(ErrorCode::request_maybe_delivered);
}

// Sends `request` to the elected controller, again to the next one if it moves.
template <class Request>
Future<ReplyType<Request>> ask_controller(Database database,
                                          RequestStream<Request> (*stream_at)(NetworkAddress),
                                          Request request) {
  while (true) {
    NetworkAddress controller = co_await database.context()->controller_address();
    std::optional<Error> failure;
    try {
      if constexpr (std::is_same_v<ReplyType<Request>, Void>) {
        co_await stream_at(controller).get_reply(request);
        co_return;
      } else {
        co_return co_await stream_at(controller).get_reply(request);
      }
    } catch (Error& error) {
      if (error.is_cancellation()) throw;
      failure = error;
    }
    if (!controller_gone(*failure)) throw *failure;
    co_await delay(client_knobs().retry_delay_s);
  }
}

}  // namespace

Future<std::string> configure_database(Database database, std::vector<std::string> words) {
  // tenant_mode is a setting of the data, not of the roles: a key in the database (see
  // interfaces/tenant_map.h), written by a transaction and in force from its commit on. The
  // rest goes to the controller, which checks it (nothing changes if a word is wrong).
  const std::string tenant_mode_word = "tenant_mode=";
  std::optional<TenantMode> tenant_mode;
  std::vector<std::string> role_words;
  for (std::string& word : words) {
    if (!word.starts_with(tenant_mode_word)) {
      role_words.push_back(std::move(word));
      continue;
    }
    tenant_mode = parse_tenant_mode(std::string_view(word).substr(tenant_mode_word.size()));
    if (!tenant_mode) {
      throw Error(ErrorCode::client_invalid_operation,
                  "configure: `" + word +
                      "' names no tenant mode Strata has (disabled or optional_experimental; "
                      "required_experimental is not provided)");
    }
  }
  std::string configuration;
  if (!role_words.empty()) {
    ConfigureReply reply = co_await ask_controller(database, configure_stream_at,
                                                   ConfigureRequest{std::move(role_words), {}});
    configuration = reply.configuration;
  }
  if (tenant_mode) {
    co_await database.run([mode = *tenant_mode](Transaction& transaction) -> Future<Void> {
      transaction.set_access_system_keys();
      transaction.set(tenant_mode_key, tenant_mode_name(mode));
      co_return;
    });
    if (!configuration.empty()) configuration += " ";
    configuration += "tenant_mode=" + std::string(tenant_mode_name(*tenant_mode));
  }
  co_return configuration;
}

Future<Void> set_tenant_exists(Database database, std::string name, bool exists) {
  const std::string key = tenant_management_prefix + name;
  co_await database.run([&key, exists](Transaction& transaction) -> Future<Void> {
    transaction.set_special_key_space_enable_writes();
    if (exists) {
      transaction.set(key, "");
    } else {
      transaction.clear(key);
    }
    co_return;
  });
}

Future<TenantMode> read_tenant_mode(Database database) {
  co_return co_await database.run([](Transaction& transaction) -> Future<TenantMode> {
    transaction.set_read_system_keys();
    co_return tenant_mode_of(co_await transaction.get(tenant_mode_key));
  });
}

Future<Void> remove_storage_server(Database database, UID id) {
  co_await ask_controller(database, remove_storage_server_stream_at,
                          RemoveStorageServerRequest{id, {}});
}

Future<std::string> change_coordinators(Database database, std::vector<NetworkAddress> coordinators,
                                        bool automatic) {
  ChangeCoordinatorsReply reply =
      co_await ask_controller(database, change_coordinators_stream_at,
                              ChangeCoordinatorsRequest{std::move(coordinators), automatic, {}});
  co_return reply.connection;
}

Future<Void> reboot_process(NetworkAddress address, double delay_s) {
  co_await reboot_stream_at(address).get_reply(RebootRequest{delay_s, {}});
}

}  // namespace strata
