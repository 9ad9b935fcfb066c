#include "tools/shell/transaction_options.h"

#include <algorithm>
#include <cctype>

#include "interfaces/types.h"
#include "tools/shell/escaping.h"

namespace strata::shell {

namespace {

constexpr int group_priority = 1;
constexpr int group_snapshot_ryw = 2;

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

// Built on first use (a static of a function, so no initialization order to worry about).
const std::vector<OptionSpec>& option_specs() {
  static const std::vector<OptionSpec> specs = {
      {"timeout", "MILLISECONDS",
       "fail a transaction with transaction_timed_out once it is this old (0: never)",
       [](Transaction& tr, int64_t ms) { tr.set_timeout_ms(ms); },
       [](Transaction& tr) { tr.set_timeout_ms(0); }, 0},
      {"retry_limit", "RETRIES",
       "retry an autocommit transaction at most this often (-1: no limit)",
       [](Transaction& tr, int64_t retries) { tr.set_retry_limit(retries); },
       [](Transaction& tr) { tr.set_retry_limit(-1); }, 0},
      {"max_retry_delay", "MILLISECONDS", "the longest pause between retries (default 1000)",
       [](Transaction& tr, int64_t ms) { tr.set_max_retry_delay_ms(ms); },
       [](Transaction& tr) { tr.set_max_retry_delay_ms(1000); }, 0},
      {"size_limit", "BYTES", "the largest a transaction may be (32 to 10000000, the default)",
       [](Transaction& tr, int64_t bytes) { tr.set_size_limit(bytes); },
       [](Transaction& tr) { tr.set_size_limit(static_cast<int64_t>(transaction_size_limit)); }, 0},
      {"read_your_writes_disable", "",
       "reads see only the database, not the transaction's own writes (before any read or write)",
       [](Transaction& tr, int64_t) { tr.set_read_your_writes_disable(); }, nullptr, 0},
      {"snapshot_ryw_enable", "", "snapshot reads see the transaction's own writes (the default)",
       [](Transaction& tr, int64_t) { tr.set_snapshot_read_your_writes(true); },
       [](Transaction& tr) { tr.set_snapshot_read_your_writes(true); }, group_snapshot_ryw},
      {"snapshot_ryw_disable", "", "snapshot reads do not see the transaction's own writes",
       [](Transaction& tr, int64_t) { tr.set_snapshot_read_your_writes(false); },
       [](Transaction& tr) { tr.set_snapshot_read_your_writes(true); }, group_snapshot_ryw},
      {"next_write_no_write_conflict_range", "",
       "the next set, clear or clearrange adds no write conflict range",
       [](Transaction& tr, int64_t) { tr.set_next_write_no_write_conflict_range(); }, nullptr, 0},
      {"access_system_keys", "", "reads and writes may use the system keys (\\xff to \\xff\\xff)",
       [](Transaction& tr, int64_t) { tr.set_access_system_keys(); }, nullptr, 0},
      {"read_system_keys", "", "reads may use the system keys (\\xff to \\xff\\xff)",
       [](Transaction& tr, int64_t) { tr.set_read_system_keys(); }, nullptr, 0},
      {"priority_batch", "", "read versions at batch priority (throttled first)",
       [](Transaction& tr, int64_t) { tr.set_priority(ReadVersionPriority::batch); },
       [](Transaction& tr) { tr.set_priority(ReadVersionPriority::normal); }, group_priority},
      {"priority_system_immediate", "", "read versions at the system's priority (never throttled)",
       [](Transaction& tr, int64_t) { tr.set_priority(ReadVersionPriority::immediate); },
       [](Transaction& tr) { tr.set_priority(ReadVersionPriority::normal); }, group_priority},
      {"causal_read_risky", "",
       "read versions skip the check that the proxy is current (a read may miss a commit "
       "acknowledged just before a recovery)",
       [](Transaction& tr, int64_t) { tr.set_causal_read_risky(); }, nullptr, 0},
      {"lock_aware", "", "may run while the database is locked (Strata has no lock yet)",
       [](Transaction& tr, int64_t) { tr.set_lock_aware(); }, nullptr, 0},
  };
  return specs;
}

const OptionSpec& find_option(std::string_view name) {
  std::string wanted = lowercase(name);
  for (const OptionSpec& spec : option_specs()) {
    if (spec.name == wanted) return spec;
  }
  throw Error(ErrorCode::invalid_option, "there is no transaction option '" + std::string(name) +
                                             "'; `help options' lists them");
}

void OptionSet::turn_on(const OptionSpec& spec, int64_t argument) {
  std::erase_if(entries_, [&](const Entry& entry) {
    return entry.spec == &spec || (spec.group != 0 && entry.spec->group == spec.group);
  });
  entries_.push_back(Entry{&spec, argument});
}

bool OptionSet::turn_off(const OptionSpec& spec) {
  return std::erase_if(entries_, [&](const Entry& entry) { return entry.spec == &spec; }) > 0;
}

void OptionSet::apply(Transaction& transaction) const {
  for (const Entry& entry : entries_)
    entry.spec->turn_on(transaction, entry.argument);
}

std::vector<std::string> OptionSet::describe() const {
  std::vector<std::string> lines;
  for (const Entry& entry : entries_) {
    std::string line(entry.spec->name);
    if (!entry.spec->argument.empty()) line += " " + std::to_string(entry.argument);
    lines.push_back(std::move(line));
  }
  return lines;
}

int64_t checked_option_argument(const OptionSpec& spec, std::optional<std::string> text) {
  const std::string name(spec.name);
  if (spec.argument.empty()) {
    if (text) {
      throw Error(
          ErrorCode::invalid_option_value,
          "option " + name + " takes no argument, but was given '" + printable_bytes(*text) + "'");
    }
    return 0;
  }
  if (!text) {
    throw Error(ErrorCode::invalid_option_value,
                "option " + name + " needs an argument: " + std::string(spec.argument) +
                    " (`option on " + name + " " + std::string(spec.argument) + "')");
  }
  int64_t value = 0;
  if (!parse_integer(*text, value)) {
    throw Error(ErrorCode::invalid_option_value,
                "option " + name + " takes " + std::string(spec.argument) +
                    " as a whole number, not '" + printable_bytes(*text) + "'");
  }
  // The client checks the range and says what it is; a transaction without a database
  // holds options all the same.
  Transaction scratch(nullptr);
  spec.turn_on(scratch, value);
  return value;
}

}  // namespace strata::shell
