#include "layers/redis/request_parser.h"

#include <algorithm>

#include "layers/redis/inline_args.h"
#include "layers/redis/redis_integer.h"
#include "runtime/assert.h"

namespace strata::redis {

RequestParser::RequestParser(RequestLimits limits) : limits_(limits) {
  STRATA_ASSERT_MSG(
      limits_.arguments_max > 0 && limits_.argument_bytes_max >= 0 && limits_.inline_bytes_max > 0,
      "request limits must be positive");
}

void RequestParser::append(std::string_view bytes) {
  if (!error_.empty()) return;  // nothing more is read after a protocol error
  compact();
  buffer_.append(bytes);
}

void RequestParser::compact() {
  if (position_ > 0 && position_ >= buffer_.size() / 2) {
    buffer_.erase(0, position_);
    position_ = 0;
  }
}

RequestParser::Result RequestParser::fail(std::string message) {
  error_ = std::move(message);
  arguments_.clear();
  return Result{Status::protocol_error, {}, error_};
}

RequestParser::Result RequestParser::next(bool authenticated) {
  if (!error_.empty()) return Result{Status::protocol_error, {}, error_};
  while (position_ < buffer_.size() || arguments_left_ > 0) {
    Result result = arguments_left_ > 0 || buffer_[position_] == '*' ? next_multibulk(authenticated)
                                                                     : next_inline();
    // An empty request (an empty line, a count <= 0) is skipped.
    if (result.status == Status::command && result.arguments.empty()) continue;
    return result;
  }
  return Result{};
}

RequestParser::Result RequestParser::next_inline() {
  const std::string_view rest = std::string_view(buffer_).substr(position_);
  const size_t newline = rest.find('\n');
  if (newline == std::string_view::npos) {
    if (static_cast<int64_t>(rest.size()) > limits_.inline_bytes_max) {
      return fail("Protocol error: too big inline request");
    }
    return Result{};
  }
  // Checked whether or not the end has arrived, so that how the bytes were cut makes no
  // difference (Redis checks only while the end is missing).
  if (static_cast<int64_t>(newline) > limits_.inline_bytes_max) {
    return fail("Protocol error: too big inline request");
  }
  std::string_view line = rest.substr(0, newline);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::optional<std::vector<std::string>> arguments = split_inline_args(line);
  if (!arguments) return fail("Protocol error: unbalanced quotes in request");
  position_ += newline + 1;
  return Result{Status::command, std::move(*arguments), {}};
}

RequestParser::Result RequestParser::next_multibulk(bool authenticated) {
  // A header line ("*<count>" or "$<length>"), without its "\r\n"; nullopt while it has
  // not all arrived (too_big: the message if it is longer than any header may be).
  auto header_line = [&](const char* too_big) -> std::optional<std::string_view> {
    const std::string_view rest = std::string_view(buffer_).substr(position_);
    const size_t cr = rest.find('\r');
    if (cr == std::string_view::npos || cr + 1 >= rest.size()) {
      if (static_cast<int64_t>(rest.size()) > limits_.inline_bytes_max) {
        error_ = too_big;
      }
      return std::nullopt;
    }
    // As for inline requests: the same answer however the bytes were cut.
    if (static_cast<int64_t>(cr) + 1 > limits_.inline_bytes_max) {
      error_ = too_big;
      return std::nullopt;
    }
    return rest.substr(0, cr);
  };
  if (arguments_left_ == 0) {
    std::optional<std::string_view> line =
        header_line("Protocol error: too big mbulk count string");
    if (!error_.empty()) return fail(error_);
    if (!line) return Result{};
    STRATA_ASSERT(!line->empty() && line->front() == '*');
    std::optional<int64_t> count = parse_redis_integer(line->substr(1));
    if (!count || *count > limits_.arguments_max) {
      return fail("Protocol error: invalid multibulk length");
    }
    if (!authenticated && *count > limits_.unauthenticated_arguments_max) {
      return fail("Protocol error: unauthenticated multibulk length");
    }
    position_ += line->size() + 2;
    if (*count <= 0) return Result{Status::command, {}, {}};
    arguments_left_ = *count;
    argument_length_ = -1;
    arguments_.clear();
    // Not reserved up front: the count is the client's word, the bytes are not here yet.
    arguments_.reserve(static_cast<size_t>(std::min<int64_t>(*count, 1024)));
  }
  while (arguments_left_ > 0) {
    if (argument_length_ < 0) {
      if (position_ == buffer_.size()) return Result{};
      if (buffer_[position_] != '$') {
        return fail(std::string("Protocol error: expected '$', got '") + buffer_[position_] + "'");
      }
      std::optional<std::string_view> line =
          header_line("Protocol error: too big bulk count string");
      if (!error_.empty()) return fail(error_);
      if (!line) return Result{};
      std::optional<int64_t> length = parse_redis_integer(line->substr(1));
      if (!length || *length < 0 || *length > limits_.argument_bytes_max) {
        return fail("Protocol error: invalid bulk length");
      }
      if (!authenticated && *length > limits_.unauthenticated_argument_bytes_max) {
        return fail("Protocol error: unauthenticated bulk length");
      }
      position_ += line->size() + 2;
      argument_length_ = *length;
    }
    // The bytes and the two that end them (Redis does not look at those two either).
    const auto needed = static_cast<size_t>(argument_length_) + 2;
    if (buffer_.size() - position_ < needed) return Result{};
    arguments_.emplace_back(buffer_, position_, static_cast<size_t>(argument_length_));
    position_ += needed;
    argument_length_ = -1;
    --arguments_left_;
  }
  Result result{Status::command, std::move(arguments_), {}};
  arguments_.clear();
  return result;
}

}  // namespace strata::redis
