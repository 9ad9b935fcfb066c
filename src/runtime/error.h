#pragma once

// Operating errors. An Error is a value: a code from the one numbered table in
// error_codes.def plus an optional detail sentence that names what was wrong (the key,
// the limit, the file). Futures carry Errors; coroutines throw and catch them by value.

#include <memory>
#include <string>
#include <string_view>

namespace strata {

enum class ErrorCode : int {
#define STRATA_ERROR(name, number, description) name = number,
#include "runtime/error_codes.def"
#undef STRATA_ERROR
};

class Error {
 public:
  // A placeholder (success) to be assigned, e.g. by a decoder.
  Error() : code_(ErrorCode::success) {}
  explicit Error(ErrorCode code) : code_(code) {}
  Error(ErrorCode code, std::string detail);

  ErrorCode code() const { return code_; }
  int number() const { return static_cast<int>(code_); }
  std::string_view name() const;
  std::string_view description() const;
  // The sentence naming what went wrong; empty when the code says it all.
  std::string_view detail() const { return detail_ ? std::string_view(*detail_) : ""; }
  // "name (number): description: detail", for people.
  std::string message() const;

  bool is(ErrorCode code) const { return code_ == code; }
  bool is_cancellation() const { return code_ == ErrorCode::operation_cancelled; }

  friend bool operator==(const Error& a, const Error& b) { return a.code_ == b.code_; }

 private:
  ErrorCode code_;
  // Shared so that copying an Error (which futures and retries do a lot) stays cheap.
  std::shared_ptr<const std::string> detail_;
};

std::string_view error_name(ErrorCode code);
std::string_view error_description(ErrorCode code);
// Whether `number` is a code in the table; decoders use it to reject unknown codes.
bool is_known_error_number(int number);

// FoundationDB's error predicates (fdb_error_predicate): the commit may have happened
// (commit_unknown_result, cluster_version_changed); the transaction did not commit and a
// retry may succeed; either of the two.
bool error_maybe_committed(ErrorCode code);
bool error_retryable_not_committed(ErrorCode code);
bool error_retryable(ErrorCode code);

}  // namespace strata
