#include "fdb_c/options.h"

#include <climits>
#include <cstring>
#include <string_view>

#include "fdb_c/network.h"
#include "runtime/error.h"
#include "runtime/knobs.h"

namespace strata::fdb_c {

namespace {

constexpr fdb_error_t code_of(ErrorCode error) {
  return static_cast<fdb_error_t>(error);
}
constexpr fdb_error_t invalid_option = code_of(ErrorCode::invalid_option);
constexpr fdb_error_t invalid_option_value = code_of(ErrorCode::invalid_option_value);

enum class Parameter { none, integer, text };
enum class Support { honoured, ignored, refused };

struct OptionSpec {
  int code;
  Parameter parameter;
  Support support;
  int64_t lowest = 0;   // integers: the accepted range
  int64_t highest = 0;  // text: the longest accepted length (0: any)
};

// Transaction options. Ignored ones: causal_write_risky (every commit is fully causal),
// include_port_in_address (addresses always have one), commit_on_first_proxy,
// check_writes_enable, read_ahead_disable, durability_* (every commit is durable),
// raw_access (there are no tenants), the debugging and tracing options,
// used_during_commit_protection_disable, read_lock_aware (no database lock yet),
// first_in_batch, use_provisional_proxies, special_key_space_relaxed, tags (no
// throttling), span_parent, expensive_clear_cost_estimation_enable, the read-version
// cache options and authorization_token (no tenants). Refused: initialize_new_database,
// idempotency_id, automatic_idempotency (Strata cannot yet tell whether an unknown
// commit happened), report_conflicting_keys, special_key_space_enable_writes,
// bypass_unreadable.
constexpr OptionSpec transaction_options[] = {
    {10, Parameter::none, Support::ignored},
    {20, Parameter::none, Support::honoured},
    {21, Parameter::none, Support::honoured},
    {23, Parameter::none, Support::ignored},
    {30, Parameter::none, Support::honoured},
    {40, Parameter::none, Support::ignored},
    {50, Parameter::none, Support::ignored},
    {51, Parameter::none, Support::honoured},
    {52, Parameter::none, Support::ignored},
    {110, Parameter::none, Support::ignored},
    {120, Parameter::none, Support::ignored},
    {130, Parameter::none, Support::ignored},
    {200, Parameter::none, Support::honoured},
    {201, Parameter::none, Support::honoured},
    {300, Parameter::none, Support::refused},
    {301, Parameter::none, Support::honoured},
    {302, Parameter::none, Support::honoured},
    {303, Parameter::none, Support::ignored},
    {400, Parameter::none, Support::ignored},
    {401, Parameter::text, Support::ignored},
    {402, Parameter::text, Support::ignored, 0, 100},
    {403, Parameter::text, Support::ignored, 0, 100},
    {404, Parameter::none, Support::ignored},
    {405, Parameter::integer, Support::ignored, INT_MIN, INT_MAX},
    {406, Parameter::none, Support::ignored},
    {500, Parameter::integer, Support::honoured, 0, INT_MAX},
    {501, Parameter::integer, Support::honoured, -1, INT_MAX},
    {502, Parameter::integer, Support::honoured, 0, INT_MAX},
    {503, Parameter::integer, Support::honoured, 32, 10'000'000},
    {504, Parameter::text, Support::refused},
    {505, Parameter::none, Support::refused},
    {600, Parameter::none, Support::honoured},
    {601, Parameter::none, Support::honoured},
    {700, Parameter::none, Support::honoured},
    {701, Parameter::none, Support::ignored},
    {702, Parameter::none, Support::ignored},
    {710, Parameter::none, Support::ignored},
    {711, Parameter::none, Support::ignored},
    {712, Parameter::none, Support::refused},
    {713, Parameter::none, Support::ignored},
    {714, Parameter::none, Support::refused},
    {800, Parameter::text, Support::ignored, 0, 16},
    {801, Parameter::text, Support::ignored, 0, 16},
    {900, Parameter::text, Support::ignored},
    {1000, Parameter::none, Support::ignored},
    {1100, Parameter::none, Support::refused},
    {1101, Parameter::none, Support::ignored},
    {1102, Parameter::none, Support::ignored},
    {2000, Parameter::text, Support::ignored},
};

// Database options. Honoured: max_watches, snapshot_ryw_*, the transaction defaults.
// Ignored: location_cache_size, machine_id, datacenter_id,
// transaction_logging_max_field_length, transaction_include_port_in_address. Refused:
// transaction_automatic_idempotency, transaction_bypass_unreadable, use_config_database,
// test_causal_read_risky.
constexpr OptionSpec database_options[] = {
    {10, Parameter::integer, Support::ignored, INT_MIN, INT_MAX},
    {20, Parameter::integer, Support::honoured, 0, 1'000'000},
    {21, Parameter::text, Support::ignored},
    {22, Parameter::text, Support::ignored},
    {26, Parameter::none, Support::honoured},
    {27, Parameter::none, Support::honoured},
    {405, Parameter::integer, Support::ignored, INT_MIN, INT_MAX},
    {500, Parameter::integer, Support::honoured, 0, INT_MAX},
    {501, Parameter::integer, Support::honoured, -1, INT_MAX},
    {502, Parameter::integer, Support::honoured, 0, INT_MAX},
    {503, Parameter::integer, Support::honoured, 32, 10'000'000},
    {504, Parameter::none, Support::honoured},
    {505, Parameter::none, Support::ignored},
    {506, Parameter::none, Support::refused},
    {700, Parameter::none, Support::refused},
    {800, Parameter::none, Support::refused},
    {900, Parameter::none, Support::refused},
};

// Network options. Honoured: knob. Refused: TLS (Strata has no TLS yet; ignoring them
// would send in the clear what the application meant to protect). Everything else is
// accepted without effect: tracing, the simulator's buggify switches, and the
// multi-version client's options (libfdb_c.so is the only client).
constexpr OptionSpec network_options[] = {
    {10, Parameter::text, Support::ignored},
    {20, Parameter::text, Support::ignored},
    {30, Parameter::text, Support::ignored},
    {31, Parameter::integer, Support::ignored, 0, INT64_MAX},
    {32, Parameter::integer, Support::ignored, 0, INT64_MAX},
    {33, Parameter::text, Support::ignored},
    {34, Parameter::text, Support::ignored},
    {35, Parameter::text, Support::ignored},
    {36, Parameter::text, Support::ignored},
    {37, Parameter::none, Support::ignored},
    {39, Parameter::text, Support::ignored},
    {40, Parameter::text, Support::honoured},
    {41, Parameter::text, Support::refused},
    {42, Parameter::text, Support::refused},
    {43, Parameter::text, Support::refused},
    {45, Parameter::text, Support::refused},
    {46, Parameter::text, Support::refused},
    {47, Parameter::text, Support::refused},
    {48, Parameter::none, Support::ignored},
    {49, Parameter::none, Support::ignored},
    {50, Parameter::integer, Support::ignored, 0, 100},
    {51, Parameter::integer, Support::ignored, 0, 100},
    {52, Parameter::text, Support::refused},
    {53, Parameter::text, Support::refused},
    {54, Parameter::text, Support::refused},
    {60, Parameter::none, Support::ignored},
    {61, Parameter::none, Support::ignored},
    {62, Parameter::text, Support::ignored},
    {63, Parameter::text, Support::ignored},
    {64, Parameter::none, Support::ignored},
    {65, Parameter::integer, Support::ignored, INT64_MIN, INT64_MAX},
    {66, Parameter::text, Support::ignored},
    {70, Parameter::none, Support::ignored},
    {71, Parameter::none, Support::ignored},
    {72, Parameter::none, Support::ignored},
    {80, Parameter::none, Support::ignored},
    {81, Parameter::none, Support::ignored},
    {82, Parameter::integer, Support::ignored, 0, 100},
    {83, Parameter::integer, Support::ignored, 0, 100},
    {90, Parameter::text, Support::ignored},
    {91, Parameter::text, Support::ignored},
    {1000, Parameter::text, Support::ignored},
    {1001, Parameter::none, Support::ignored},
    {1002, Parameter::integer, Support::ignored, INT64_MIN, INT64_MAX},
};

template <size_t N>
const OptionSpec* find_option(const OptionSpec (&table)[N], int code) {
  for (const OptionSpec& spec : table) {
    if (spec.code == code) return &spec;
  }
  return nullptr;
}

// Finds the option and checks its parameter: an integer is 8 bytes, little-endian, within
// the option's range; a text no longer than its limit.
template <size_t N>
fdb_error_t check_option(const OptionSpec (&table)[N], int code, const uint8_t* value, int length,
                         const OptionSpec** spec_out, int64_t* number) {
  const OptionSpec* spec = find_option(table, code);
  if (spec == nullptr || spec->support == Support::refused) return invalid_option;
  if (length < 0 || (length > 0 && value == nullptr)) return invalid_option_value;
  if (spec->parameter == Parameter::integer) {
    if (length != 8) return invalid_option_value;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; --i)
      bits = (bits << 8) | value[i];
    *number = static_cast<int64_t>(bits);
    if (*number < spec->lowest || *number > spec->highest) return invalid_option_value;
  } else if (spec->parameter == Parameter::text && spec->highest > 0 && length > spec->highest) {
    return invalid_option_value;
  }
  *spec_out = spec;
  return 0;
}

}  // namespace

fdb_error_t parse_transaction_option(int code, const uint8_t* value, int length,
                                     TransactionOption* out) {
  const OptionSpec* spec = nullptr;
  int64_t number = 0;
  if (fdb_error_t error = check_option(transaction_options, code, value, length, &spec, &number))
    return error;
  *out = TransactionOption{spec->support == Support::honoured ? code : 0, number};
  return 0;
}

void apply_transaction_option(Transaction& transaction, const TransactionOption& option) {
  switch (option.code) {
    case 0:
      return;
    case 20:
    case 21:
      return transaction.set_causal_read_risky();
    case 30:
      return transaction.set_next_write_no_write_conflict_range();
    case 51:
      return transaction.set_read_your_writes_disable();
    case 200:
      return transaction.set_priority(ReadVersionPriority::immediate);
    case 201:
      return transaction.set_priority(ReadVersionPriority::batch);
    case 301:
      return transaction.set_access_system_keys();
    case 302:
      return transaction.set_read_system_keys();
    case 500:
      return transaction.set_timeout_ms(option.number);
    case 501:
      return transaction.set_retry_limit(option.number);
    case 502:
      return transaction.set_max_retry_delay_ms(option.number);
    case 503:
      return transaction.set_size_limit(option.number);
    case 600:
      return transaction.set_snapshot_read_your_writes(true);
    case 601:
      return transaction.set_snapshot_read_your_writes(false);
    case 700:
      return transaction.set_lock_aware();
    default:
      throw Error(ErrorCode::invalid_option);
  }
}

fdb_error_t parse_database_option(int code, const uint8_t* value, int length, DatabaseOption* out) {
  const OptionSpec* spec = nullptr;
  int64_t number = 0;
  if (fdb_error_t error = check_option(database_options, code, value, length, &spec, &number))
    return error;
  *out = DatabaseOption{};
  if (spec->support != Support::honoured) return 0;
  switch (code) {
    case 20:
      out->max_watches = number;
      break;
    case 26:
      out->transaction_default = {600, 0};
      break;
    case 27:
      out->transaction_default = {601, 0};
      break;
    case 504:
      out->transaction_default = {20, 0};
      break;
    default:  // 500-503: the transaction option of the same code
      out->transaction_default = {code, number};
      break;
  }
  return 0;
}

fdb_error_t set_network_option(int code, const uint8_t* value, int length) {
  const OptionSpec* spec = nullptr;
  int64_t number = 0;
  if (fdb_error_t error = check_option(network_options, code, value, length, &spec, &number))
    return error;
  if (code != 40) return 0;
  // knob: NAME=VALUE, before the network is set up (knobs are read on the network thread).
  if (Network::instance().is_set_up()) return code_of(ErrorCode::network_already_setup);
  std::string_view setting(reinterpret_cast<const char*>(value), static_cast<size_t>(length));
  size_t equals = setting.find('=');
  if (equals == std::string_view::npos) return invalid_option_value;
  try {
    set_knob(setting.substr(0, equals), setting.substr(equals + 1));
  } catch (const Error&) {
    return invalid_option_value;
  }
  return 0;
}

}  // namespace strata::fdb_c
