#include "tools/shell/errors.h"

#include <cstdio>

namespace strata::shell {

namespace {

// Advice for the client's errors a person can do something about; empty for the rest.
std::string advice_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::not_committed:
      return "the transaction conflicted with another one (something it read was written "
             "after it started); run it again";
    case ErrorCode::commit_unknown_result:
      return "the commit may or may not have happened (the connection broke while it was "
             "in flight); check before running it again";
    case ErrorCode::transaction_too_old:
      return "the transaction is older than the 5-second window of versions the storage "
             "servers keep; `rollback' and `begin' again, and be quicker";
    case ErrorCode::future_version:
      return "the storage server has not caught up with the read version yet; try again";
    case ErrorCode::transaction_timed_out:
      return "the transaction's timeout option expired; raise it with `option on timeout "
             "MILLISECONDS' or turn it off with `option off timeout'";
    case ErrorCode::key_outside_legal_range:
      return "in the shell, `option on read_system_keys' allows reading the system keys, "
             "`option on access_system_keys' writing them too";
    case ErrorCode::key_too_large:
      return "keys are limited to 10,000 bytes (system keys 30,000)";
    case ErrorCode::value_too_large:
      return "values are limited to 100,000 bytes";
    case ErrorCode::transaction_too_large:
      return "a transaction is limited to 10,000,000 bytes (or its size_limit option); "
             "split the work into several transactions";
    case ErrorCode::inverted_range:
      return "the begin key must not sort after the end key";
    case ErrorCode::used_during_commit:
      return "wait for the commit to finish";
    case ErrorCode::transaction_cancelled:
      return "the transaction was cancelled; `rollback' and `begin' again";
    default:
      return {};
  }
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", seconds);
  return text;
}

}  // namespace

std::string error_text(const Error& error) {
  std::string text =
      "ERROR: " + std::string(error.name()) + " (" + std::to_string(error.number()) + "): ";
  std::string advice = advice_for(error.code());
  std::string_view detail = error.detail();
  if (advice.empty()) {
    text += detail.empty() ? std::string(error.description()) : std::string(detail);
  } else if (detail.empty()) {
    text += advice;
  } else {
    text += std::string(detail) + "; " + advice;
  }
  return text;
}

bool is_unreachable(const Error& error) {
  return error.is(ErrorCode::timed_out) || error.is(ErrorCode::connection_failed);
}

Error unreachable_error(const Error& cause, const std::string& cluster_file,
                        const std::string& coordinators, double timeout_s, bool committing) {
  std::string what = cause.is(ErrorCode::timed_out)
                         ? "the cluster is unreachable or unavailable: no answer within " +
                               seconds_text(timeout_s) + " s"
                         : "the cluster is unreachable: no coordinator accepted a connection";
  std::string text = what + " (cluster file `" + cluster_file + "', coordinators " + coordinators +
                     "). Check that strata-server is running there";
  if (cause.is(ErrorCode::timed_out)) text += ", or give a longer --timeout";
  if (committing) text += ". The commit may or may not have happened";
  return Error(cause.code(), text);
}

}  // namespace strata::shell
