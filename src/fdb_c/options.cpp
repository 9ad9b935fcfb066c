#include "fdb_c/options.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
// the debugging and tracing options,
// used_during_commit_protection_disable, read_lock_aware (no database lock yet),
// first_in_batch, use_provisional_proxies, special_key_space_relaxed, tags (no
// throttling), span_parent, expensive_clear_cost_estimation_enable, the read-version
// cache options and authorization_token (no tenants). Refused: initialize_new_database,
// idempotency_id, automatic_idempotency (Strata cannot yet tell whether an unknown
// commit happened), bypass_unreadable.
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
    {303, Parameter::none, Support::honoured},
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
    {712, Parameter::none, Support::honoured},
    {713, Parameter::none, Support::ignored},
    {714, Parameter::none, Support::honoured},
    {800, Parameter::text, Support::ignored, 0, 16},
    {801, Parameter::text, Support::ignored, 0, 16},
    {900, Parameter::text, Support::ignored},
    {1000, Parameter::none, Support::ignored},
    {1100, Parameter::none, Support::refused},
    {1101, Parameter::none, Support::ignored},
    {1102, Parameter::none, Support::ignored},
    {2000, Parameter::text, Support::ignored},
};

// Database options. Honoured: max_watches, machine_id and datacenter_id (reads prefer the
// members of a shard's team on that machine, then in that zone), snapshot_ryw_*, the
// transaction defaults. Ignored: location_cache_size,
// transaction_logging_max_field_length, transaction_include_port_in_address. Refused:
// transaction_automatic_idempotency, transaction_bypass_unreadable, use_config_database,
// test_causal_read_risky.
constexpr OptionSpec database_options[] = {
    {10, Parameter::integer, Support::ignored, INT_MIN, INT_MAX},
    {20, Parameter::integer, Support::honoured, 0, 1'000'000},
    {21, Parameter::text, Support::honoured},
    {22, Parameter::text, Support::honoured},
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

// Network options. Honoured: knob, and the client's trace files (trace_enable, roll and
// total sizes, log group, format, file identifier). Refused: TLS (Strata has no TLS yet;
// ignoring them would send in the clear what the application meant to protect).
// Everything else is accepted without effect: the other tracing options, the simulator's
// buggify switches, and the multi-version client's options (libfdb_c.so is the only
// client).
constexpr OptionSpec network_options[] = {
    {10, Parameter::text, Support::ignored},
    {20, Parameter::text, Support::ignored},
    {30, Parameter::text, Support::honoured},
    {31, Parameter::integer, Support::honoured, 0, INT64_MAX},
    {32, Parameter::integer, Support::honoured, 0, INT64_MAX},
    {33, Parameter::text, Support::honoured},
    {34, Parameter::text, Support::honoured},
    {35, Parameter::text, Support::ignored},
    {36, Parameter::text, Support::honoured},
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

// The network options by FoundationDB's names, for FDB_NETWORK_OPTION_<NAME>.
constexpr std::pair<std::string_view, int> network_option_names[] = {
    {"LOCAL_ADDRESS", 10},
    {"CLUSTER_FILE", 20},
    {"TRACE_ENABLE", 30},
    {"TRACE_ROLL_SIZE", 31},
    {"TRACE_MAX_LOGS_SIZE", 32},
    {"TRACE_LOG_GROUP", 33},
    {"TRACE_FORMAT", 34},
    {"TRACE_CLOCK_SOURCE", 35},
    {"TRACE_FILE_IDENTIFIER", 36},
    {"TRACE_SHARE_AMONG_CLIENT_THREADS", 37},
    {"TRACE_PARTIAL_FILE_SUFFIX", 39},
    {"KNOB", 40},
    {"TLS_PLUGIN", 41},
    {"TLS_CERT_BYTES", 42},
    {"TLS_CERT_PATH", 43},
    {"TLS_KEY_BYTES", 45},
    {"TLS_KEY_PATH", 46},
    {"TLS_VERIFY_PEERS", 47},
    {"BUGGIFY_ENABLE", 48},
    {"BUGGIFY_DISABLE", 49},
    {"BUGGIFY_SECTION_ACTIVATED_PROBABILITY", 50},
    {"BUGGIFY_SECTION_FIRED_PROBABILITY", 51},
    {"TLS_CA_BYTES", 52},
    {"TLS_CA_PATH", 53},
    {"TLS_PASSWORD", 54},
    {"DISABLE_MULTI_VERSION_CLIENT_API", 60},
    {"CALLBACKS_ON_EXTERNAL_THREADS", 61},
    {"EXTERNAL_CLIENT_LIBRARY", 62},
    {"EXTERNAL_CLIENT_DIRECTORY", 63},
    {"DISABLE_LOCAL_CLIENT", 64},
    {"CLIENT_THREADS_PER_VERSION", 65},
    {"FUTURE_VERSION_CLIENT_LIBRARY", 66},
    {"DISABLE_CLIENT_STATISTICS_LOGGING", 70},
    {"ENABLE_SLOW_TASK_PROFILING", 71},
    {"ENABLE_RUN_LOOP_PROFILING", 71},
    {"DISABLE_CLIENT_BYPASS", 72},
    {"CLIENT_BUGGIFY_ENABLE", 80},
    {"CLIENT_BUGGIFY_DISABLE", 81},
    {"CLIENT_BUGGIFY_SECTION_ACTIVATED_PROBABILITY", 82},
    {"CLIENT_BUGGIFY_SECTION_FIRED_PROBABILITY", 83},
    {"DISTRIBUTED_CLIENT_TRACER", 90},
    {"CLIENT_TMP_DIR", 91},
    {"SUPPORTED_CLIENT_VERSIONS", 1000},
    {"EXTERNAL_CLIENT", 1001},
    {"EXTERNAL_CLIENT_TRANSPORT_ID", 1002},
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
    case 303:
      return transaction.set_raw_access();
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
    case 712:
      return transaction.set_report_conflicting_keys();
    case 714:
      return transaction.set_special_key_space_enable_writes();
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
    case 21:
      out->machine_id = std::string(reinterpret_cast<const char*>(value),
                                    static_cast<size_t>(std::max(length, 0)));
      break;
    case 22:
      out->datacenter_id = std::string(reinterpret_cast<const char*>(value),
                                       static_cast<size_t>(std::max(length, 0)));
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
  if (spec->support != Support::honoured) return 0;
  // The honoured ones shape the network thread: they must come before it is set up.
  Network& network = Network::instance();
  if (network.is_set_up()) return code_of(ErrorCode::network_already_setup);
  std::string text(reinterpret_cast<const char*>(value), static_cast<size_t>(length));
  try {
    switch (code) {
      case 30:  // trace_enable: a folder, or the current one
        network.set_trace_directory(text.empty() ? "." : text);
        return 0;
      case 31:  // trace_roll_size
        set_knob("trace_file_bytes_max", std::to_string(number));
        return 0;
      case 32:  // trace_max_logs_size
        set_knob("trace_total_bytes_max", std::to_string(number));
        return 0;
      case 33:  // trace_log_group
        network.set_trace_log_group(text);
        return 0;
      case 34:  // trace_format: Strata writes JSON lines whichever is asked
        return text == "json" || text == "xml" ? 0 : invalid_option_value;
      case 36:  // trace_file_identifier: replaces the process part of the file names
        if (text.find('/') != std::string::npos) return invalid_option_value;
        network.set_trace_file_identifier(text);
        return 0;
      case 40: {  // knob: NAME=VALUE (knobs are read on the network thread)
        size_t equals = text.find('=');
        if (equals == std::string::npos) return invalid_option_value;
        set_knob(std::string_view(text).substr(0, equals),
                 std::string_view(text).substr(equals + 1));
        return 0;
      }
    }
  } catch (const Error&) {
    return invalid_option_value;
  }
  return 0;
}

namespace {

// FoundationDB's rule for an option given in the environment: several values are separated
// by ':', and a backslash takes the next character as it is.
std::vector<std::string> split_option_values(std::string_view text) {
  std::vector<std::string> values(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      values.back() += text[++i];
    } else if (text[i] == ':') {
      values.emplace_back();
    } else {
      values.back() += text[i];
    }
  }
  return values;
}

}  // namespace

fdb_error_t set_network_options_from_environment() {
  for (const auto& [name, code] : network_option_names) {
    const std::string variable = "FDB_NETWORK_OPTION_" + std::string(name);
    const char* text = std::getenv(variable.c_str());
    if (text == nullptr) continue;
    const OptionSpec* spec = find_option(network_options, code);
    if (spec == nullptr || spec->support == Support::refused) return invalid_option;
    for (const std::string& value : split_option_values(text)) {
      std::string bytes;
      if (spec->parameter == Parameter::integer) {
        char* end = nullptr;
        errno = 0;
        long long number = std::strtoll(value.c_str(), &end, 10);
        if (value.empty() || *end != '\0' || errno != 0) return invalid_option_value;
        for (int i = 0; i < 8; ++i)
          bytes += static_cast<char>(static_cast<uint64_t>(number) >> (8 * i));
      } else if (spec->parameter == Parameter::text) {
        bytes = value;
      }
      if (fdb_error_t error = set_network_option(
              code, reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size())))
        return error;
    }
  }
  return 0;
}

}  // namespace strata::fdb_c
