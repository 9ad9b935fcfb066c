#include "layers/redis/arguments.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "layers/redis/command_error.h"
#include "layers/redis/redis_integer.h"

namespace strata::redis {

int64_t integer_argument(std::string_view text) {
  return integer_argument(text, not_integer_message);
}

int64_t integer_argument(std::string_view text, std::string_view message) {
  std::optional<int64_t> value = parse_redis_integer(text);
  if (!value) fail(std::string(message));
  return *value;
}

std::optional<long double> parse_long_double(std::string_view text) {
  // Redis's limit on the text of a long double (MAX_LONG_DOUBLE_CHARS).
  if (text.empty() || text.size() > 5 * 1024) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(text[0]))) return std::nullopt;
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const long double value = std::strtold(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  if (errno == ERANGE || std::isnan(value)) return std::nullopt;
  return value;
}

long double float_argument(std::string_view text) {
  std::optional<long double> value = parse_long_double(text);
  if (!value) fail(std::string(not_float_message));
  return *value;
}

bool is_word(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(word[i])))
      return false;
  }
  return true;
}

ScanArguments scan_arguments(const std::vector<std::string>& args, size_t cursor_at,
                             bool type_allowed) {
  ScanArguments scan;
  const std::optional<int64_t> cursor = parse_redis_integer(args[cursor_at]);
  if (!cursor) fail("ERR invalid cursor");
  scan.cursor = static_cast<uint64_t>(*cursor);
  for (size_t i = cursor_at + 1; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) fail_syntax();
    if (is_word(args[i], "MATCH")) {
      scan.pattern = args[i + 1];
    } else if (is_word(args[i], "COUNT")) {
      scan.count = integer_argument(args[i + 1]);
      if (scan.count < 1) fail_syntax();
    } else if (type_allowed && is_word(args[i], "TYPE")) {
      scan.type = args[i + 1];
    } else {
      fail_syntax();
    }
  }
  return scan;
}

double timeout_argument(std::string_view text) {
  std::optional<long double> seconds = parse_long_double(text);
  if (!seconds || std::isinf(*seconds)) fail("ERR timeout is not a float or out of range");
  if (*seconds < 0) fail("ERR timeout is negative");
  return static_cast<double>(*seconds);
}

bool clamp_positions(int64_t& start, int64_t& end, int64_t length) {
  if (start < 0 && end < 0 && start > end) return false;
  if (start < 0) start = std::max<int64_t>(length + start, 0);
  if (end < 0) end = std::max<int64_t>(length + end, 0);
  if (end >= length) end = length - 1;
  return length > 0 && start <= end;
}

bool clamp_element_range(int64_t& start, int64_t& end, int64_t length) {
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) return false;
  if (end >= length) end = length - 1;
  return true;
}

std::string format_long_double(long double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[5 * 1024 + 64];
  const int length = std::snprintf(buffer, sizeof(buffer), "%.17Lf", value);
  std::string text(buffer, length > 0 ? static_cast<size_t>(length) : 0);
  if (text.find('.') != std::string::npos) {
    while (!text.empty() && text.back() == '0')
      text.pop_back();
    if (!text.empty() && text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

std::optional<double> stream_block_timeout_s(const std::vector<std::string>& arguments) {
  for (size_t i = 1; i + 1 < arguments.size(); ++i) {
    if (is_word(arguments[i], "streams")) break;
    if (is_word(arguments[i], "block")) {
      std::optional<int64_t> ms = parse_redis_integer(arguments[i + 1]);
      return ms && *ms > 0 ? static_cast<double>(*ms) / 1000.0 : 0.0;
    }
  }
  return std::nullopt;
}

}  // namespace strata::redis
