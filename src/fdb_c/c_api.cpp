// The API-version handshake, the network functions and the error functions.

#define FDB_API_VERSION 730
#include "fdb_c/network.h"
#include "fdb_c/options.h"
#include "foundationdb/fdb_c.h"
#include "runtime/error.h"

using strata::ErrorCode;
using strata::fdb_c::Network;

extern "C" {

const char* fdb_get_error(fdb_error_t code) {
  if (!strata::is_known_error_number(code)) return "Unknown error";
  // The descriptions are string literals, so the pointer stays valid.
  return strata::error_description(static_cast<ErrorCode>(code)).data();
}

fdb_bool_t fdb_error_predicate(int predicate_test, fdb_error_t code) {
  auto error = static_cast<ErrorCode>(code);
  switch (predicate_test) {
    case FDB_ERROR_PREDICATE_RETRYABLE:
      return strata::error_retryable(error);
    case FDB_ERROR_PREDICATE_MAYBE_COMMITTED:
      return strata::error_maybe_committed(error);
    case FDB_ERROR_PREDICATE_RETRYABLE_NOT_COMMITTED:
      return strata::error_retryable_not_committed(error);
    default:
      return 0;
  }
}

fdb_error_t fdb_select_api_version_impl(int runtime_version, int header_version) {
  return Network::instance().select_api_version(runtime_version, header_version);
}

int fdb_get_max_api_version(void) {
  return FDB_LATEST_API_VERSION;
}

const char* fdb_get_client_version(void) {
  return "strata " STRATA_VERSION;
}

fdb_error_t fdb_network_set_option(FDBNetworkOption option, uint8_t const* value,
                                   int value_length) {
  if (Network::instance().api_version() == 0)
    return static_cast<fdb_error_t>(ErrorCode::api_version_unset);
  return strata::fdb_c::set_network_option(option, value, value_length);
}

fdb_error_t fdb_setup_network(void) {
  return Network::instance().setup();
}

fdb_error_t fdb_run_network(void) {
  return Network::instance().run();
}

fdb_error_t fdb_stop_network(void) {
  return Network::instance().stop();
}

fdb_error_t fdb_add_network_thread_completion_hook(void (*hook)(void*), void* hook_parameter) {
  return Network::instance().add_completion_hook(hook, hook_parameter);
}

}  // extern "C"
