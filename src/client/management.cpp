#include "client/management.h"

#include <type_traits>

#include "client/client_knobs.h"
#include "client/database_context.h"
#include "interfaces/data_distributor_interface.h"
#include "interfaces/status_interface.h"
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
  ConfigureReply reply = co_await ask_controller(database, configure_stream_at,
                                                 ConfigureRequest{std::move(words), {}});
  co_return reply.configuration;
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
