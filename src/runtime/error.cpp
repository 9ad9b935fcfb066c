#include "runtime/error.h"

namespace strata {

namespace {

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;
  std::string_view description;
};

constexpr ErrorInfo error_table[] = {
#define STRATA_ERROR(name, number, description) {ErrorCode::name, #name, description},
#include "runtime/error_codes.def"
#undef STRATA_ERROR
};

const ErrorInfo* find_error(int number) {
  for (const ErrorInfo& info : error_table) {
    if (static_cast<int>(info.code) == number) return &info;
  }
  return nullptr;
}

}  // namespace

Error::Error(ErrorCode code, std::string detail)
    : code_(code),
      detail_(detail.empty() ? nullptr : std::make_shared<const std::string>(std::move(detail))) {}

std::string_view Error::name() const {
  return error_name(code_);
}

std::string_view Error::description() const {
  return error_description(code_);
}

std::string Error::message() const {
  std::string text(name());
  text += " (" + std::to_string(number()) + "): ";
  text += description();
  if (detail_) text += ": " + *detail_;
  return text;
}

std::string_view error_name(ErrorCode code) {
  const ErrorInfo* info = find_error(static_cast<int>(code));
  return info ? info->name : "unknown_error_code";
}

std::string_view error_description(ErrorCode code) {
  const ErrorInfo* info = find_error(static_cast<int>(code));
  return info ? info->description : "Unknown error code";
}

bool is_known_error_number(int number) {
  return find_error(number) != nullptr;
}

bool error_maybe_committed(ErrorCode code) {
  return code == ErrorCode::commit_unknown_result || code == ErrorCode::cluster_version_changed;
}

bool error_retryable_not_committed(ErrorCode code) {
  switch (code) {
    case ErrorCode::not_committed:
    case ErrorCode::transaction_too_old:
    case ErrorCode::future_version:
    case ErrorCode::database_locked:
    case ErrorCode::grv_proxy_memory_limit_exceeded:
    case ErrorCode::commit_proxy_memory_limit_exceeded:
    case ErrorCode::batch_transaction_throttled:
    case ErrorCode::process_behind:
    case ErrorCode::tag_throttled:
    case ErrorCode::proxy_tag_throttled:
      return true;
    default:
      return false;
  }
}

bool error_retryable(ErrorCode code) {
  return error_maybe_committed(code) || error_retryable_not_committed(code);
}

}  // namespace strata
